"""The hot path in Flink SQL: built-in JSON functions validate and rebuild each record on the JVM.

Views over a source table with one STRING column `line` (the raw record):
- `parsed`: the record, its processing time `ts` (epoch ms), and every JSON function result, once;
- `checked`: plus `reason`, NULL when the record is acceptable, else why it is not;
- `enriched_view`: plus `enriched` (the output JSON);
- `routed`: the final reason (an enriched record too large for Firehose is rejected).
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


# Epoch milliseconds of the processing time, in UTC (the table environment's zone is set to UTC).
_NOW = "CAST(CURRENT_TIMESTAMP AS TIMESTAMP(3))"
EPOCH_MILLIS = (
    f"(CAST(TIMESTAMPDIFF(MINUTE, TIMESTAMP '1970-01-01 00:00:00', {_NOW}) AS BIGINT) * 60000"
    f" + CAST(EXTRACT(SECOND FROM {_NOW}) AS BIGINT) * 1000"
    f" + MOD(CAST(EXTRACT(MILLISECOND FROM {_NOW}) AS BIGINT), 1000))"
)

# A valid tenantId, as JSON_QUERY's wrapped form shows it: ["acme"] (a JSON string, not true or 1).
_TENANT_ID_WRAPPED = _quote('^\\["' + rules.TENANT_ID_REGEX.removeprefix("^").removesuffix("$") + '"\\]$')

# The enriched record can only outgrow Firehose's limit when the raw record is large: re-printing
# grows JSON at most ~3x (Jackson prints 1e6 as 1000000.0) and a character is at most 4 bytes, so
# below this many characters the exact measurement is skipped.
_ENRICHED_CHECK_FROM_CHARS = rules.FIREHOSE_MAX_RECORD_BYTES // 16


def _wrapped(field: str) -> str:
    """JSON_QUERY with the unconditional array wrapper returns scalars too, as `[value]`: NULL when the
    field is absent (or the record is not JSON), `[null]` when it is null."""
    return f"JSON_QUERY(line, '$.{field}' WITH UNCONDITIONAL ARRAY WRAPPER)"


def _unwrapped(column: str) -> str:
    """The JSON text of a wrapped value ('null' when absent)."""
    return f"COALESCE(SUBSTRING({column} FROM 2 FOR CHAR_LENGTH({column}) - 2), 'null')"


def _absent(column: str) -> str:
    return f"({column} IS NULL OR {column} = '[null]')"


_FIELD_COLUMNS = {field: f"{field.lower()}_json" for field in (*rules.ENVELOPE_FIELDS, "payload")}


def _parsed_columns() -> str:
    """Every JSON function call of the path, made once per record. The planner inlines a view's
    columns into the next projection (so a column used three times is computed three times), but not
    a projection computing a non-deterministic value (`ts`) that the next one uses twice: `checked`
    uses ts twice, which keeps these calls computed here, once."""
    columns = [
        "line",
        f"{EPOCH_MILLIS} AS ts",
        f"{utf8_longer_than('line', rules.MAX_RECORD_BYTES)} AS too_large",
        "line IS JSON OBJECT AS is_object",
    ]
    columns += [f"{_wrapped(field)} AS {column}" for field, column in _FIELD_COLUMNS.items()]
    return ", ".join(columns)


def _reason() -> str:
    tenant, payload = _FIELD_COLUMNS["tenantId"], _FIELD_COLUMNS["payload"]
    return f"""CASE
        WHEN too_large THEN {_quote(rules.RECORD_TOO_LARGE)}
        WHEN NOT is_object THEN {_quote(rules.NOT_JSON_OBJECT)}
        WHEN {_absent(tenant)} THEN {_quote(rules.MISSING_TENANT_ID)}
        WHEN NOT REGEXP({tenant}, {_TENANT_ID_WRAPPED}) THEN {_quote(rules.INVALID_TENANT_ID)}
        WHEN {_absent(payload)} THEN {_quote(rules.MISSING_PAYLOAD)}
        WHEN {payload} NOT LIKE '[{{%' THEN {_quote(rules.PAYLOAD_NOT_OBJECT)}
    END"""


def _enriched() -> str:
    fields = [*rules.ENVELOPE_FIELDS, "payload"]
    parts = [f"'\"{field}\":' || {_unwrapped(_FIELD_COLUMNS[field])}" for field in fields]
    parts.append("'\"timestamp\":' || ts_text")
    return "'{' || " + " || ',' || ".join(parts) + " || '}'"


def view_statements(source_table: str) -> list[str]:
    """CREATE VIEW statements, in order, ending with the view `routed` (line, ts, enriched, reason)."""
    enriched_too_large = (
        f"CHAR_LENGTH(line) > {_ENRICHED_CHECK_FROM_CHARS}"
        f" AND {utf8_longer_than('enriched', rules.FIREHOSE_MAX_RECORD_BYTES)}"
    )
    return [
        f"CREATE TEMPORARY VIEW parsed AS SELECT {_parsed_columns()} FROM {source_table}",
        f"""CREATE TEMPORARY VIEW checked AS SELECT line, ts, CAST(ts AS STRING) AS ts_text,
            {", ".join(_FIELD_COLUMNS.values())}, {_reason()} AS reason FROM parsed""",
        f"""CREATE TEMPORARY VIEW enriched_view AS SELECT line, ts, reason,
            CASE WHEN reason IS NULL THEN {_enriched()} END AS enriched FROM checked""",
        f"""CREATE TEMPORARY VIEW routed AS SELECT line, ts, enriched,
            CASE WHEN reason IS NULL AND {enriched_too_large} THEN {_quote(rules.ENRICHED_TOO_LARGE)}
                 ELSE reason END AS reason
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
