"""Sizing of the shared ingestion pipeline (`tenant-pipeline:ingest`)."""

from __future__ import annotations

from typing import Any

from tiers.errors import ConfigProblem
from tiers.fields import Fields
from tiers.model import STREAM_MODES, IngestSettings

# Firehose: dynamic partitioning needs a buffer of 64-128 MiB; the interval may be 60-900 s.
BUFFER_SIZE_MB = (64, 128)
BUFFER_INTERVAL_SECONDS = (60, 900)
# Kinesis: a provisioned stream's shard count, within the default per-region shard quota.
SHARDS = (1, 500)


def parse_ingest(raw: Any, problems: list[ConfigProblem]) -> IngestSettings:
    fields = Fields(raw, "tenant-pipeline:ingest", "ingest", problems)
    fields.reject_unknown({"stream", "buffering", "manageApiGatewayAccount"})
    stream = fields.sub("stream")
    stream.reject_unknown({"mode", "shards"})
    buffering = fields.sub("buffering")
    buffering.reject_unknown({"sizeMb", "intervalSeconds"})
    defaults = IngestSettings()
    settings = IngestSettings(
        stream_mode=stream.choice("mode", STREAM_MODES, defaults.stream_mode),
        shard_count=stream.get("shards", int, 0) or None,
        buffer_size_mb=buffering.get("sizeMb", int, defaults.buffer_size_mb),
        buffer_interval_seconds=buffering.get("intervalSeconds", int, defaults.buffer_interval_seconds),
        manage_api_gateway_account=fields.get("manageApiGatewayAccount", bool, defaults.manage_api_gateway_account),
    )
    if settings.stream_mode == "PROVISIONED":
        if settings.shard_count is None or not SHARDS[0] <= settings.shard_count <= SHARDS[1]:
            stream.problem(f"ingest.stream.shards must be {SHARDS[0]}-{SHARDS[1]} when mode is PROVISIONED")
    elif settings.shard_count is not None:
        stream.problem("ingest.stream.shards applies only to mode PROVISIONED")
    _within(buffering, "sizeMb", settings.buffer_size_mb, BUFFER_SIZE_MB)
    _within(buffering, "intervalSeconds", settings.buffer_interval_seconds, BUFFER_INTERVAL_SECONDS)
    return settings


def _within(fields: Fields, key: str, value: int, bounds: tuple[int, int]) -> None:
    if not bounds[0] <= value <= bounds[1]:
        fields.problem(f"{fields.where}.{key} must be {bounds[0]}-{bounds[1]}, got {value}")
