"""The analytics catalog: the events table over the ingest bucket, as plain data any stack can declare.

No crawler: the table's partitions are projected (Athena computes them from the table's parameters), with
the tenant an `injected` partition, so a query that names no tenant is refused by Athena itself, and a
query's partitions are exactly the tenant's. The location template is the ingest layout's own
(functions/contracts/s3_layout.py `events_prefix`, which Firehose's prefix is built from too).

The analytics database is where the per-tenant usage tables go (metering, later): each one partitioned by
tenant the same way, so a tenant's identity reads its own rows and no one else's.
"""

from __future__ import annotations

from dataclasses import dataclass

from functions.contracts.kinesis_record import ENRICHED_FIELDS
from functions.contracts.s3_layout import DATE_PARTITIONS, EVENT_PARTITIONS, TENANT_PARTITION, events_prefix

EVENTS_TABLE = "events"
# The first year the year partition projects. Events carry the Flink job's processing time, so none predates
# the pipeline; the range ends at NOW, so a query without a date filter enumerates years since then only.
FIRST_YEAR = 2024
# OpenX JSON SerDe: a `string` column whose JSON value is an object reads as that object's JSON text
# (rcongiu/Hive-JSON-Serde JavaStringJsonObjectInspector: toString()), which is how `payload` is kept.
JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe"
TEXT_INPUT_FORMAT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"


@dataclass(frozen=True)
class EventColumn:
    name: str  # the column (Athena: lowercase, no reserved word)
    type: str  # Hive type
    key: str  # the enriched record's JSON key (functions/contracts/kinesis_record.py)
    comment: str


EVENT_COLUMNS = (
    EventColumn("tenant_id", "string", "tenantId", "the sender's tenant, from its token (never the payload's)"),
    EventColumn("tier", "string", "tier", "the tenant's tier when the event was accepted"),
    EventColumn("request_id", "string", "requestId", "API Gateway's request id: unique per accepted event"),
    EventColumn("received_at", "bigint", "receivedAt", "epoch milliseconds, when API Gateway accepted it"),
    EventColumn("payload", "string", "payload", "the client's JSON object as JSON text (json_extract_scalar)"),
    EventColumn("processed_at", "bigint", "timestamp", "epoch milliseconds, the Flink job's; its UTC day partitions"),
)
if tuple(sorted(c.key for c in EVENT_COLUMNS)) != tuple(sorted(ENRICHED_FIELDS)):
    raise RuntimeError("the events table's columns must map every field of the enriched record, once")

PARTITION_COMMENTS = {
    TENANT_PARTITION: "the tenant (injected: every query must name it with a static equality)",
    "year": "UTC year of processed_at, yyyy",
    "month": "UTC month of processed_at, 01-12",
    "day": "UTC day of processed_at, 01-31",
}


def location_template(bucket: str) -> str:
    """Where a partition's objects are: the ingest layout with each partition a `${column}` placeholder."""
    return f"s3://{bucket}/{events_prefix({name: '${' + name + '}' for name in EVENT_PARTITIONS})}"


def projection_parameters(bucket: str) -> dict[str, str]:
    """The table's partition projection (Athena "Partition projection", supported types)."""
    year, month, day = DATE_PARTITIONS
    return {
        "classification": "json",
        "projection.enabled": "true",
        f"projection.{TENANT_PARTITION}.type": "injected",
        f"projection.{year}.type": "date",
        f"projection.{year}.format": "yyyy",
        f"projection.{year}.range": f"{FIRST_YEAR},NOW",
        f"projection.{year}.interval": "1",
        f"projection.{year}.interval.unit": "YEARS",
        f"projection.{month}.type": "integer",
        f"projection.{month}.range": "1,12",
        f"projection.{month}.digits": "2",
        f"projection.{day}.type": "integer",
        f"projection.{day}.range": "1,31",
        f"projection.{day}.digits": "2",
        "storage.location.template": location_template(bucket),
    }


def serde_parameters() -> dict[str, str]:
    """Column names differ from the record's keys (snake case, no reserved word): each mapped explicitly."""
    return {"case.insensitive": "FALSE", **{f"mapping.{c.name}": c.key for c in EVENT_COLUMNS}}
