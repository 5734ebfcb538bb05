"""The metering output as billing reads it, and what it must say: the sandbox's check of the Flink job's usage rows.

What it must say comes from what landed and what was rejected, by the metering rule (functions/flink/metering.py,
docs/design.md "Metering"): an accepted event counts for the tenant of its envelope, a rejected record for the
tenant the job attributed it to (the reject's `tenantId`: functions/flink/attribution.py); either only with an
event time (receivedAt, an integer from 1 to MAX_RECEIVED_AT_MS); bytes are the accepted events' UTF-8 size as
delivered (the line, without the newline Firehose appends). Each event counts once, however often an
at-least-once sink delivered it (by requestId; a reject by its raw record).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from functions.contracts.flink_properties import METERING_BUCKET_KEY, METERING_GROUP
from functions.contracts.kinesis_record import RECEIVED_AT_FIELD, TENANT_FIELD
from functions.contracts.metering import COLUMNS, COUNTS
from functions.contracts.s3_layout import METERING_PREFIX
from functions.flink.attribution import event_time
from functions.flink.rules import REJECT_FIELDS

REJECT_RECORD, REJECT_TENANT, REJECT_EVENT_TIME = REJECT_FIELDS[1], REJECT_FIELDS[3], REJECT_FIELDS[4]


@dataclass
class Usage:
    accepted: int = 0
    rejected: int = 0
    bytes: int = 0

    def add(self, row: Mapping[str, Any]) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + int(row[name]))

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNTS}


def metering_bucket(flink_properties: Mapping[str, Mapping[str, str]]) -> str:
    """The bucket the declared job writes its metering rows to (its Metering property group)."""
    return str(flink_properties[METERING_GROUP][METERING_BUCKET_KEY])


def read_rows(s3: Any, bucket: str) -> list[dict[str, Any]]:
    """Every visible metering row (committed files only: a file in progress is not an object yet)."""
    rows: list[dict[str, Any]] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=METERING_PREFIX):
        for item in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read().decode("utf-8")
            rows += [json.loads(line) for line in body.splitlines() if line.strip()]
    expected = [name for name, _ in COLUMNS]
    for row in rows:
        if sorted(row) != sorted(expected):
            raise ValueError(f"a metering row with fields {sorted(row)}, not {sorted(expected)}")
    return rows


def usage_by_tenant(rows: Iterable[Mapping[str, Any]]) -> dict[str, Usage]:
    """Billing's sum: every row of a tenant, window rows and late rows alike."""
    usage: dict[str, Usage] = {}
    for row in rows:
        usage.setdefault(str(row["tenantId"]), Usage()).add(row)
    return usage


def metered_tenant(reject: Mapping[str, Any]) -> str | None:
    """The tenant a rejected record (the job's document) is metered for: the one it was attributed to, when it
    has an event time (functions/flink/attribution.py); else None."""
    tenant, received_at = reject.get(REJECT_TENANT), reject.get(REJECT_EVENT_TIME)
    return str(tenant) if tenant is not None and event_time(received_at) is not None else None


@dataclass
class ExpectedUsage:
    """What the metering must add up to, from the delivered records, each counted once."""

    usage: dict[str, Usage] = field(default_factory=dict)
    _accepted: set[str] = field(default_factory=set)  # requestIds counted
    _rejected: Counter[str] = field(default_factory=Counter)  # raw records counted

    def landed(self, line: bytes) -> None:
        record = json.loads(line)
        request_id = str(record.get("requestId"))
        if event_time(record.get(RECEIVED_AT_FIELD)) is None or request_id in self._accepted:
            return
        self._accepted.add(request_id)
        usage = self.usage.setdefault(str(record[TENANT_FIELD]), Usage())
        usage.accepted += 1
        usage.bytes += len(line)

    def rejected(self, reject: Mapping[str, Any]) -> None:
        raw = str(reject[REJECT_RECORD])
        self._rejected[raw] += 1
        tenant = metered_tenant(reject)
        if tenant is None or self._rejected[raw] > 1:
            return
        self.usage.setdefault(tenant, Usage()).rejected += 1


def mismatches(metered: Mapping[str, Usage], expected: Mapping[str, Usage]) -> dict[str, dict[str, Any]]:
    """Per tenant whose metering differs from what it must be: both sides."""
    return {
        tenant: {"metered": metered.get(tenant, Usage()).as_dict(), "expected": expected.get(tenant, Usage()).as_dict()}
        for tenant in sorted(set(metered) | set(expected))
        if metered.get(tenant, Usage()) != expected.get(tenant, Usage())
    }
