"""The SQL path's regular expressions, run by the JVM's own regex engine, agree with structure.py and
never overflow the stack (a StackOverflowError would fail the job for every tenant)."""

from __future__ import annotations

import random

import pytest

from functions.flink import rules, sql
from functions.flink.structure import nests_deeper_than
from tests.integration.flink.cases import CASES

pytestmark = pytest.mark.flink


def java_find(regex: str, text: str) -> bool:
    from pyflink.java_gateway import get_gateway

    return bool(get_gateway().jvm.java.util.regex.Pattern.compile(regex).matcher(text).find())


def random_text(rng: random.Random) -> str:
    return "".join(rng.choice('[]{}"\\:, a1') for _ in range(rng.randint(0, 400)))


def test_depth_regex_agrees_with_the_python_count() -> None:
    rng = random.Random(13)
    texts = [case.line for case in CASES] + [random_text(rng) for _ in range(300)]
    texts += ["[" * depth + "]" * depth for depth in (99, 100, 101)] + ["{" * depth for depth in (100, 101)]
    for limit in (3, rules.MAX_NESTING_DEPTH):
        regex = sql.depth_within_regex(limit)
        for text in texts:
            assert java_find(regex, text) is not nests_deeper_than(text, limit), (limit, text[:200])


ADVERSARIAL = [
    "[" + ",".join(["{}"] * 300_000) + "]",
    '{"s": "' + '\\"[' * 200_000 + '"}',
    '{"a": "' + "x" * 900_000 + '"}',
    "[" * 500_000,
    '{"a":' * 100_000 + "1" + "}" * 100_000,
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=["siblings", "escapes", "long string", "open", "deep"])
def test_no_regex_overflows_the_stack(text: str) -> None:
    for regex in (
        sql.depth_within_regex(rules.MAX_NESTING_DEPTH),
        sql.canonical_record_regex(),
        *(sql.repeated_field_regex(field) for field in rules.COPIED_FIELDS),
    ):
        java_find(regex, text)  # a StackOverflowError would surface as a Py4JJavaError


def test_the_canonical_shape_is_only_the_usual_record() -> None:
    canonical = sql.canonical_record_regex()
    usual = '{"tenantId":"acme","tier":"basic","requestId":"r-1","receivedAt":1,"payload":{"a":[1,{"b":"}"}]}}'
    assert java_find(canonical, usual)
    for other in (
        usual.replace('"acme"', '"Acme"'),  # invalid tenant id
        usual.replace('"acme"', '"acm\\u0065"'),  # escapes: the careful path decides
        usual.replace('"receivedAt":1', '"receivedAt":{}'),  # an envelope field that is not a scalar
        usual[:-1] + ',"tenantId":"globex"}',  # a repeated field
        usual.replace('"payload":{', '"payload":[').replace("}]}}", "}]]}"),  # payload not an object
        '{"tenantId":"acme","payload":{}}',  # optional fields absent
    ):
        assert not java_find(canonical, other), other


def test_repeated_fields_are_found_at_the_top_level_only() -> None:
    tenant = sql.repeated_field_regex("tenantId")
    assert java_find(tenant, '{"tenantId":"a", "x": 1, "tenant\\u0049d":"b"}')
    assert not java_find(tenant, '{"tenantId":"a", "payload": {"tenantId": "b"}}')
    assert not java_find(tenant, '{"tenantId":"a", "note": "\\"tenantId\\": 1"}')
    assert not java_find(tenant, '{"x": "tenantId", "tenantId": "a"}')
