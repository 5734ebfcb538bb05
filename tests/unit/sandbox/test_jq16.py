"""The sandbox's Firehose refuses what jq 1.6 cannot parse for depth, as the declared JQ-1.6 engine does."""

from __future__ import annotations

import json

import pytest

from components.ingestion.firehose_partitioning import JQ16_MAX_NESTED_OBJECTS, JQ16_MAX_PARSING_DEPTH
from functions.flink import rules
from local.sandbox.jq16 import exceeds_parsing_depth


def objects(depth: int) -> str:
    return '{"a":' * (depth - 1) + "{}" + "}" * (depth - 1)


def arrays(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_jq_16_parses_128_nested_objects_and_256_arrays_but_no_more() -> None:
    assert JQ16_MAX_NESTED_OBJECTS == 128
    assert not exceeds_parsing_depth(objects(128))
    assert exceeds_parsing_depth(objects(129))
    assert not exceeds_parsing_depth(arrays(JQ16_MAX_PARSING_DEPTH))
    assert exceeds_parsing_depth(arrays(JQ16_MAX_PARSING_DEPTH + 1))


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ('{"k": "' + "{[" * 500 + '"}', False),  # brackets in strings
        ("[" + ",".join([objects(100)] * 50) + "]", False),  # siblings pop their keys
        ('{"a": 1, "b": ' + objects(128) + "}", True),  # one more level under a key
        ("[" * 100 + objects(78) + "]" * 100, False),  # 100 + 2 * 77 = 254 entries below the last object
        ("[" * 100 + objects(79) + "]" * 100, True),
    ],
)
def test_the_stack_counts_keys_of_open_objects(text: str, refused: bool) -> None:
    assert exceeds_parsing_depth(text) is refused


def test_every_record_the_job_accepts_is_parsed_by_jq_16() -> None:
    """The job's bound leaves room: its deepest record, all objects, and the enriched envelope around it."""
    deepest_payload = objects(rules.MAX_NESTING_DEPTH - 1)
    enriched = '{"tenantId":"acme","tier":"basic","requestId":"r","receivedAt":1,"payload":' + deepest_payload
    enriched += ',"timestamp":1}'
    json.loads(enriched)
    assert not exceeds_parsing_depth(enriched)
    assert rules.MAX_NESTING_DEPTH < JQ16_MAX_NESTED_OBJECTS
