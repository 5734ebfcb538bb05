"""The same checks as sql.py's Java function, in a Python UDF: the path bench/flink.py compares the SQL
path with.

Each record crosses from the JVM to a Python worker and back, which is why the job runs sql.py.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

from pyflink.common import Row
from pyflink.table import DataTypes, TableEnvironment
from pyflink.table.udf import udf

from functions.flink import rules
from functions.flink.attribution import attribute
from functions.flink.sql import quote
from functions.flink.structure import loads, loads_with_top_level_keys, nests_deeper_than

_TENANT_ID = re.compile(rules.TENANT_ID_REGEX)
_QUOTED_FIELDS = [f'"{field}"' for field in rules.COPIED_FIELDS]


def _may_repeat_a_field(line: str) -> bool:
    """Cheap: could a copied field be a key twice? (Twice in the text, or written with escapes.)"""
    return "\\u" in line or any(line.count(quoted) > 1 for quoted in _QUOTED_FIELDS)


def classify(line: str, now_ms: int) -> tuple[str | None, str | None, str | None]:
    """(reason, None, None) for a record to reject, (None, enriched JSON, its tenant id) for a good one."""
    if len(line.encode("utf-8")) > rules.MAX_RECORD_BYTES:
        return rules.RECORD_TOO_LARGE, None, None
    if nests_deeper_than(line, rules.MAX_NESTING_DEPTH):
        return rules.TOO_DEEP, None, None
    may_repeat = _may_repeat_a_field(line)
    try:
        record, keys = loads_with_top_level_keys(line) if may_repeat else (loads(line), [])
    except ValueError:
        return rules.NOT_JSON_OBJECT, None, None
    if not isinstance(record, dict):
        return rules.NOT_JSON_OBJECT, None, None
    if any(keys.count(field) > 1 for field in rules.COPIED_FIELDS):
        return rules.DUPLICATE_FIELD, None, None
    tenant_id = record.get("tenantId")
    if tenant_id is None:
        return rules.MISSING_TENANT_ID, None, None
    if not isinstance(tenant_id, str) or not _TENANT_ID.fullmatch(tenant_id):
        return rules.INVALID_TENANT_ID, None, None
    payload = record.get("payload")
    if payload is None:
        return rules.MISSING_PAYLOAD, None, None
    if not isinstance(payload, dict):
        return rules.PAYLOAD_NOT_OBJECT, None, None
    enriched = {field: record.get(field) for field in rules.ENVELOPE_FIELDS}
    enriched["payload"] = payload
    enriched["timestamp"] = now_ms
    text = json.dumps(enriched, ensure_ascii=False, separators=(",", ":"))
    if len(text.encode("utf-8")) > rules.FIREHOSE_MAX_RECORD_BYTES:
        return rules.ENRICHED_TOO_LARGE, None, None
    return None, text, tenant_id


def _classify_now(line: str) -> Row:
    now_ms = time.time_ns() // 1_000_000
    reason, enriched, tenant = classify(line, now_ms)
    received_at = None
    if reason is not None and reason not in (rules.RECORD_TOO_LARGE, rules.TOO_DEEP):  # a reject's tenant, if any
        attributed = attribute(line)
        tenant, received_at = (attributed.tenant, attributed.received_at) if attributed else (None, None)
    return Row(reason, enriched, now_ms, tenant, received_at)


classify_record: Any = udf(
    _classify_now,
    result_type=DataTypes.ROW(
        [
            DataTypes.FIELD("reason", DataTypes.STRING()),
            DataTypes.FIELD("enriched", DataTypes.STRING()),
            DataTypes.FIELD("ts", DataTypes.BIGINT()),
            DataTypes.FIELD("tenant", DataTypes.STRING()),
            DataTypes.FIELD("received_at", DataTypes.BIGINT()),
        ]
    ),
    deterministic=False,  # reads the clock; also keeps the planner from calling it once per field
)


def _rejected_record() -> str:
    """SQL: the rejected record (rules.REJECT_FIELDS) of a row (line, ts, reason, tenant, received_at), the raw
    record cut when too long to forward. (The SQL path's Java function prints the same document.)"""
    cut = rules.MAX_REJECTED_RECORD_CHARS
    reason, record, timestamp, tenant, received_at = (quote(name) for name in rules.REJECT_FIELDS)
    return f"""JSON_OBJECT(
            KEY {reason} VALUE CASE WHEN CHAR_LENGTH(line) > {cut} THEN reason || {quote(rules.TRUNCATED_NOTE)}
                                     ELSE reason END,
            KEY {record} VALUE CASE WHEN CHAR_LENGTH(line) > {cut} THEN SUBSTRING(line FROM 1 FOR {cut}) ELSE line END,
            KEY {timestamp} VALUE ts,
            KEY {tenant} VALUE tenant,
            KEY {received_at} VALUE received_at)"""


def declare_views(t_env: TableEnvironment, source_table: str) -> str:
    """Create the view `routed_udf` (reason, record, tenant) over `source_table`, as sql.py's `routed`;
    return its name."""
    # The Python workers run this interpreter and import this package from the repository root.
    t_env.get_config().set("python.executable", sys.executable)
    t_env.add_python_file(str(Path(__file__).resolve().parent.parent))
    t_env.create_temporary_function("classify_record", classify_record)
    t_env.execute_sql(
        f"""CREATE TEMPORARY VIEW classified_udf AS
            SELECT line, c.ts AS ts, c.enriched AS enriched, c.reason AS reason, c.tenant AS tenant,
                c.received_at AS received_at
            FROM (SELECT line, classify_record(line) AS c FROM {source_table})"""
    )
    t_env.execute_sql(
        f"""CREATE TEMPORARY VIEW routed_udf AS
            SELECT reason, CASE WHEN reason IS NULL THEN enriched ELSE {_rejected_record()} END AS record, tenant
            FROM classified_udf"""
    )
    return "routed_udf"
