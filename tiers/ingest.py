"""Sizing of the shared ingestion pipeline (`tenant-pipeline:ingest`)."""

from __future__ import annotations

import re
from typing import Any

from tiers.errors import ConfigProblem
from tiers.fields import Fields
from tiers.model import STREAM_MODES, IngestSettings

# Firehose: dynamic partitioning needs a buffer of 64-128 MiB; the interval may be 60-900 s.
BUFFER_SIZE_MB = (64, 128)
BUFFER_INTERVAL_SECONDS = (60, 900)
# Kinesis: a provisioned stream's shard count, within the default per-region shard quota.
SHARDS = (1, 500)

# A CORS origin as browsers serialize it in the Origin header: https, lower-case ASCII host (IDNs in
# punycode), a port only when not the default 443, no path. Anything else would never match a request.
_HOST_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_ORIGIN = re.compile(rf"https://(?P<host>{_HOST_LABEL}(?:\.{_HOST_LABEL})*)(?::(?P<port>[1-9][0-9]{{0,4}}))?")


def parse_ingest(raw: Any, problems: list[ConfigProblem]) -> IngestSettings:
    fields = Fields(raw, "tenant-pipeline:ingest", "ingest", problems)
    fields.reject_unknown({"stream", "buffering", "manageApiGatewayAccount", "corsOrigins"})
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
        cors_origins=_cors_origins(fields),
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


def origin_problem(origin: str) -> str | None:
    """Why `origin` cannot be a CORS origin of the ingest API (None when it can).

    `*` is refused: tenant apps are known origins, and an allow-list keeps every other web page from
    driving the API from a visitor's browser (with a token it got hold of, or with cookies if the
    API ever accepts them). A stack wanting more origins lists them.
    """
    if origin == "*":
        return "'*' is not allowed: list each tenant app's origin (https://host[:port])"
    if origin != origin.strip() or origin.lower() != origin:
        return f"{origin!r} must be lower-case with no spaces, as browsers send it: {origin.strip().lower()!r}"
    match = _ORIGIN.fullmatch(origin)
    if match is None:
        return f"{origin!r} is not an https origin: https://host[:port], no path, query or trailing slash"
    port = match.group("port")
    if port is not None and int(port) == 443:
        return f"{origin!r} names the default port, which browsers leave out: https://{match.group('host')}"
    if port is not None and int(port) > 65535:
        return f"{origin!r} has no such port"
    return None


def _cors_origins(fields: Fields) -> tuple[str, ...]:
    raw = fields.get("corsOrigins", list, [])
    origins: list[str] = []
    for origin in raw:
        if not isinstance(origin, str):
            fields.problem(f"{fields.where}.corsOrigins holds origins as strings, got {origin!r}")
            continue
        problem = origin_problem(origin)
        if problem:
            fields.problem(f"{fields.where}.corsOrigins: {problem}")
        elif origin in origins:
            fields.problem(f"{fields.where}.corsOrigins lists {origin!r} twice")
        else:
            origins.append(origin)
    return tuple(origins)
