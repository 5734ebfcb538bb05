"""The local front door: `POST /events` (and its CORS preflight) on loopback, doing what the declared
API Gateway methods do.

In API Gateway's order: the TOKEN authorizer (the real handler) -> the usage plan of the API key the
authorizer returned (429 over rate, burst or daily quota) -> the request validator (the declared
model) -> the declared mapping template -> Kinesis PutRecord -> the declared integration response
selected by Kinesis' HTTP status, its template rendered over Kinesis' answer (status and header
overrides included). API Gateway's own refusals carry its messages and the declared gateway
responses' headers. `OPTIONS /events` answers with the declared MOCK integration's response.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jsonschema
from botocore.exceptions import ClientError

from components.ingestion.event_model import MAX_BODY_DEPTH
from functions.flink.structure import nests_deeper_than
from local.errors import DeclarationError, TemplateError
from local.sandbox.throttle import Throttler, UsagePlanLimits
from local.sandbox.vtl import Request, render
from local.services.moto_server import kinesis_write
from local.services.ports import LOOPBACK, free_port

EVENTS_PATH = "/events"

Authorize = Callable[[dict[str, Any]], dict[str, Any]]  # TOKEN event -> authorizer response (or raises)
# The rendered PutRecord request -> Kinesis' answer as API Gateway's integration gets it: (HTTP status, body).
PutRecord = Callable[[dict[str, Any]], tuple[int, str]]
_STATIC = re.compile(r"'(?P<value>[^']*)'")


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any] | None  # None: no body (the preflight's 204)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class IntegrationResponse:
    """A declared integration response: the method response status it maps to, the regular expression
    over the backend's HTTP status that selects it (None: the default), its template, static headers."""

    status: str
    selection_pattern: str | None
    template: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GatewayResponse:
    """A declared gateway response: its status (None: the type's own) and header mappings, each a
    static 'value' or `method.request.header.<name>`."""

    status: str | None
    headers: dict[str, str] = field(default_factory=dict)


def static_headers(parameters: Mapping[str, str] | None, prefix: str = "method.response.header.") -> dict[str, str]:
    """Header name -> value of declared response parameters, all static ('value') mappings."""
    headers = {}
    for key, expression in (parameters or {}).items():
        match = _STATIC.fullmatch(expression)
        if not key.startswith(prefix) or match is None:
            raise DeclarationError(f"the sandbox maps static response headers only, got {key}: {expression}")
        headers[key.removeprefix(prefix)] = match.group("value")
    return headers


def select_response(responses: tuple[IntegrationResponse, ...], backend_status: int) -> IntegrationResponse:
    """The integration response API Gateway selects for an AWS integration: the one whose selection
    pattern matches the backend's HTTP status code, else the default one."""
    for response in responses:
        if response.selection_pattern is not None and re.fullmatch(response.selection_pattern, str(backend_status)):
            return response
    defaults = [response for response in responses if response.selection_pattern is None]
    if len(defaults) != 1:
        raise DeclarationError(f"expected one default integration response, the method declares {len(defaults)}")
    return defaults[0]


def integration_answer(
    response: IntegrationResponse, backend_body: str, request_headers: Mapping[str, str], request_id: str
) -> Answer:
    """`response` rendered as API Gateway renders it: `$input` is the backend's body, `$input.params()`
    the method request's, and `$context.responseOverride` may override the status and headers."""
    override: dict[str, Any] = {"header": {}}
    context = {"requestId": request_id, "responseOverride": override}
    rendered = render(response.template, Request(body=backend_body, headers=dict(request_headers)), context)
    status = int(override.get("status") or response.status)
    headers = {**response.headers, **{name: str(value) for name, value in override["header"].items()}}
    return Answer(status, json.loads(rendered) if rendered.strip() else None, headers)


@dataclass
class FrontDoor:
    """The methods' pipeline, independent of HTTP so tests can call `handle` and `preflight` directly."""

    method_arn: str
    authorize: Authorize
    limits_by_key: dict[str, UsagePlanLimits]
    request_schema: dict[str, Any]
    mapping_template: str
    put_record: PutRecord
    throttler: Throttler
    responses: tuple[IntegrationResponse, ...]  # POST /events' integration responses
    preflight_response: IntegrationResponse | None = None  # OPTIONS /events' (None: no CORS)
    gateway_responses: Mapping[str, GatewayResponse] = field(default_factory=dict)  # by response type

    def handle(self, authorization: str | None, body: str, headers: Mapping[str, str] | None = None) -> Answer:
        headers = headers or {}
        if not authorization:
            return self.refuse("UNAUTHORIZED", 401, "Unauthorized", headers)
        try:
            policy = self.authorize(
                {"type": "TOKEN", "authorizationToken": authorization, "methodArn": self.method_arn}
            )
        except Exception as error:  # the authorizer refuses by raising "Unauthorized"
            if str(error) == "Unauthorized":
                return self.refuse("UNAUTHORIZED", 401, "Unauthorized", headers)
            return self.refuse("AUTHORIZER_CONFIGURATION_ERROR", 500, None, headers)
        if not _allows(policy, self.method_arn):
            return self.refuse("ACCESS_DENIED", 403, "User is not authorized to access this resource", headers)
        api_key = policy.get("usageIdentifierKey")
        limits = self.limits_by_key.get(api_key or "")
        if limits is None:  # a key in no usage plan of this stage
            return self.refuse("INVALID_API_KEY", 403, "Forbidden", headers)
        throttled = self.throttler.admit(api_key or "", limits)
        if throttled:
            kind = "QUOTA_EXCEEDED" if throttled == "Limit Exceeded" else "THROTTLED"
            return self.refuse(kind, 429, throttled, headers)
        invalid = self._invalid_body(body)
        if invalid:
            answer = self.refuse("BAD_REQUEST_BODY", 400, "Invalid request body", headers)
            return Answer(answer.status, {**(answer.body or {}), "detail": invalid}, answer.headers)
        request_id = str(uuid.uuid4())
        context = {
            "authorizer": policy.get("context", {}),
            "requestId": request_id,
            "requestTimeEpoch": int(time.time() * 1000),
        }
        try:
            put_request = json.loads(render(self.mapping_template, Request(body=body), context))
        except (TemplateError, json.JSONDecodeError) as error:
            return self.refuse("DEFAULT_5XX", 500, f"mapping template: {error}", headers)
        status, kinesis_answer = self.put_record(put_request)
        return integration_answer(select_response(self.responses, status), kinesis_answer, headers, request_id)

    def preflight(self, headers: Mapping[str, str]) -> Answer:
        """OPTIONS /events: the MOCK integration's default response (no authorizer, no API key)."""
        if self.preflight_response is None:  # no such method: API Gateway's answer to an unknown route
            return self.refuse("MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token", headers)
        return integration_answer(self.preflight_response, "", headers, str(uuid.uuid4()))

    def refuse(self, response_type: str, status: int, message: str | None, headers: Mapping[str, str]) -> Answer:
        """API Gateway's own answer, with the declared gateway response of its type (else the default
        of its class, DEFAULT_4XX or DEFAULT_5XX) giving its status and headers."""
        default = "DEFAULT_4XX" if status < 500 else "DEFAULT_5XX"
        gateway = self.gateway_responses.get(response_type) or self.gateway_responses.get(default)
        if gateway is None:
            return Answer(status, {"message": message})
        sent = {name.lower(): value for name, value in headers.items()}
        mapped = {}
        for name, expression in gateway.headers.items():
            static = _STATIC.fullmatch(expression)
            if static:
                mapped[name] = static.group("value")
            elif expression.startswith("method.request.header."):
                value = sent.get(expression.removeprefix("method.request.header.").lower())
                if value is not None:
                    mapped[name] = value
            else:
                raise DeclarationError(f"the sandbox maps static or request-header gateway headers only: {expression}")
        return Answer(int(gateway.status or status), {"message": message}, mapped)

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
    """PutRecord with the request API Gateway would send, answering as Kinesis answers the integration:
    (HTTP status, JSON body), errors as `{"__type": ..., "message": ...}`.

    moto's PutRecord does not enforce Kinesis' record size limit (1 MiB, data blob and partition key)
    and its PutRecords does, with Kinesis' ValidationException: so the record goes as a one-record
    PutRecords, and a record it fails is answered as PutRecord fails it. The wire JSON carries Data in
    base64, which the SDK encodes itself, so the blob is decoded here once.
    """

    def put(request: dict[str, Any]) -> tuple[int, str]:
        record = {"PartitionKey": request["PartitionKey"], "Data": base64.b64decode(request["Data"], validate=True)}
        try:
            answer = kinesis_write(kinesis.put_records, StreamName=request["StreamName"], Records=[record])
        except ClientError as error:
            status = int(error.response["ResponseMetadata"]["HTTPStatusCode"])
            details = error.response["Error"]
            return status, json.dumps({"__type": details.get("Code", ""), "message": details.get("Message", "")})
        (written,) = answer["Records"]
        if "ErrorCode" in written:  # PutRecord answers a failed record with 400 and its error type
            return 400, json.dumps({"__type": written["ErrorCode"], "message": written.get("ErrorMessage", "")})
        return 200, json.dumps({"SequenceNumber": written["SequenceNumber"], "ShardId": written["ShardId"]})

    return put


class _Handler(BaseHTTPRequestHandler):
    door: FrontDoor  # set on the subclass made per server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        headers = dict(self.headers.items())
        if self.path.split("?", 1)[0] != EVENTS_PATH:
            self._answer(self.door.refuse("MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token", headers))
            return
        self._answer(self.door.handle(self.headers.get("Authorization"), body, headers))

    def do_OPTIONS(self) -> None:
        headers = dict(self.headers.items())
        if self.path.split("?", 1)[0] != EVENTS_PATH:
            self._answer(self.door.refuse("MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token", headers))
            return
        self._answer(self.door.preflight(headers))

    def _answer(self, answer: Answer) -> None:
        payload = b"" if answer.body is None else json.dumps(answer.body).encode()
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if answer.body is not None:
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
