"""The metering table, beside the events table in the analytics database: per-tenant usage as the Flink job writes
it (functions/contracts/metering.py), for billing. Plain data, as catalog.py's events table.

Partitioned by the window's UTC day (`dt`, projected: no crawler, no partition to add), not by tenant: billing
reads every tenant's rows of a period in one query, which an injected tenant partition would refuse (Athena
requires a static value for it in every query). So it is the platform's table: no tenant identity's analytics
policy grants it (components/analytics/policies.py grants the events table). A tenant's usage in a period:

    SELECT tenant_id, SUM(accepted), SUM(rejected), SUM(accepted_bytes) FROM metering
    WHERE dt BETWEEN '2026-11-01' AND '2026-11-30' GROUP BY tenant_id

(every row counts: window totals and late records alike; the job writes each exactly once).
"""

from __future__ import annotations

from dataclasses import dataclass

from functions.contracts.metering import COLUMNS, PARTITION_COLUMN
from functions.contracts.s3_layout import METERING_PREFIX

METERING_TABLE = "metering"
FIRST_DAY = "2024-01-01"  # the day partition's projection starts here and ends today (NOW)
DAY_FORMAT = "yyyy-MM-dd"  # Athena's projection format (Java DateTimeFormatter), the job's dt values

# The table's column for each field of a row: snake case, no reserved word (Athena).
_COLUMN_NAMES = {
    "tenantId": "tenant_id",
    "tier": "tier",
    "windowStart": "window_start",
    "windowEnd": "window_end",
    "accepted": "accepted",
    "rejected": "rejected",
    "bytes": "accepted_bytes",
    "late": "late",
}
_COMMENTS = {
    "tenant_id": "the tenant the events count for",
    "tier": "its tier when they arrived",
    "window_start": "the window's start, UTC (receivedAt: when API Gateway accepted the event)",
    "window_end": "the window's end, UTC (exclusive)",
    "accepted": "events delivered",
    "rejected": "events the job rejected, counted against the tenant their envelope names",
    "accepted_bytes": "UTF-8 bytes of the delivered events (the enriched records)",
    "late": "true: one event that arrived after its window was written (add it to the window's rows)",
}


@dataclass(frozen=True)
class MeteringColumn:
    name: str
    type: str
    key: str  # the row's JSON key
    comment: str


METERING_COLUMNS = tuple(
    MeteringColumn(_COLUMN_NAMES[key], kind, key, _COMMENTS[_COLUMN_NAMES[key]]) for key, kind in COLUMNS
)


def metering_location(bucket: str) -> str:
    return f"s3://{bucket}/{METERING_PREFIX}"


def metering_parameters(bucket: str) -> dict[str, str]:
    """Partition projection over the day partition (Athena "Partition projection", type date)."""
    return {
        "classification": "json",
        "projection.enabled": "true",
        f"projection.{PARTITION_COLUMN}.type": "date",
        f"projection.{PARTITION_COLUMN}.format": DAY_FORMAT,
        f"projection.{PARTITION_COLUMN}.range": f"{FIRST_DAY},NOW",
        f"projection.{PARTITION_COLUMN}.interval": "1",
        f"projection.{PARTITION_COLUMN}.interval.unit": "DAYS",
        "storage.location.template": f"{metering_location(bucket)}{PARTITION_COLUMN}=${{{PARTITION_COLUMN}}}/",
    }


def metering_serde_parameters() -> dict[str, str]:
    """Each column read from its JSON key (OpenX JSON SerDe)."""
    return {"case.insensitive": "FALSE", **{f"mapping.{c.name}": c.key for c in METERING_COLUMNS}}
