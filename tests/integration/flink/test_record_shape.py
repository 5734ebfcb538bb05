"""The SQL path's depth rule in Java (tenantpipeline.flink.RecordShape) agrees with structure.py, the
reference, and stays linear and stack-safe on adversarial text (a StackOverflowError or a quadratic
scan would stall the job for every tenant)."""

from __future__ import annotations

import random
import time

import pytest

from functions.flink import rules
from functions.flink.structure import nests_deeper_than
from tests.integration.flink.cases import CASES
from tests.integration.flink.conftest import CONNECTOR_JAR

pytestmark = pytest.mark.flink


@pytest.fixture(scope="module")
def record_shape():  # type: ignore[no-untyped-def]
    from pyflink.java_gateway import get_gateway
    from pyflink.util.java_utils import add_jars_to_context_class_loader

    add_jars_to_context_class_loader([CONNECTOR_JAR.resolve().as_uri()])
    return get_gateway().jvm.tenantpipeline.flink.RecordShape


def java_deeper(record_shape, text: str, limit: int) -> bool:  # type: ignore[no-untyped-def]
    return bool(record_shape.nestsDeeperThan(text.encode("utf-8"), limit))


def random_text(rng: random.Random) -> str:
    return "".join(rng.choice('[]{}"\\:, a1\né') for _ in range(rng.randint(0, 400)))


def test_depth_agrees_with_the_python_rule(record_shape) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(13)
    texts = [case.line for case in CASES] + [random_text(rng) for _ in range(2000)]
    texts += ["[" * depth + "]" * depth for depth in (99, 100, 101)] + ["{" * depth for depth in (100, 101)]
    texts += ['"\\\n' + "[" * 10, '"\\"' + "[" * 10 + '"', '["\\\n"' + "[" * 10, '"' * 7 + "{" * 10]
    disagreements = 0
    for limit in (3, rules.MAX_NESTING_DEPTH):
        for text in texts:
            disagreements += java_deeper(record_shape, text, limit) is not nests_deeper_than(text, limit)
    assert disagreements == 0


# (text, nests deeper than MAX_NESTING_DEPTH): each about 1 MB, too slow for structure.py's regex on some.
ADVERSARIAL = [
    ("[" + ",".join(["{}"] * 300_000) + "]", False),
    ('{"s": "' + '\\"[' * 200_000 + '"}', False),
    ('{"a": "' + "x" * 900_000 + '"}', False),
    ("[" * 500_000, True),
    ('{"a":' * 100_000 + "1" + "}" * 100_000, True),
    ("{" * 101 + '\\"' * 400_000, True),  # quotes that never close: rescanning from each is quadratic
    ('"' + "\\\n" * 300_000 + "[" * 101, True),  # a string that breaks at its first escaped newline
]


@pytest.mark.parametrize(
    ("text", "deeper"), ADVERSARIAL, ids=["siblings", "escapes", "long string", "open", "deep", "unclosed", "newlines"]
)
def test_depth_is_linear_and_stack_safe(record_shape, text: str, deeper: bool) -> None:  # type: ignore[no-untyped-def]
    data = text.encode("utf-8")
    started = time.perf_counter()
    assert bool(record_shape.nestsDeeperThan(data, rules.MAX_NESTING_DEPTH)) is deeper
    assert time.perf_counter() - started < 2.0  # a quadratic scan of ~1 MB takes minutes
