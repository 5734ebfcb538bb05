"""Which tenant a rejected record counts for (metering), as data both job paths share: the rule of the Java
function's attribution (EnrichRecord.java), which the rejected record carries as `tenantId` and `receivedAt`.

A reject is attributed when its record is within the size and depth limits (a record past them is never read),
is one JSON object, and names a valid tenant id once at its top level: its tenant, the tier when that is a string
given once, and the first receivedAt when that is an event time (functions/flink/metering.py: an integer from 1
to MAX_RECEIVED_AT_MS; the source's event-time column reads the same first occurrence). Anything else: None.
A record that is not JSON, or names no tenant or two, counts against no tenant: it did not come through the API.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from functions.contracts.kinesis_record import MAX_RECEIVED_AT_MS, RECEIVED_AT_FIELD, TENANT_FIELD, TIER_FIELD
from functions.contracts.tenant_id import is_tenant_id
from functions.flink import rules
from functions.flink.structure import nests_deeper_than


@dataclass(frozen=True)
class Attribution:
    tenant: str
    tier: str | None
    received_at: int | None  # epoch ms; None: the record is not metered


def event_time(value: Any) -> int | None:
    """A receivedAt value as an event time, or None (an integer in 1..MAX_RECEIVED_AT_MS)."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_RECEIVED_AT_MS:
        return value
    return None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"not JSON: {name}")


def attribute(line: str) -> Attribution | None:
    if len(line.encode("utf-8")) > rules.MAX_RECORD_BYTES or nests_deeper_than(line, rules.MAX_NESTING_DEPTH):
        return None
    pairs: list[list[tuple[str, Any]]] = [[]]

    def keep(found: list[tuple[str, Any]]) -> dict[str, Any]:
        pairs[0] = found  # the hook sees every object, innermost first: the last is the top level
        return dict(found)

    try:
        record = json.loads(line, object_pairs_hook=keep, parse_constant=_reject_constant)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    top = pairs[0]

    def given(field: str) -> list[Any]:
        return [value for key, value in top if key == field]

    tenants, tiers, received = given(TENANT_FIELD), given(TIER_FIELD), given(RECEIVED_AT_FIELD)
    if len(tenants) != 1 or not isinstance(tenants[0], str) or not is_tenant_id(tenants[0]):
        return None
    tier = tiers[0] if len(tiers) == 1 and isinstance(tiers[0], str) else None
    return Attribution(tenants[0], tier, event_time(received[0]) if received else None)
