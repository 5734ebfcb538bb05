"""Sizing of the shared pipeline: stream mode and shards, Firehose buffering."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.config import base_config, load, only_problem
from tiers.model import IngestSettings


def test_defaults() -> None:
    assert load(base_config()).ingest == IngestSettings()


def test_the_api_gateway_account_setting_is_left_alone_unless_the_stack_opts_in() -> None:
    assert load(base_config()).ingest.manage_api_gateway_account is False
    assert load(base_config(ingest={"manageApiGatewayAccount": True})).ingest.manage_api_gateway_account is True


def test_provisioned_stream_with_shards() -> None:
    ingest = load(base_config(ingest={"stream": {"mode": "PROVISIONED", "shards": 4}})).ingest
    assert (ingest.stream_mode, ingest.shard_count) == ("PROVISIONED", 4)


@pytest.mark.parametrize(
    ("ingest", "expected"),
    [
        ({"stream": {"mode": "PROVISIONED"}}, "ingest.stream.shards must be 1-500 when mode is PROVISIONED"),
        (
            {"stream": {"mode": "PROVISIONED", "shards": 501}},
            "ingest.stream.shards must be 1-500 when mode is PROVISIONED",
        ),
        ({"stream": {"shards": 2}}, "ingest.stream.shards applies only to mode PROVISIONED"),
        ({"stream": {"mode": "FAST"}}, "ingest.stream.mode must be one of ON_DEMAND, PROVISIONED, got 'FAST'"),
        ({"buffering": {"sizeMb": 32}}, "ingest.buffering.sizeMb must be 64-128, got 32"),
        ({"buffering": {"intervalSeconds": 1000}}, "ingest.buffering.intervalSeconds must be 60-900, got 1000"),
        ({"buffer": {}}, "unknown key 'buffer' in ingest (allowed: buffering, manageApiGatewayAccount, stream)"),
        ({"manageApiGatewayAccount": "yes"}, "ingest.manageApiGatewayAccount must be true or false, got 'yes'"),
    ],
)
def test_bad_ingest_settings(ingest: dict[str, Any], expected: str) -> None:
    assert only_problem(base_config(ingest=ingest)) == f"tenant-pipeline:ingest: {expected}"
