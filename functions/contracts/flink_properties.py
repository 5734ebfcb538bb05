"""The Flink application's runtime property groups: ids and keys the program declares and the job reads.

Managed Service for Apache Flink hands the groups to the job (/etc/flink/application_properties.json);
locally the job reads the same groups from a file.
"""

from __future__ import annotations

RUN_OPTIONS_GROUP = "kinesis.analytics.flink.run.options"
SOURCE_GROUP = "KinesisSource"
ENRICHED_SINK_GROUP = "EnrichedSink"
REJECTED_SINK_GROUP = "RejectedSink"

# Keys of the run options group (the service's own): the Python entry point and the connector jar.
PYTHON_KEY = "python"
JARFILE_KEY = "jarfile"
PYTHON_ENTRY_POINT = "main.py"
CONNECTORS_JAR = "lib/flink-connectors.jar"
# Outside the service: the environment variable naming the job's jar (local runs, the sandbox's job).
CONNECTOR_JAR_ENV = "FLINK_CONNECTOR_JAR"

# Keys of the source and sink groups.
STREAM_ARN_KEY = "stream.arn"
REGION_KEY = "aws.region"
INITIAL_POSITION_KEY = "initial.position"
DELIVERY_STREAM_KEY = "delivery.stream.name"
# The enriched sink group may name several delivery streams (functions/contracts/delivery_routing.py):
# `delivery.stream.count` of them, stream 0 under DELIVERY_STREAM_KEY and stream i under `<that>.<i>`.
# Absent count: one stream. A group holds at most 50 properties (the PropertyGroup API: PropertyMap),
# which leaves room for MAX_DELIVERY_STREAMS next to the region and the count.
DELIVERY_STREAM_COUNT_KEY = "delivery.stream.count"
PROPERTY_MAP_ENTRIES = 50
MAX_DELIVERY_STREAMS = PROPERTY_MAP_ENTRIES - 2
# Optional in each group: an endpoint override (a local emulator such as moto); absent on AWS.
ENDPOINT_KEY = "aws.endpoint"
INITIAL_POSITION = "TRIM_HORIZON"


def delivery_stream_key(stream: int) -> str:
    """The key naming enriched delivery stream `stream` (0: the key a single stream always had)."""
    return DELIVERY_STREAM_KEY if stream == 0 else f"{DELIVERY_STREAM_KEY}.{stream}"


# Per-tenant metering (functions/flink/metering.py): the bucket its files go to (under s3_layout.METERING_PREFIX,
# through the S3 file system's s3a:// scheme), its window and watermark. Absent group: the job meters nothing.
METERING_GROUP = "Metering"
METERING_BUCKET_KEY = "bucket"
METERING_WINDOW_KEY = "window.seconds"
WATERMARK_DELAY_KEY = "watermark.delay.seconds"
IDLE_TIMEOUT_KEY = "idle.timeout.seconds"
S3_SCHEME = "s3a"
