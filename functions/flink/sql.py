"""The hot path in Flink SQL: built-in functions validate and rebuild each record on the JVM.

Each record is parsed once. The usual record, as the API's mapping template writes it (tenantId, tier,
requestId, receivedAt, payload in that order, nothing else, tenantId valid, payload an object,
shallow), is recognised on its text by one regular expression, `canonical_record_regex`; one
JSON_QUERY then validates it and prints its five fields in order, which with the timestamp appended
is the enriched record. Any other record takes the careful path: its nesting depth is checked on the
text first (deep records overflow the JVM's stack in any JSON function, which no ON ERROR catches),
repeated top-level fields are looked for on the text, and JSON_QUERY reads each field.

Views over a source table with one STRING column `line` (the raw record):
- `screened`: the record, its processing time `ts` (epoch ms) and its `shape`, from the text alone;
- `parsed`: the one parse (`fast_enriched`), and the careful path's field reads and duplicate check;
- `checked`: `reason` (NULL when the record is acceptable) and `enriched` (the output JSON);
- `routed`: the final reason (an enriched record too large for Firehose is rejected).
Every record ends in exactly one of the two INSERTs: `reason IS NULL` or `reason IS NOT NULL`.

Flink merges a view's projection into the next one, copying an expression into every place its
result is used, unless the next one uses a non-deterministic column of it twice
(FlinkRelUtil.isMergeable). `screened` reads the clock (`ts`) and `parsed` uses ts twice;
`fast_enriched` carries its own clock reading and `checked` uses it twice: so the regular
expressions of `screened` and the JSON functions of `parsed` run once per record.

Java's regex engine recurses for every repetition of a greedy group, so on a long string `(a|b)*`
overflows the stack too: every group repetition below is possessive (`*+`), which Java runs in a loop.
Flink looks a pattern up in its cache by the pattern's text on every call (hashing and comparing it),
so the patterns run on every record are kept short; the long ones (a level of the pattern per level
of nesting) run only behind a cheap test that the record may need them.
"""

from __future__ import annotations

from functions.contracts.delivery_routing import DIGEST_CHARS, INDEX_DIGITS, ROUTE_SEPARATOR
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

# --- The record's text, as Java regular expressions (all group repetitions possessive) ---
_WS = r"[ \t\n\r]*+"
_STRING = r'"[^"\\]*+(?:\\.[^"\\]*+)*+"'
_PLAIN = r'[^\[\]{}"]++'  # outside strings, anything but brackets and quotes
_OPEN, _CLOSE = r"[\[{]", r"[\]}]"
_TENANT_ID = rules.TENANT_ID_REGEX.removeprefix("^").removesuffix("$")


def nesting(levels: int, lenient: bool) -> str:
    """Regex: text in which brackets nest at most `levels` deep. Lenient (any text, as a parser's stack
    counts it): a lone quote is text, and the end of the text closes what is still open. Strict: only
    well-formed strings, every bracket closed."""
    close = rf"(?:{_CLOSE}|\z)" if lenient else _CLOSE
    atoms = f'{_PLAIN}|{_STRING}|"' if lenient else f"{_PLAIN}|{_STRING}"
    body = f"(?:{atoms})*+"
    for _ in range(levels):
        body = f"(?:{atoms}|{_OPEN}{body}{close})*+"
    return body


def depth_within_regex(limit: int) -> str:
    """Regex matching any text whose brackets nest at most `limit` deep (structure.nests_deeper_than)."""
    return rf'^(?:{_PLAIN}|{_STRING}|"|{_CLOSE}|{_OPEN}{nesting(limit - 1, lenient=True)}(?:{_CLOSE}|\z))*+\z'


# How deep a record may nest and still be recognised as the usual one (deeper ones take the careful
# path): each level is a level of the pattern, which Flink hashes on every call.
CANONICAL_DEPTH = 8


def canonical_record_regex() -> str:
    """Regex: the usual record. Its top-level keys are the copied fields, once each, in order; tenantId
    is a valid id without escapes, the other envelope fields are scalars, payload an object, and the
    record nests at most CANONICAL_DEPTH deep. (Whether it is JSON at all is the parser's call.)"""
    scalar = rf"(?:{_STRING}|[-+.0-9eE]++|true|false|null)"
    fields = [rf'"tenantId"{_WS}:{_WS}"{_TENANT_ID}"']
    fields += [rf'"{field}"{_WS}:{_WS}{scalar}' for field in rules.ENVELOPE_FIELDS[1:]]
    payload = rf'"payload"{_WS}:{_WS}\{{{nesting(CANONICAL_DEPTH - 2, lenient=False)}\}}'
    members = f"{_WS},{_WS}".join([*fields, payload])
    return rf"^{_WS}\{{{_WS}{members}{_WS}\}}{_WS}\z"


def _spelled(name: str) -> str:
    """Regex: a JSON key text decoding to `name` (a letter may also be written as a \\uXXXX escape)."""
    parts = []
    for char in name:
        code = "".join(f"[{d.lower()}{d.upper()}]" if d.isalpha() else d for d in f"{ord(char):04x}")
        parts.append(f"(?:{char}|\\\\u{code})")
    return "".join(parts)


def repeated_field_regex(field: str) -> str:
    """Regex: the top-level object has the key `field` twice (nested containers are skipped)."""
    key = f'"{_spelled(field)}"{_WS}:'
    other = (
        rf'{_PLAIN}|(?!{key})(?:{_STRING}|")|{_OPEN}{nesting(rules.MAX_NESTING_DEPTH - 1, lenient=True)}(?:{_CLOSE}|\z)'
    )
    return rf"^{_WS}\{{(?:{other})*+{key}(?:{other})*+{key}"


# What the text alone says about a record (`screened.shape`).
SHAPE_CANONICAL, SHAPE_TOO_LARGE, SHAPE_TOO_DEEP, SHAPE_OTHER = 0, 1, 2, 3


def more_brackets_than_regex(count: int) -> str:
    """Regex: the text has more than `count` opening brackets (nesting deeper than that needs them)."""
    return rf"^(?:[^\[{{]*+{_OPEN}){{{count + 1}}}"


def _shape() -> str:
    too_deep = f"""CASE WHEN REGEXP(line, {_quote(more_brackets_than_regex(rules.MAX_NESTING_DEPTH))})
        THEN NOT REGEXP(line, {_quote(depth_within_regex(rules.MAX_NESTING_DEPTH))}) ELSE FALSE END"""
    return f"""CASE
        WHEN {utf8_longer_than("line", rules.MAX_RECORD_BYTES)} THEN {SHAPE_TOO_LARGE}
        WHEN REGEXP(line, {_quote(canonical_record_regex())}) THEN {SHAPE_CANONICAL}
        WHEN {too_deep} THEN {SHAPE_TOO_DEEP}
        ELSE {SHAPE_OTHER} END"""


def _may_repeat(field: str) -> str:
    """SQL: could `field` be a key twice? Its quoted name is in the text twice, or the text has escapes
    (structure.py's test too)."""
    quoted = _quote(f'"{field}"')
    after_first = f"SUBSTRING(line FROM POSITION({quoted} IN line) + 1)"
    return f"(POSITION('\\u' IN line) > 0 OR POSITION({quoted} IN {after_first}) > 0)"


# The one parse of a canonical record: its five fields, in this order (JSON_QUERY keeps the path's).
_FIELDS_PATH = "$[" + ",".join(f"''{field}''" for field in rules.COPIED_FIELDS) + "]"


def _fast_enriched() -> str:
    """The enriched record of a canonical record: the printed fields with the timestamp appended
    (NULL when the record is not JSON after all)."""
    fields = f"JSON_QUERY(line, '{_FIELDS_PATH}')"
    return f"REGEXP_REPLACE({fields}, '\\}}\\z', ',\"timestamp\":' || CAST({EPOCH_MILLIS} AS STRING) || '}}')"


# A valid tenantId, as JSON_QUERY's wrapped form shows it: ["acme"] (a JSON string, not true or 1).
_TENANT_ID_WRAPPED = _quote('^\\["' + _TENANT_ID + '"\\]$')

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


_FIELD_COLUMNS = {field: f"{field.lower()}_json" for field in rules.COPIED_FIELDS}


def _careful(expr: str) -> str:
    return f"CASE WHEN shape = {SHAPE_OTHER} THEN {expr} END"


def _parsed_columns() -> str:
    """Every JSON function call and duplicate check, made once per record, and only on the path that
    needs it: a record too large or too deep is never parsed."""
    repeated = " ".join(
        f"WHEN CASE WHEN {_may_repeat(field)} THEN REGEXP(line, {_quote(repeated_field_regex(field))}) END THEN TRUE"
        for field in rules.COPIED_FIELDS
    )
    columns = [
        "line",
        "ts",
        "CAST(ts AS STRING) AS ts_text",
        "shape",
        f"CASE WHEN shape = {SHAPE_CANONICAL} THEN {_fast_enriched()} END AS fast_enriched",
        _careful("line IS JSON OBJECT") + " AS is_object",
        f"CASE WHEN shape = {SHAPE_OTHER} THEN CASE {repeated} ELSE FALSE END END AS repeated",
    ]
    columns += [f"{_careful(_wrapped(field))} AS {column}" for field, column in _FIELD_COLUMNS.items()]
    return ",\n            ".join(columns)


def _careful_reason() -> str:
    tenant, payload = _FIELD_COLUMNS["tenantId"], _FIELD_COLUMNS["payload"]
    return f"""CASE
        WHEN NOT is_object THEN {_quote(rules.NOT_JSON_OBJECT)}
        WHEN repeated THEN {_quote(rules.DUPLICATE_FIELD)}
        WHEN {_absent(tenant)} THEN {_quote(rules.MISSING_TENANT_ID)}
        WHEN NOT REGEXP({tenant}, {_TENANT_ID_WRAPPED}) THEN {_quote(rules.INVALID_TENANT_ID)}
        WHEN {_absent(payload)} THEN {_quote(rules.MISSING_PAYLOAD)}
        WHEN {payload} NOT LIKE '[{{%' THEN {_quote(rules.PAYLOAD_NOT_OBJECT)}
    END"""


def _reason() -> str:
    return f"""CASE shape
        WHEN {SHAPE_TOO_LARGE} THEN {_quote(rules.RECORD_TOO_LARGE)}
        WHEN {SHAPE_TOO_DEEP} THEN {_quote(rules.TOO_DEEP)}
        WHEN {SHAPE_CANONICAL} THEN CASE WHEN fast_enriched IS NULL THEN {_quote(rules.NOT_JSON_OBJECT)} END
        ELSE {_careful_reason()}
    END"""


def _careful_enriched() -> str:
    parts = [f"'\"{field}\":' || {_unwrapped(_FIELD_COLUMNS[field])}" for field in rules.COPIED_FIELDS]
    parts.append("'\"timestamp\":' || ts_text")
    return "'{' || " + " || ',' || ".join(parts) + " || '}'"


def view_statements(source_table: str) -> list[str]:
    """CREATE VIEW statements, in order, ending with the view `routed` (line, ts, enriched, reason)."""
    enriched_too_large = (
        f"CHAR_LENGTH(line) > {_ENRICHED_CHECK_FROM_CHARS}"
        f" AND {utf8_longer_than('enriched', rules.FIREHOSE_MAX_RECORD_BYTES)}"
    )
    return [
        f"CREATE TEMPORARY VIEW screened AS SELECT line, {EPOCH_MILLIS} AS ts, {_shape()} AS shape FROM {source_table}",
        f"CREATE TEMPORARY VIEW parsed AS SELECT {_parsed_columns()} FROM screened",
        f"""CREATE TEMPORARY VIEW checked AS SELECT line, ts, {_reason()} AS reason,
            CASE WHEN shape = {SHAPE_CANONICAL} THEN fast_enriched ELSE {_careful_enriched()} END AS enriched
            FROM parsed""",
        f"""CREATE TEMPORARY VIEW routed AS SELECT line, ts, enriched,
            CASE WHEN reason IS NULL AND {enriched_too_large} THEN {_quote(rules.ENRICHED_TOO_LARGE)}
                 ELSE reason END AS reason
            FROM checked""",
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


# The enriched record starts with its tenantId, a valid id (no escapes), whichever path built it:
# JSON_QUERY prints the fields in the path's order, the careful path and the UDF put it first.
_ENRICHED_TENANT = _quote('^\\{"tenantId":"([^"]++)"')


def stream_index(streams: int) -> str:
    """SQL: the enriched record's delivery stream among `streams` (functions/contracts/delivery_routing.py).

    One GREATEST over the ranked scores (digest then index, as text), whose last digits are the winner:
    each SHA256 appears once, so the planner has nothing to copy."""
    tenant = f"REGEXP_EXTRACT(enriched, {_ENRICHED_TENANT}, 1)"
    ranked = [
        f"SHA256(CONCAT({tenant}, {_quote(f'{ROUTE_SEPARATOR}{stream}')})) || {_quote(f'{stream:0{INDEX_DIGITS}d}')}"
        for stream in range(streams)
    ]
    return f"CAST(SUBSTRING(GREATEST({', '.join(ranked)}) FROM {DIGEST_CHARS + 1} FOR {INDEX_DIGITS}) AS INT)"


DELIVERED_VIEW = "delivered"


def delivered_view_statement(view: str, streams: int) -> str:
    """CREATE VIEW `delivered` (line, ts, enriched, reason, delivery_stream) over `view`: each enriched
    record's stream."""
    return f"""CREATE TEMPORARY VIEW {DELIVERED_VIEW} AS SELECT line, ts, enriched, reason,
        CASE WHEN reason IS NULL THEN {stream_index(streams)} END AS delivery_stream
        FROM {view}"""


def routed_enriched_insert(sink_table: str, stream: int, view: str = DELIVERED_VIEW) -> str:
    return f"INSERT INTO {sink_table} SELECT enriched FROM {view} WHERE reason IS NULL AND delivery_stream = {stream}"
