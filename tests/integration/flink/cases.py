"""Input records for the job's tests, each with what the job must do with it."""

from __future__ import annotations

import json
from dataclasses import dataclass

from functions.flink import rules


@dataclass(frozen=True)
class Case:
    name: str
    line: str
    reason: str | None  # None: must come out enriched


def envelope(request_id: str, payload: object = None, **overrides: object) -> dict[str, object]:
    record: dict[str, object] = {
        "tenantId": "acme",
        "tier": "premium",
        "requestId": request_id,
        "receivedAt": 1763800000000,
        "payload": {"order": 7} if payload is None else payload,
    }
    record.update(overrides)
    return record


def _line(record: dict[str, object], **dump: bool) -> str:
    return json.dumps(record, **dump)  # type: ignore[arg-type]


def _without(record: dict[str, object], key: str) -> dict[str, object]:
    return {k: v for k, v in record.items() if k != key}


# Just under Kinesis' 1 MiB: passes the record size check, but its enriched form tops Firehose's 1,000 KiB.
_NEAR_MIB = "x" * (rules.MAX_RECORD_BYTES - 200)


def nested(depth: int, leaf: str = "1", array: bool = False) -> str:
    """JSON text of `depth` nested objects ({"a":{"a":...}}) or arrays ([[...]])."""
    if array:
        return "[" * depth + leaf + "]" * depth
    return '{"a":' * depth + leaf + "}" * depth


def with_payload(request_id: str, payload_json: str) -> str:
    """A record whose payload is given as JSON text (the record's braces and the payload's add 1 + depth)."""
    envelope_json = f'"tenantId": "acme", "tier": "basic", "requestId": "{request_id}", "receivedAt": 1'
    return f'{{{envelope_json}, "payload": {payload_json}}}'


_MANY_SIBLINGS = "[" + ",".join(['{"a": [1]}'] * 300) + "]"

# Hardening (issue 13): nesting beyond rules.MAX_NESTING_DEPTH is refused before any parse (deep
# enough records overflow the parsers' stacks), and a repeated top-level field is refused.
DEPTH_AND_DUPLICATE_CASES: list[Case] = [
    Case("payload nested to the limit", with_payload("deep-1", nested(rules.MAX_NESTING_DEPTH - 1)), None),
    Case("one level past the limit", with_payload("deep-2", nested(rules.MAX_NESTING_DEPTH)), rules.TOO_DEEP),
    Case("2,000 nested objects", with_payload("deep-3", nested(2000)), rules.TOO_DEEP),
    Case("3,000 nested arrays", with_payload("deep-4", f'{{"a": {nested(3000, array=True)}}}'), rules.TOO_DEEP),
    Case("5,000 arrays never closed", with_payload("deep-5", "[" * 5000), rules.TOO_DEEP),
    Case("120 nested objects, jq 1.6 cannot read them", with_payload("deep-6", nested(120)), rules.TOO_DEEP),
    Case("brackets inside strings are not nesting", with_payload("deep-7", json.dumps({"s": "[{" * 3000})), None),
    Case("many shallow siblings", with_payload("deep-8", f'{{"items": {_MANY_SIBLINGS}}}'), None),
    Case(
        "many shallow siblings, cut short",
        with_payload("deep-9", f'{{"items": {_MANY_SIBLINGS}}}')[:-40],
        rules.NOT_JSON_OBJECT,
    ),
    Case(
        "tenantId twice",
        '{"tenantId": "acme", "tier": "basic", "payload": {}, "tenantId": "globex"}',
        rules.DUPLICATE_FIELD,
    ),
    Case(
        "tenantId twice, once spelled with escapes",
        '{"tenantId": "acme", "payload": {}, "tenant\\u0049d": "globex"}',
        rules.DUPLICATE_FIELD,
    ),
    Case("payload twice", '{"tenantId": "acme", "payload": {"a": 1}, "payload": {"b": 2}}', rules.DUPLICATE_FIELD),
    Case(
        "requestId twice",
        '{"tenantId": "acme", "requestId": "a", "requestId": "b", "payload": {}}',
        rules.DUPLICATE_FIELD,
    ),
    Case(
        "duplicate keys inside the payload are data",
        '{"tenantId": "acme", "requestId": "dup-1", "payload": {"tenantId": "x", "tenantId": "y"}}',
        None,
    ),
    Case(
        "tenantId inside another top-level field is data",
        '{"meta": {"tenantId": "x"}, "tenantId": "acme", "requestId": "dup-2", "payload": {}}',
        None,
    ),
    Case(
        "fields in another order",
        _line({"payload": {"k": [1]}, "receivedAt": 5, "requestId": "order-1", "tenantId": "acme"}),
        None,
    ),
    Case(
        "extra top-level field, tabs",
        '{\t"tenantId":"acme",\t"requestId":"order-2","x":[{}],"payload":{"y":null}}',
        None,
    ),
    Case("unbalanced arrays", "[" * 50 + "]" * 49, rules.NOT_JSON_OBJECT),
]

# JSON is the whole line: both paths refuse what follows the object, and a byte order mark.
STRICT_JSON_CASES: list[Case] = [
    Case("trailing text after the object", '{"tenantId": "acme", "payload": {}} x', rules.NOT_JSON_OBJECT),
    Case(
        "a second object after the first",
        '{"tenantId": "acme", "payload": {}}{"tenantId": "globex", "payload": {}}',
        rules.NOT_JSON_OBJECT,
    ),
    Case("byte order mark", '\ufeff{"tenantId": "acme", "payload": {}}', rules.NOT_JSON_OBJECT),
    Case("trailing whitespace is fine", '{"tenantId": "trail", "payload": {}} \t', None),
    Case(
        "every kind of value, nested, escaped",
        '{"tenantId":"acme","requestId":"kinds-1","payload":{"a":[{"b":[1,{"c":[]},[[],{}]]},{},[-0.5e-3]],'
        '"s":"q\\"\\\\\\u00e9\\n\\ud83d\\ude00/","t":true,"f":false,"n":null,"i":-12,"big":123456789012345678901234567890,'
        '"e\\u0073c":{"":""}},"tier":{"x":[1]}}',
        None,
    ),
]

CASES: list[Case] = [
    Case("good", _line(envelope("good-1")), None),
    Case(
        "good nested payload, tenantId in payload is data",
        _line(envelope("good-2", {"tenantId": "globex", "items": [1, {"a": None}], "note": 'quote " é ✓'})),
        None,
    ),
    Case("good non-ascii kept", _line(envelope("good-3", {"name": "Zoë 東京"}), ensure_ascii=False), None),
    Case("good basic tier, hyphen id", _line(envelope("good-4", tenantId="acme-corp-2", tier="basic")), None),
    Case("good, 900 kB payload", _line(envelope("good-5", {"blob": "y" * 900_000})), None),
    Case(
        "good, 300k two-byte characters", _line(envelope("good-6", {"blob": "é" * 300_000}), ensure_ascii=False), None
    ),
    Case("good without optional envelope fields", _line({"tenantId": "solo", "payload": {}}), None),
    Case("not json", "this is not json", rules.NOT_JSON_OBJECT),
    Case("empty line", "", rules.NOT_JSON_OBJECT),
    Case("truncated json", _line(envelope("bad-1"))[:-5], rules.NOT_JSON_OBJECT),
    Case("json array", "[1, 2, 3]", rules.NOT_JSON_OBJECT),
    Case("json string", '"acme"', rules.NOT_JSON_OBJECT),
    Case("missing tenantId", _line(_without(envelope("bad-2"), "tenantId")), rules.MISSING_TENANT_ID),
    Case("uppercase tenantId", _line(envelope("bad-3", tenantId="Acme")), rules.INVALID_TENANT_ID),
    Case("tenantId too long", _line(envelope("bad-4", tenantId="a" * 33)), rules.INVALID_TENANT_ID),
    Case("tenantId starts with digit", _line(envelope("bad-5", tenantId="1acme")), rules.INVALID_TENANT_ID),
    Case("tenantId not a string", _line(envelope("bad-6", tenantId=True)), rules.INVALID_TENANT_ID),
    Case("tenantId null counts as missing", _line(envelope("bad-7", tenantId=None)), rules.MISSING_TENANT_ID),
    Case("tenantId empty", _line(envelope("bad-8", tenantId="")), rules.INVALID_TENANT_ID),
    Case("missing payload", _line(_without(envelope("bad-9"), "payload")), rules.MISSING_PAYLOAD),
    Case("payload array", _line(envelope("bad-10", [1, 2])), rules.PAYLOAD_NOT_OBJECT),
    Case("payload string", _line(envelope("bad-11", "text")), rules.PAYLOAD_NOT_OBJECT),
    Case("payload null counts as missing", _line({**envelope("bad-12"), "payload": None}), rules.MISSING_PAYLOAD),
    Case(
        "over 1 MiB of ascii",
        _line(envelope("big-1", {"blob": "x" * rules.MAX_RECORD_BYTES})),
        rules.RECORD_TOO_LARGE + rules.TRUNCATED_NOTE,
    ),
    Case(
        "under 1 MiB of characters, over 1 MiB of UTF-8",
        _line(envelope("big-2", {"blob": "€" * 400_000}), ensure_ascii=False),
        rules.RECORD_TOO_LARGE + rules.TRUNCATED_NOTE,
    ),
    Case(
        "fits Kinesis, enriched tops Firehose",
        _line(envelope("big-3", {"blob": _NEAR_MIB})),
        rules.ENRICHED_TOO_LARGE + rules.TRUNCATED_NOTE,
    ),
    Case("not json, long but kept whole", "<" * 99_000, rules.NOT_JSON_OBJECT),
    *DEPTH_AND_DUPLICATE_CASES,
    *STRICT_JSON_CASES,
]
