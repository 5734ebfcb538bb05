"""Firehose prefix expressions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from local.errors import PrefixError
from local.sandbox.firehose_prefix import render_prefix

ARRIVAL = datetime(2026, 11, 23, 9, 5, 7, tzinfo=UTC)


def test_partition_keys_and_timestamps() -> None:
    prefix = "tenant=!{partitionKeyFromQuery:tenantId}/year=!{partitionKeyFromQuery:year}/h=!{timestamp:yyyy-MM-dd-HH}/"
    keys = {"tenantId": "acme", "year": "2026"}
    assert render_prefix(prefix, keys, ARRIVAL) == "tenant=acme/year=2026/h=2026-11-23-09/"


def test_error_output_type() -> None:
    prefix = "errors/firehose/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/"
    assert render_prefix(prefix, {}, ARRIVAL, "processing-failed") == "errors/firehose/processing-failed/2026/11/23/"


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        ("!{partitionKeyFromQuery:tenantId}/", "partition key 'tenantId' was not extracted"),
        ("!{firehose:error-output-type}/", "outside the error output prefix"),
        ("!{nope:x}/", "unsupported prefix expression !{nope:x}"),
    ],
)
def test_bad_expressions_are_named(prefix: str, message: str) -> None:
    with pytest.raises(PrefixError, match=message):
        render_prefix(prefix, {}, ARRIVAL)
