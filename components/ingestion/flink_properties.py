"""The Flink application's runtime properties, as the program declares them (ids and keys: the contracts)."""

from __future__ import annotations

from components.errors import ComponentInputError
from functions.contracts.flink_properties import (
    CONNECTORS_JAR,
    DELIVERY_STREAM_KEY,
    ENRICHED_SINK_GROUP,
    INITIAL_POSITION,
    INITIAL_POSITION_KEY,
    JARFILE_KEY,
    PYTHON_ENTRY_POINT,
    PYTHON_KEY,
    REGION_KEY,
    REJECTED_SINK_GROUP,
    RUN_OPTIONS_GROUP,
    SOURCE_GROUP,
    STREAM_ARN_KEY,
)

RUNTIME_ENVIRONMENT = "FLINK-1_20"  # the job is built against Flink 1.20 (requirements-flink.txt)


def flink_property_groups(
    stream_arn: str, region: str, enriched_delivery_stream: str, rejected_delivery_stream: str
) -> dict[str, dict[str, str]]:
    """Property groups by id, for the event stream and the two delivery streams in `region`."""
    for what, value in (
        ("stream ARN", stream_arn),
        ("region", region),
        ("enriched delivery stream", enriched_delivery_stream),
        ("rejected delivery stream", rejected_delivery_stream),
    ):
        if not value:
            raise ComponentInputError(f"the Flink application needs the {what}")
    if not stream_arn.startswith("arn:aws:kinesis:"):
        raise ComponentInputError(f"not a Kinesis stream ARN: {stream_arn!r}")
    return {
        RUN_OPTIONS_GROUP: {PYTHON_KEY: PYTHON_ENTRY_POINT, JARFILE_KEY: CONNECTORS_JAR},
        SOURCE_GROUP: {STREAM_ARN_KEY: stream_arn, REGION_KEY: region, INITIAL_POSITION_KEY: INITIAL_POSITION},
        ENRICHED_SINK_GROUP: {DELIVERY_STREAM_KEY: enriched_delivery_stream, REGION_KEY: region},
        REJECTED_SINK_GROUP: {DELIVERY_STREAM_KEY: rejected_delivery_stream, REGION_KEY: region},
    }
