"""The Flink application's runtime properties, as the program declares them (ids and keys: the contracts)."""

from __future__ import annotations

from collections.abc import Sequence

from components.errors import ComponentInputError
from functions.contracts.aws import is_bucket_name
from functions.contracts.flink_properties import (
    CONNECTORS_JAR,
    DELIVERY_STREAM_COUNT_KEY,
    DELIVERY_STREAM_KEY,
    ENRICHED_SINK_GROUP,
    INITIAL_POSITION,
    INITIAL_POSITION_KEY,
    JARFILE_KEY,
    MAX_DELIVERY_STREAMS,
    METERING_BUCKET_KEY,
    METERING_GROUP,
    METERING_WINDOW_KEY,
    PYTHON_ENTRY_POINT,
    PYTHON_KEY,
    REGION_KEY,
    REJECTED_SINK_GROUP,
    RUN_OPTIONS_GROUP,
    SOURCE_GROUP,
    STREAM_ARN_KEY,
    delivery_stream_key,
)
from functions.contracts.metering import WINDOW_SECONDS

RUNTIME_ENVIRONMENT = "FLINK-1_20"  # the job is built against Flink 1.20 (requirements-flink.txt)


def flink_property_groups(
    stream_arn: str,
    region: str,
    enriched_delivery_streams: Sequence[str],
    rejected_delivery_stream: str,
    metering_bucket: str,
) -> dict[str, dict[str, str]]:
    """Property groups by id, for the event stream and the delivery streams in `region`, and the metering
    output's bucket (the ingest bucket: its metering prefix).

    `enriched_delivery_streams`: by index; one keeps the group a single stream always had, several add
    the count and a key per further stream (functions/contracts/flink_properties.py).
    """
    if isinstance(enriched_delivery_streams, str):
        raise ComponentInputError("the enriched delivery streams are a list of names, not one name")
    if not 1 <= len(enriched_delivery_streams) <= MAX_DELIVERY_STREAMS:
        raise ComponentInputError(
            f"the Flink application takes 1-{MAX_DELIVERY_STREAMS} enriched delivery streams, "
            f"got {len(enriched_delivery_streams)}"
        )
    for what, value in (
        ("stream ARN", stream_arn),
        ("region", region),
        *((f"enriched delivery stream {n}", name) for n, name in enumerate(enriched_delivery_streams)),
        ("rejected delivery stream", rejected_delivery_stream),
    ):
        if not value:
            raise ComponentInputError(f"the Flink application needs the {what}")
    if not stream_arn.startswith("arn:aws:kinesis:"):
        raise ComponentInputError(f"not a Kinesis stream ARN: {stream_arn!r}")
    if not is_bucket_name(metering_bucket):
        raise ComponentInputError(f"the metering output needs an S3 bucket name, got {metering_bucket!r}")
    return {
        RUN_OPTIONS_GROUP: {PYTHON_KEY: PYTHON_ENTRY_POINT, JARFILE_KEY: CONNECTORS_JAR},
        SOURCE_GROUP: {STREAM_ARN_KEY: stream_arn, REGION_KEY: region, INITIAL_POSITION_KEY: INITIAL_POSITION},
        ENRICHED_SINK_GROUP: _enriched_group(enriched_delivery_streams, region),
        REJECTED_SINK_GROUP: {DELIVERY_STREAM_KEY: rejected_delivery_stream, REGION_KEY: region},
        # The hour is the contract (functions/contracts/metering.py); the watermark's delay is the job's default.
        METERING_GROUP: {METERING_BUCKET_KEY: metering_bucket, METERING_WINDOW_KEY: str(WINDOW_SECONDS)},
    }


def _enriched_group(streams: Sequence[str], region: str) -> dict[str, str]:
    names = {delivery_stream_key(index): name for index, name in enumerate(streams)}
    count = {DELIVERY_STREAM_COUNT_KEY: str(len(streams))} if len(streams) > 1 else {}
    return {**names, **count, REGION_KEY: region}
