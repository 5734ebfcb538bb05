"""The local front door: `POST /events` on loopback, doing what the declared API Gateway method does.

In API Gateway's order: the TOKEN authorizer (the real handler) -> the usage plan of the API key the
authorizer returned (429 over rate, burst or daily quota) -> the request validator (the declared
model) -> the declared mapping template -> Kinesis PutRecord. Answers carry API Gateway's messages.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jsonschema

from components.ingestion.event_model import MAX_BODY_DEPTH
from functions.flink.structure import nests_deeper_than
from local.sandbox.throttle import Throttler, UsagePlanLimits
from local.sandbox.vtl import Request, TemplateError, render
from local.services.ports import LOOPBACK, free_port

EVENTS_PATH = "/events"

Authorize = Callable[[dict[str, Any]], dict[str, Any]]  # TOKEN event -> authorizer response (or raises)
PutRecord = Callable[[dict[str, Any]], None]  # the rendered PutRecord request -> Kinesis


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


@dataclass
class FrontDoor:
    """The method's pipeline, independent of HTTP so tests can call `handle` directly."""

    method_arn: str
    authorize: Authorize
    limits_by_key: dict[str, UsagePlanLimits]
    request_schema: dict[str, Any]
    mapping_template: str
    put_record: PutRecord
    throttler: Throttler

    def handle(self, authorization: str | None, body: str) -> Answer:
        if not authorization:
            return Answer(401, {"message": "Unauthorized"})
        try:
            policy = self.authorize(
                {"type": "TOKEN", "authorizationToken": authorization, "methodArn": self.method_arn}
            )
        except Exception as error:  # the authorizer refuses by raising "Unauthorized"
            if str(error) == "Unauthorized":
                return Answer(401, {"message": "Unauthorized"})
            return Answer(500, {"message": None})  # AuthorizerConfigurationException
        if not _allows(policy, self.method_arn):
            return Answer(403, {"message": "User is not authorized to access this resource"})
        api_key = policy.get("usageIdentifierKey")
        limits = self.limits_by_key.get(api_key or "")
        if limits is None:  # a key in no usage plan of this stage
            return Answer(403, {"message": "Forbidden"})
        throttled = self.throttler.admit(api_key or "", limits)
        if throttled:
            return Answer(429, {"message": throttled})
        invalid = self._invalid_body(body)
        if invalid:
            return Answer(400, {"message": "Invalid request body", "detail": invalid})
        request_id = str(uuid.uuid4())
        context = {
            "authorizer": policy.get("context", {}),
            "requestId": request_id,
            "requestTimeEpoch": int(time.time() * 1000),
        }
        try:
            put_request = json.loads(render(self.mapping_template, Request(body=body), context))
        except (TemplateError, json.JSONDecodeError) as error:
            return Answer(500, {"message": f"mapping template: {error}"})
        try:
            self.put_record(put_request)
        except Exception:
            return Answer(500, {"message": "the event could not be accepted", "requestId": request_id})
        return Answer(200, {"requestId": request_id})

    def _invalid_body(self, body: str) -> str | None:
        # Before parsing: Python's parser (like any recursive one) overflows on deep enough nesting.
        if nests_deeper_than(body, MAX_BODY_DEPTH):
            return f"objects or arrays nested more than {MAX_BODY_DEPTH} deep"
        try:
            document = json.loads(body)
        except json.JSONDecodeError as error:
            return f"not JSON: {error.msg}"
        try:
            jsonschema.validate(document, self.request_schema, cls=jsonschema.Draft4Validator)
        except jsonschema.ValidationError as error:
            return str(error.message)
        return None


def _allows(policy: dict[str, Any], method_arn: str) -> bool:
    statements = policy.get("policyDocument", {}).get("Statement", [])
    allowed = denied = False
    for statement in statements:
        resources = statement.get("Resource", [])
        resources = [resources] if isinstance(resources, str) else resources
        if any(fnmatchcase(method_arn, pattern) for pattern in resources):
            if statement.get("Effect") == "Deny":
                denied = True
            elif statement.get("Effect") == "Allow":
                allowed = True
    return allowed and not denied


def kinesis_put_record(kinesis: Any) -> PutRecord:
    """PutRecord with the request API Gateway would send: its wire JSON carries Data in base64, which
    the SDK encodes itself, so the blob is decoded here once."""

    def put(request: dict[str, Any]) -> None:
        kinesis.put_record(
            StreamName=request["StreamName"],
            PartitionKey=request["PartitionKey"],
            Data=base64.b64decode(request["Data"], validate=True),
        )

    return put


class _Handler(BaseHTTPRequestHandler):
    door: FrontDoor  # set on the subclass made per server

    def do_POST(self) -> None:
        if self.path.split("?", 1)[0] != EVENTS_PATH:
            self._answer(Answer(403, {"message": "Missing Authentication Token"}))
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        self._answer(self.door.handle(self.headers.get("Authorization"), body))

    def _answer(self, answer: Answer) -> None:
        payload = json.dumps(answer.body).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the demo reports outcomes itself


class FrontDoorServer:
    """`door` served over HTTP on a free loopback port, in a thread; a context manager."""

    def __init__(self, door: FrontDoor, port: int | None = None):
        handler = type("FrontDoorHandler", (_Handler,), {"door": door})
        server_class = type("FrontDoorHTTPServer", (ThreadingHTTPServer,), {"request_queue_size": 128})
        self.server = server_class((LOOPBACK, port or free_port()), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, name="front-door", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}{EVENTS_PATH}"

    def __enter__(self) -> FrontDoorServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
