"""The hot path in Flink SQL: one Java function call per record, from the job's own jar.

`enrich_record` (functions/flink/connectors/src/main/java/tenantpipeline/flink/EnrichRecord.java)
checks each record's size, then its nesting depth on the bytes (deep records overflow any recursive
parser's stack, which no ON ERROR catches), parses it once with Jackson's streaming parser (the one
Flink ships), and returns what goes to its sink: the enriched record and its tenant id, or the reason
and the rejected record. Every rule it applies is passed from here, as one JSON literal
(`function_rules`) written from rules.py and the contracts: nothing is written twice.

Views over a source table with one STRING column `line` (the raw record):
- `classified`: the function's result `c` for each record;
- `routed`: reason (NULL when the record is acceptable), record (the JSON document for its sink), tenant
  (the accepted record's tenant id, which routing hashes; a rejected one's when its envelope names one, which
  only metering reads), tier, size and received_at (the event time; metering: functions/flink/metering.py).
Every record ends in exactly one of the two INSERTs: `reason IS NULL` or `reason IS NOT NULL`.

The function is non-deterministic (it reads the clock), and `routed` uses its result twice, so the
planner keeps one call per record instead of copying it into each use (FlinkRelUtil.isMergeable).
"""

from __future__ import annotations

import json

from functions.contracts.delivery_routing import DIGEST_CHARS, INDEX_DIGITS, ROUTE_SEPARATOR
from functions.contracts.kinesis_record import (
    MAX_RECEIVED_AT_MS,
    RECEIVED_AT_FIELD,
    TENANT_FIELD,
    TIER_FIELD,
    TIMESTAMP_FIELD,
)
from functions.flink import rules
from functions.flink.errors import JobConfigurationError

FUNCTION = "enrich_record"
JAVA_CLASS = "tenantpipeline.flink.EnrichRecord"

# The reasons the function gives, by their names in rules.py (the Java side asks for these names).
REASON_NAMES = (
    "RECORD_TOO_LARGE",
    "TOO_DEEP",
    "NOT_JSON_OBJECT",
    "DUPLICATE_FIELD",
    "MISSING_TENANT_ID",
    "INVALID_TENANT_ID",
    "MISSING_PAYLOAD",
    "PAYLOAD_NOT_OBJECT",
    "ENRICHED_TOO_LARGE",
)


def quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def function_statement() -> str:
    """Declare the Java function (the class is in the jar the job ships: pipeline.jars, or the
    application's jar on Managed Service for Apache Flink)."""
    return f"CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS {FUNCTION} AS {quote(JAVA_CLASS)} LANGUAGE JAVA"


def function_rules() -> str:
    """The function's rules, as the JSON it reads: the copied fields in output order (the tenant id
    first, the payload last), the output's field names, the limits and every reason's text."""
    fields = rules.COPIED_FIELDS
    if fields[0] != TENANT_FIELD or fields[-1] != "payload":
        raise JobConfigurationError(f"enrich_record reads the tenant id first and the payload last: {fields}")
    return json.dumps(
        {
            "tenantIdPattern": rules.TENANT_ID_REGEX,
            "fields": list(fields),
            "tierField": TIER_FIELD,
            "receivedAtField": RECEIVED_AT_FIELD,
            "maxReceivedAt": MAX_RECEIVED_AT_MS,
            "timestampField": TIMESTAMP_FIELD,
            "rejectFields": list(rules.REJECT_FIELDS),
            "maxDepth": rules.MAX_NESTING_DEPTH,
            "maxRecordBytes": rules.MAX_RECORD_BYTES,
            "maxEnrichedBytes": rules.FIREHOSE_MAX_RECORD_BYTES,
            "maxRejectedChars": rules.MAX_REJECTED_RECORD_CHARS,
            "truncatedNote": rules.TRUNCATED_NOTE,
            "reasons": {name: getattr(rules, name) for name in REASON_NAMES},
        },
        separators=(",", ":"),
    )


def enrich_call(column: str = "line") -> str:
    """SQL: the function applied to `column`, with its rules as a literal."""
    return f"{FUNCTION}({column}, {quote(function_rules())})"


def view_statements(source_table: str) -> list[str]:
    """The function's declaration and CREATE VIEW statements, in order, ending with the view `routed`
    (reason, record, tenant, tier, size, received_at)."""
    return [
        function_statement(),
        f"CREATE TEMPORARY VIEW classified AS SELECT {enrich_call()} AS c FROM {source_table}",
        "CREATE TEMPORARY VIEW routed AS SELECT c.reason AS reason, c.record AS record, c.tenant AS tenant,"
        " c.tier AS tier, c.size AS size, c.received_at AS received_at FROM classified",
    ]


def enriched_insert(sink_table: str, view: str = "routed") -> str:
    return f"INSERT INTO {sink_table} SELECT record FROM {view} WHERE reason IS NULL"


def rejected_insert(sink_table: str, view: str = "routed") -> str:
    return f"INSERT INTO {sink_table} SELECT record FROM {view} WHERE reason IS NOT NULL"


def stream_index(streams: int) -> str:
    """SQL: the enriched record's delivery stream among `streams` (functions/contracts/delivery_routing.py),
    from the view's `tenant` column (the id the function decoded: the record is not read again).

    One GREATEST over the ranked scores (digest then index, as text), whose last digits are the winner:
    each SHA256 appears once, so the planner has nothing to copy."""
    ranked = [
        f"SHA256(CONCAT(tenant, {quote(f'{ROUTE_SEPARATOR}{stream}')})) || {quote(f'{stream:0{INDEX_DIGITS}d}')}"
        for stream in range(streams)
    ]
    return f"CAST(SUBSTRING(GREATEST({', '.join(ranked)}) FROM {DIGEST_CHARS + 1} FOR {INDEX_DIGITS}) AS INT)"


DELIVERED_VIEW = "delivered"


def delivered_view_statement(view: str, streams: int) -> str:
    """CREATE VIEW `delivered` (reason, record, delivery_stream) over `view` (reason, record, tenant): each
    enriched record's stream."""
    return f"""CREATE TEMPORARY VIEW {DELIVERED_VIEW} AS SELECT reason, record,
        CASE WHEN reason IS NULL THEN {stream_index(streams)} END AS delivery_stream
        FROM {view}"""


def routed_enriched_insert(sink_table: str, stream: int, view: str = DELIVERED_VIEW) -> str:
    return f"INSERT INTO {sink_table} SELECT record FROM {view} WHERE reason IS NULL AND delivery_stream = {stream}"
