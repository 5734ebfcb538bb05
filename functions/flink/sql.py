"""The hot path in Flink SQL: built-in JSON functions validate and rebuild each record on the JVM.

Three views over a source table with one STRING column `line` (the raw record):
- `stamped`: the record and its processing time in epoch milliseconds;
- `checked`: plus `reason`, NULL when the record is acceptable, else why it is not;
- `routed`: plus `enriched` (the output JSON) and the final reason.
Every record ends in exactly one of the two INSERTs: `reason IS NULL` or `reason IS NOT NULL`.
"""

from __future__ import annotations

from functions.flink import rules


def _quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def utf8_longer_than(expr: str, limit: int) -> str:
    """SQL: is `expr` more than `limit` bytes in UTF-8? A code point takes 1 to 4 bytes, so only strings
    between limit/4 and limit code points need counting; TO_BASE64 encodes the UTF-8 bytes."""
    b64 = f"TO_BASE64({expr})"
    padding = f"(CASE WHEN {b64} LIKE '%==' THEN 2 WHEN {b64} LIKE '%=' THEN 1 ELSE 0 END)"
    exact = f"(CHAR_LENGTH({b64}) / 4 * 3 - {padding}) > {limit}"
    return f"(CHAR_LENGTH({expr}) > {limit} OR (CHAR_LENGTH({expr}) > {limit // 4} AND {exact}))"


def _json_of(path: str) -> str:
    """SQL: the JSON text of the value at `path` of `line` ('null' when absent). The unconditional
    array wrapper makes JSON_QUERY return scalars too, as `[value]`; the brackets are cut off."""
    wrapped = f"JSON_QUERY(line, '{path}' WITH UNCONDITIONAL ARRAY WRAPPER)"
    return f"COALESCE(SUBSTRING({wrapped} FROM 2 FOR CHAR_LENGTH({wrapped}) - 2), 'null')"


# Epoch milliseconds of the processing time, in UTC (the table environment's zone is set to UTC).
_NOW = "CAST(CURRENT_TIMESTAMP AS TIMESTAMP(3))"
EPOCH_MILLIS = (
    f"(CAST(TIMESTAMPDIFF(MINUTE, TIMESTAMP '1970-01-01 00:00:00', {_NOW}) AS BIGINT) * 60000"
    f" + CAST(EXTRACT(SECOND FROM {_NOW}) AS BIGINT) * 1000"
    f" + MOD(CAST(EXTRACT(MILLISECOND FROM {_NOW}) AS BIGINT), 1000))"
)

# A valid tenantId, as JSON_QUERY's wrapped form shows it: ["acme"] (a JSON string, not true or 1).
_TENANT_ID_WRAPPED = _quote('^\\["' + rules.TENANT_ID_REGEX.removeprefix("^").removesuffix("$") + '"\\]$')


def _reason() -> str:
    tenant = "JSON_QUERY(line, '$.tenantId' WITH UNCONDITIONAL ARRAY WRAPPER)"
    return f"""CASE
        WHEN {utf8_longer_than("line", rules.MAX_RECORD_BYTES)} THEN {_quote(rules.RECORD_TOO_LARGE)}
        WHEN NOT (line IS JSON OBJECT) THEN {_quote(rules.NOT_JSON_OBJECT)}
        WHEN NOT JSON_EXISTS(line, '$.tenantId') THEN {_quote(rules.MISSING_TENANT_ID)}
        WHEN NOT REGEXP(COALESCE({tenant}, ''), {_TENANT_ID_WRAPPED}) THEN {_quote(rules.INVALID_TENANT_ID)}
        WHEN NOT JSON_EXISTS(line, '$.payload') THEN {_quote(rules.MISSING_PAYLOAD)}
        WHEN NOT (JSON_QUERY(line, '$.payload') IS JSON OBJECT) THEN {_quote(rules.PAYLOAD_NOT_OBJECT)}
    END"""


def _enriched() -> str:
    parts = [f"'\"{field}\":' || {_json_of('$.' + field)}" for field in rules.ENVELOPE_FIELDS]
    parts.append("'\"payload\":' || JSON_QUERY(line, '$.payload')")
    parts.append("'\"timestamp\":' || CAST(ts AS STRING)")
    return "'{' || " + " || ',' || ".join(parts) + " || '}'"


def view_statements(source_table: str) -> list[str]:
    """CREATE VIEW statements, in order, ending with the view `routed`."""
    return [
        f"CREATE TEMPORARY VIEW stamped AS SELECT line, {EPOCH_MILLIS} AS ts FROM {source_table}",
        f"CREATE TEMPORARY VIEW checked AS SELECT line, ts, {_reason()} AS reason FROM stamped",
        f"""CREATE TEMPORARY VIEW enriched_view AS SELECT line, ts, reason,
            CASE WHEN reason IS NULL THEN {_enriched()} END AS enriched FROM checked""",
        f"""CREATE TEMPORARY VIEW routed AS SELECT line, ts, enriched,
            CASE WHEN reason IS NULL AND {utf8_longer_than("enriched", rules.FIREHOSE_MAX_RECORD_BYTES)}
                 THEN {_quote(rules.ENRICHED_TOO_LARGE)} ELSE reason END AS reason
            FROM enriched_view""",
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
