"""The application's property groups (Managed Service for Apache Flink's application_properties.json).

The service writes the groups to /etc/flink/application_properties.json as
[{"PropertyGroupId": ..., "PropertyMap": {...}}, ...]; locally the same file is passed by path
(env FLINK_APPLICATION_PROPERTIES). Group ids and keys: functions/contracts/flink_properties.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from functions.contracts.flink_properties import (
    DELIVERY_STREAM_COUNT_KEY,
    DELIVERY_STREAM_KEY,
    ENDPOINT_KEY,
    ENRICHED_SINK_GROUP,
    IDLE_TIMEOUT_KEY,
    INITIAL_POSITION,
    INITIAL_POSITION_KEY,
    MAX_DELIVERY_STREAMS,
    METERING_BUCKET_KEY,
    METERING_GROUP,
    METERING_WINDOW_KEY,
    REGION_KEY,
    REJECTED_SINK_GROUP,
    S3_SCHEME,
    SOURCE_GROUP,
    STREAM_ARN_KEY,
    WATERMARK_DELAY_KEY,
    delivery_stream_key,
)
from functions.contracts.metering import WINDOW_SECONDS
from functions.contracts.s3_layout import METERING_PREFIX
from functions.flink.errors import JobConfigurationError
from functions.flink.metering import (
    DEFAULT_IDLE_TIMEOUT_SECONDS,
    DEFAULT_WATERMARK_DELAY_SECONDS,
    Metering,
    MeteringSink,
)
from functions.flink.tables import FirehoseSink, KinesisSource

__all__ = ["ENRICHED_SINK_GROUP", "METERING_GROUP", "REJECTED_SINK_GROUP", "SOURCE_GROUP"]

SERVICE_PROPERTIES_PATH = Path("/etc/flink/application_properties.json")
PROPERTIES_ENV = "FLINK_APPLICATION_PROPERTIES"


PropertyGroups = dict[str, dict[str, str]]


def properties_path() -> Path:
    return Path(os.environ.get(PROPERTIES_ENV) or SERVICE_PROPERTIES_PATH)


def parse_property_groups(document: object) -> PropertyGroups:
    """The service's list form, or a mapping of group id to properties (what the Pulumi program declares)."""
    if isinstance(document, dict):
        entries = [{"PropertyGroupId": key, "PropertyMap": value} for key, value in document.items()]
    elif isinstance(document, list):
        entries = document
    else:
        raise JobConfigurationError("application properties must be a list of property groups or a mapping")
    groups: PropertyGroups = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("PropertyMap"), dict):
            raise JobConfigurationError(f"not a property group (PropertyGroupId, PropertyMap): {entry!r}")
        group_id = entry.get("PropertyGroupId")
        if not isinstance(group_id, str) or not group_id:
            raise JobConfigurationError(f"property group without a PropertyGroupId: {entry!r}")
        groups[group_id] = {str(key): str(value) for key, value in entry["PropertyMap"].items()}
    return groups


def read_property_groups(path: Path) -> PropertyGroups:
    if not path.is_file():
        raise JobConfigurationError(f"no application properties at {path} (set {PROPERTIES_ENV})")
    return parse_property_groups(json.loads(path.read_text(encoding="utf-8")))


def _group(groups: PropertyGroups, group_id: str, *keys: str) -> dict[str, str]:
    group = groups.get(group_id)
    if group is None:
        raise JobConfigurationError(f"missing property group {group_id!r}")
    for key in keys:
        if not group.get(key):
            raise JobConfigurationError(f"property group {group_id!r} lacks {key!r}")
    return group


def _connector_options(group: dict[str, str], prefixes: tuple[str, ...]) -> dict[str, str]:
    """Further connector options given in the group as-is (e.g. aws.credentials.provider for moto)."""
    known = {REGION_KEY, ENDPOINT_KEY}
    return {key: value for key, value in group.items() if key.startswith(prefixes) and key not in known}


def kinesis_source(groups: PropertyGroups) -> KinesisSource:
    group = _group(groups, SOURCE_GROUP, STREAM_ARN_KEY, REGION_KEY)
    return KinesisSource(
        stream_arn=group[STREAM_ARN_KEY],
        region=group[REGION_KEY],
        initial_position=group.get(INITIAL_POSITION_KEY) or INITIAL_POSITION,
        endpoint=group.get(ENDPOINT_KEY),
        extra=_connector_options(group, ("aws.", "scan.")),
    )


def firehose_sink(groups: PropertyGroups, group_id: str, name_key: str = DELIVERY_STREAM_KEY) -> FirehoseSink:
    """The delivery stream group `group_id` names under `name_key` (one of several: delivery_stream_key)."""
    group = _group(groups, group_id, name_key, REGION_KEY)
    return FirehoseSink(
        group[name_key],
        group[REGION_KEY],
        endpoint=group.get(ENDPOINT_KEY),
        extra=_connector_options(group, ("aws.", "sink.")),
    )


def enriched_sinks(groups: PropertyGroups) -> list[FirehoseSink]:
    """The enriched-events delivery streams, by index: `delivery.stream.count` of them (absent: one)."""
    group = _group(groups, ENRICHED_SINK_GROUP, DELIVERY_STREAM_KEY, REGION_KEY)
    count_text = group.get(DELIVERY_STREAM_COUNT_KEY) or "1"
    if not count_text.isdigit() or not 1 <= int(count_text) <= MAX_DELIVERY_STREAMS:
        raise JobConfigurationError(
            f"property group {ENRICHED_SINK_GROUP!r}: {DELIVERY_STREAM_COUNT_KEY} must be 1-{MAX_DELIVERY_STREAMS}, "
            f"got {count_text!r}"
        )
    return [
        firehose_sink(groups, ENRICHED_SINK_GROUP, delivery_stream_key(stream)) for stream in range(int(count_text))
    ]


def _seconds(group: dict[str, str], key: str, default: int) -> int:
    text = group.get(key) or str(default)
    if not text.isdigit():
        raise JobConfigurationError(f"property group {METERING_GROUP!r}: {key} must be whole seconds, got {text!r}")
    return int(text)


def metering(groups: PropertyGroups) -> Metering | None:
    """The per-tenant metering the groups ask for (its files in the bucket's metering prefix), or None."""
    if METERING_GROUP not in groups:
        return None
    group = _group(groups, METERING_GROUP, METERING_BUCKET_KEY)
    return Metering(
        MeteringSink(f"{S3_SCHEME}://{group[METERING_BUCKET_KEY]}/{METERING_PREFIX}"),
        window_seconds=_seconds(group, METERING_WINDOW_KEY, WINDOW_SECONDS),
        watermark_delay_seconds=_seconds(group, WATERMARK_DELAY_KEY, DEFAULT_WATERMARK_DELAY_SECONDS),
        idle_timeout_seconds=_seconds(group, IDLE_TIMEOUT_KEY, DEFAULT_IDLE_TIMEOUT_SECONDS),
    )


def s3_options(groups: PropertyGroups) -> dict[str, str]:
    """The S3 file system's settings for a metering group pointed at a local emulator (aws.endpoint, static
    credentials): Flink's `s3.*` keys. None on AWS: the file system finds the region and the role itself."""
    group = groups.get(METERING_GROUP, {})
    endpoint = group.get(ENDPOINT_KEY)
    if not endpoint:
        return {}
    options = {"s3.endpoint": endpoint, "s3.path.style.access": "true"}
    for flink_key, group_key in (
        ("s3.access-key", "aws.credentials.basic.accesskeyid"),
        ("s3.secret-key", "aws.credentials.basic.secretkey"),
    ):
        if group.get(group_key):
            options[flink_key] = group[group_key]
    return options
