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
        (
            {"buffer": {}},
            "unknown key 'buffer' in ingest (allowed: buffering, corsOrigins, manageApiGatewayAccount, stream)",
        ),
        ({"manageApiGatewayAccount": "yes"}, "ingest.manageApiGatewayAccount must be true or false, got 'yes'"),
    ],
)
def test_bad_ingest_settings(ingest: dict[str, Any], expected: str) -> None:
    assert only_problem(base_config(ingest=ingest)) == f"tenant-pipeline:ingest: {expected}"


def test_cors_is_off_unless_origins_are_listed() -> None:
    assert load(base_config()).ingest.cors_origins == ()
    origins = ["https://app.example.com", "https://admin.example.com:8443", "https://xn--bcher-kva.example"]
    assert load(base_config(ingest={"corsOrigins": origins})).ingest.cors_origins == tuple(origins)


@pytest.mark.parametrize(
    ("origins", "expected"),
    [
        (["*"], "ingest.corsOrigins: '*' is not allowed: list each tenant app's origin (https://host[:port])"),
        (
            ["http://app.example.com"],
            "ingest.corsOrigins: 'http://app.example.com' is not an https origin: "
            "https://host[:port], no path, query or trailing slash",
        ),
        (
            ["https://app.example.com/"],
            "ingest.corsOrigins: 'https://app.example.com/' is not an https origin: "
            "https://host[:port], no path, query or trailing slash",
        ),
        (
            ["https://app.example.com/ingest"],
            "ingest.corsOrigins: 'https://app.example.com/ingest' is not an https origin: "
            "https://host[:port], no path, query or trailing slash",
        ),
        (
            ["https://user@app.example.com"],
            "ingest.corsOrigins: 'https://user@app.example.com' is not an https origin: "
            "https://host[:port], no path, query or trailing slash",
        ),
        (
            ["https://App.Example.com"],
            "ingest.corsOrigins: 'https://App.Example.com' must be lower-case with no spaces, as browsers send it: "
            "'https://app.example.com'",
        ),
        (
            ["https://app.example.com:443"],
            "ingest.corsOrigins: 'https://app.example.com:443' names the default port, which browsers leave out: "
            "https://app.example.com",
        ),
        (["https://app.example.com:70000"], "ingest.corsOrigins: 'https://app.example.com:70000' has no such port"),
        (
            ['https://a.example.com"'],
            "ingest.corsOrigins: 'https://a.example.com\"' is not an https origin: "
            "https://host[:port], no path, query or trailing slash",
        ),
        (
            ["https://a.example.com", "https://a.example.com"],
            "ingest.corsOrigins lists 'https://a.example.com' twice",
        ),
        ([7], "ingest.corsOrigins holds origins as strings, got 7"),
        ("https://app.example.com", "ingest.corsOrigins must be a list, got 'https://app.example.com'"),
    ],
)
def test_bad_cors_origins(origins: Any, expected: str) -> None:
    assert only_problem(base_config(ingest={"corsOrigins": origins})) == f"tenant-pipeline:ingest: {expected}"
