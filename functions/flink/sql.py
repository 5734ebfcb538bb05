"""The hot path in Flink SQL: one Java function call per record, from the job's own jar.

`enrich_record` (functions/flink/connectors/src/main/java/tenantpipeline/flink/EnrichRecord.java)
parses each record once with Jackson's streaming parser (the one Flink ships), after checking its
size and its nesting depth on the bytes (deep records overflow any recursive parser's stack, which no
ON ERROR catches), and returns the enriched record or the code of the reason to reject it. Every rule
it applies is passed from here as literals (rules.py, the contracts): nothing is written twice. The
reason codes are positions in REASONS, which is also the order in which the checks decide.

Views over a source table with one STRING column `line` (the raw record):
- `classified`: the record and the function's result `c` (code, enriched, ts);
- `routed`: line, ts, enriched, reason (NULL when the record is acceptable).
Every record ends in exactly one of the two INSERTs: `reason IS NULL` or `reason IS NOT NULL`.

The function is non-deterministic (it reads the clock), and `routed` uses its result three times, so
the planner keeps one call per record instead of copying it into each use (FlinkRelUtil.isMergeable).
"""

from __future__ import annotations

from functions.contracts.kinesis_record import TIMESTAMP_FIELD
from functions.flink import rules
from functions.flink.errors import JobConfigurationError

FUNCTION = "enrich_record"
JAVA_CLASS = "tenantpipeline.flink.EnrichRecord"

# The reasons, in the order the function checks them; its codes are positions here, from 1.
REASONS = (
    rules.RECORD_TOO_LARGE,
    rules.TOO_DEEP,
    rules.NOT_JSON_OBJECT,
    rules.DUPLICATE_FIELD,
    rules.MISSING_TENANT_ID,
    rules.INVALID_TENANT_ID,
    rules.MISSING_PAYLOAD,
    rules.PAYLOAD_NOT_OBJECT,
    rules.ENRICHED_TOO_LARGE,
)


def _quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def function_statement() -> str:
    """Declare the Java function (the class is in the jar the job ships: pipeline.jars, or the
    application's jar on Managed Service for Apache Flink)."""
    return f"CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS {FUNCTION} AS {_quote(JAVA_CLASS)} LANGUAGE JAVA"


def enrich_call(column: str = "line") -> str:
    """SQL: the function applied to `column`, with every rule as a literal argument. The copied fields
    go in output order: the tenant id first, the payload last."""
    fields = rules.COPIED_FIELDS
    if fields[0] != "tenantId" or fields[-1] != "payload":
        raise JobConfigurationError(f"enrich_record reads the tenant id first and the payload last: {fields}")
    arguments = [
        column,
        _quote(rules.TENANT_ID_REGEX),
        _quote(",".join(fields)),
        _quote(TIMESTAMP_FIELD),
        str(rules.MAX_NESTING_DEPTH),
        str(rules.MAX_RECORD_BYTES),
        str(rules.FIREHOSE_MAX_RECORD_BYTES),
    ]
    return f"{FUNCTION}({', '.join(arguments)})"


def _reason(code: str) -> str:
    cases = " ".join(f"WHEN {index} THEN {_quote(reason)}" for index, reason in enumerate(REASONS, start=1))
    return f"CASE {code} {cases} END"


def view_statements(source_table: str) -> list[str]:
    """The function's declaration and CREATE VIEW statements, in order, ending with the view `routed`
    (line, ts, enriched, reason)."""
    return [
        function_statement(),
        f"CREATE TEMPORARY VIEW classified AS SELECT line, {enrich_call()} AS c FROM {source_table}",
        f"""CREATE TEMPORARY VIEW routed AS SELECT line, c.ts AS ts, c.enriched AS enriched,
            {_reason("c.code")} AS reason
            FROM classified""",
    ]


def enriched_insert(sink_table: str, view: str = "routed") -> str:
    return f"INSERT INTO {sink_table} SELECT enriched FROM {view} WHERE reason IS NULL"


def rejected_insert(sink_table: str, view: str = "routed") -> str:
    """The rejected record: reason, the raw record (cut when too long to forward), timestamp."""
    cut = rules.MAX_REJECTED_RECORD_CHARS
    return f"""INSERT INTO {sink_table} SELECT JSON_OBJECT(
            KEY 'reason' VALUE CASE WHEN CHAR_LENGTH(line) > {cut} THEN reason || {_quote(rules.TRUNCATED_NOTE)}
                                     ELSE reason END,
            KEY 'record' VALUE CASE WHEN CHAR_LENGTH(line) > {cut} THEN SUBSTRING(line FROM 1 FOR {cut}) ELSE line END,
            KEY 'timestamp' VALUE ts)
        FROM {view} WHERE reason IS NOT NULL"""
