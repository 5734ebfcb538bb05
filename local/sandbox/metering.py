"""The metering table as billing reads it (its declared location and columns), and what it must say: the sandbox's
check of the Flink job's usage rows.

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

from components.analytics.metering_table import METERING_COLUMNS, METERING_TABLE
from functions.contracts.kinesis_record import RECEIVED_AT_FIELD, TENANT_FIELD
from functions.contracts.metering import COUNTS
from functions.flink.attribution import event_time
from functions.flink.rules import REJECT_FIELDS
from local.program import Declaration

REJECT_RECORD, REJECT_TENANT, REJECT_EVENT_TIME = REJECT_FIELDS[1], REJECT_FIELDS[3], REJECT_FIELDS[4]


@dataclass
class Usage:
    accepted: int = 0
    rejected: int = 0
    bytes: int = 0

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNTS}


@dataclass(frozen=True)
class MeteringTable:
    """The metering table as the program declares it (components/analytics/metering_table.py): where its rows
    are and which JSON key each column reads."""

    bucket: str
    prefix: str  # the objects' prefix, up to the day partition
    keys: Mapping[str, str]  # column -> JSON key

    @staticmethod
    def declared(declaration: Declaration) -> MeteringTable:
        (table,) = [
            t for t in declaration.of_type("aws:glue/catalogTable:CatalogTable") if t.inputs["name"] == METERING_TABLE
        ]
        template = str(table.inputs["parameters"]["storage.location.template"])
        bucket, _, path = template.removeprefix("s3://").partition("/")
        serde = table.inputs["storageDescriptor"]["serDeInfo"]["parameters"]
        keys = {column: key for name, key in serde.items() if (column := name.removeprefix("mapping.")) != name}
        return MeteringTable(bucket, path.split("${", 1)[0].rsplit("/", 1)[0] + "/", keys)

    def rows(self, s3: Any) -> list[dict[str, Any]]:
        """Every visible row, by column (committed files only: a file in progress is not an object yet)."""
        rows: list[dict[str, Any]] = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                body = s3.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read().decode("utf-8")
                for line in body.splitlines():
                    if line.strip():
                        record = json.loads(line)
                        rows.append({column: record[key] for column, key in self.keys.items()})
        return rows


def usage_by_tenant(rows: Iterable[Mapping[str, Any]]) -> dict[str, Usage]:
    """Billing's query (components/analytics/metering_table.py): every row of a tenant summed, window rows and
    late rows alike."""
    column = {c.key: c.name for c in METERING_COLUMNS}
    usage: dict[str, Usage] = {}
    for row in rows:
        totals = usage.setdefault(str(row[column["tenantId"]]), Usage())
        for name in COUNTS:
            setattr(totals, name, getattr(totals, name) + int(row[column[name]]))
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
