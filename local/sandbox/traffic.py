"""Demo traffic: every served tenant signs in through Cognito and posts events to the front door.

Per tenant: good events, events whose body forges another tenant's id (they must land under the
sender's prefix), a body that is not JSON and one that is not an object (400), an event over Kinesis'
1 MiB record limit (413, refused by Kinesis itself), a tampered token (401); the tenant of the smallest
burst limit also bursts past its usage plan (429). Browsers' CORS preflight is asked for each configured origin. A
misbehaving producer writing straight to the stream supplies records the Flink job must reject.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from functions.flink.rules import FIREHOSE_MAX_RECORD_BYTES, MAX_RECORD_BYTES
from local.services.moto_server import kinesis_write


@dataclass
class TenantTraffic:
    tenant_id: str
    answers: Counter[int] = field(default_factory=Counter)  # HTTP status -> count
    forged: int = 0  # accepted events whose body named another tenant

    @property
    def sent(self) -> int:
        return sum(self.answers.values())

    @property
    def accepted(self) -> int:
        return self.answers[200]

    @property
    def refused(self) -> int:
        return self.sent - self.accepted


ONE_MIB = 1024 * 1024


# Past Firehose's record limit once enriched, within Kinesis' with the envelope (a few hundred bytes).
UNDELIVERABLE_BODY_BYTES = (FIREHOSE_MAX_RECORD_BYTES + MAX_RECORD_BYTES) // 2


def undeliverable_body() -> str:
    """An event the API and Kinesis take and the Flink job rejects: its enriched record would be over Firehose's
    1,000 KiB (a record under Kinesis' 1 MiB)."""
    return json.dumps({"type": "undeliverable", "blob": "x" * UNDELIVERABLE_BODY_BYTES})


def post(url: str, token: str | None, body: str) -> int:
    return post_answer(url, token, body)[0]


def post_answer(url: str, token: str | None, body: str) -> tuple[int, dict[str, Any]]:
    """The status and the JSON answer of one request."""
    request = urllib.request.Request(url, data=body.encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    if token is not None:
        request.add_header("Authorization", token)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status), json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return int(error.code), json.loads(error.read() or b"{}")


def tampered(token: str, tenant_id: str) -> str:
    """The token with its payload's tenant changed and the signature kept: must be refused."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["custom:tenantId"] = tenant_id
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{header}.{forged}.{signature}"


def tenant_traffic(url: str, token: str, tenant_id: str, other_tenant: str, events: int) -> TenantTraffic:
    traffic = TenantTraffic(tenant_id)
    for n in range(events):
        body: dict[str, Any] = {"type": "page_view", "sequence": n, "path": f"/products/{n}"}
        if n % 5 == 4:  # every fifth event claims to be another tenant's
            body["tenantId"] = other_tenant
        status = post(url, token, json.dumps(body))
        traffic.answers[status] += 1
        traffic.forged += status == 200 and "tenantId" in body
    traffic.answers[post(url, token, "{not json")] += 1
    traffic.answers[post(url, token, json.dumps([{"type": "array"}]))] += 1
    traffic.answers[post(url, token, json.dumps({"type": "oversized", "blob": "x" * ONE_MIB}))] += 1
    traffic.answers[post(url, token, undeliverable_body())] += 1
    traffic.answers[post(url, tampered(token, other_tenant), json.dumps({"type": "tampered"}))] += 1
    return traffic


def preflight(url: str, origin: str) -> str | None:
    """The Access-Control-Allow-Origin a browser at `origin` gets for its CORS preflight (None: refused)."""
    request = urllib.request.Request(url, method="OPTIONS")
    request.add_header("Origin", origin)
    request.add_header("Access-Control-Request-Method", "POST")
    request.add_header("Access-Control-Request-Headers", "authorization,content-type")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            allowed = response.headers.get("Access-Control-Allow-Origin")
            return str(allowed) if response.status == 204 and allowed else None
    except urllib.error.HTTPError:
        return None


def burst(url: str, token: str, traffic: TenantTraffic, wave: int, *, max_waves: int = 10, workers: int = 32) -> None:
    """Waves of `wave` concurrent events until the usage plan answers 429 (or `max_waves` ran):
    how fast the bucket drains depends on this machine, so the burst goes on until it is drained."""
    body = json.dumps({"type": "burst"})
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for _ in range(max_waves):
            for status in pool.map(lambda _: post(url, token, body), range(wave)):
                traffic.answers[status] += 1
            if traffic.answers[429]:
                return


# Records a misbehaving producer with stream access might write: each must end in the rejects.
BAD_PRODUCER_RECORDS: tuple[bytes, ...] = (
    b"not json at all",
    json.dumps({"tier": "basic", "payload": {"a": 1}}).encode(),  # no tenantId
    json.dumps({"tenantId": "Not A Tenant!", "tier": "basic", "payload": {}}).encode(),
    json.dumps({"tenantId": "acme", "tier": "premium", "payload": "not an object"}).encode(),
)


def bad_producer(kinesis: Any, stream_name: str) -> int:
    for n, record in enumerate(BAD_PRODUCER_RECORDS):
        kinesis_write(kinesis.put_record, StreamName=stream_name, Data=record, PartitionKey=f"bad-producer-{n}")
    return len(BAD_PRODUCER_RECORDS)
