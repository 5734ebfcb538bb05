"""Nesting depth and top-level keys read without a recursive parse (functions/flink/structure.py)."""

from __future__ import annotations

import json

import pytest

from functions.flink.structure import loads_with_top_level_keys, nests_deeper_than


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("{}", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ("[" * 50 + "]" * 50, 50),
        ("[" * 7, 7),  # unclosed brackets count
        ('{"s": "[[[[{{{{"}', 1),  # brackets in strings do not
        ('{"s": "a\\"[[["}', 1),  # an escaped quote does not end the string
        ('{"s": "a\\\\", "t": [[1]]}', 3),  # an escaped backslash does not escape the quote
        ("]]]][[", 2),  # stray closing brackets at the top are ignored
        ('"[[[[', 4),  # an unterminated string does not hide the brackets after it
    ],
)
def test_depth_is_counted_as_a_parser_stack(text: str, depth: int) -> None:
    assert not nests_deeper_than(text, depth)
    assert nests_deeper_than(text, depth - 1)


def test_deep_text_is_measured_without_recursion() -> None:
    text = '{"a":' * 200_000 + "1" + "}" * 200_000
    assert nests_deeper_than(text, 100)
    with pytest.raises(RecursionError):
        json.loads(text)


def test_top_level_keys_keep_repeats_and_ignore_nested_objects() -> None:
    value, keys = loads_with_top_level_keys('{"a": {"b": 1, "b": 2}, "c": [{"a": 1}], "a": 3}')
    assert value == {"a": 3, "c": [{"a": 1}]}
    assert keys == ["a", "c", "a"]
    assert loads_with_top_level_keys('[{"a": 1, "a": 2}]')[1] == []


def test_nan_is_not_json() -> None:
    with pytest.raises(ValueError):
        loads_with_top_level_keys('{"a": NaN}')
