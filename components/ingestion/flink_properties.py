"""The Flink application's runtime properties: the contract between the declared application and the job.

The PyFlink job reads these property groups (Managed Service for Apache Flink hands them to the job;
locally the job reads the same groups from a file). Group ids and keys are fixed by the lead.
"""

from __future__ import annotations

RUNTIME_ENVIRONMENT = "FLINK-1_20"  # the job is built against Flink 1.20 (requirements-flink.txt)
RUN_OPTIONS_GROUP = "kinesis.analytics.flink.run.options"
SOURCE_GROUP = "KinesisSource"
ENRICHED_SINK_GROUP = "EnrichedSink"
REJECTED_SINK_GROUP = "RejectedSink"

PYTHON_ENTRY_POINT = "main.py"
CONNECTORS_JAR = "lib/flink-connectors.jar"
INITIAL_POSITION = "TRIM_HORIZON"


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
            raise ValueError(f"the Flink application needs the {what}")
    if not stream_arn.startswith("arn:aws:kinesis:"):
        raise ValueError(f"not a Kinesis stream ARN: {stream_arn!r}")
    return {
        RUN_OPTIONS_GROUP: {"python": PYTHON_ENTRY_POINT, "jarfile": CONNECTORS_JAR},
        SOURCE_GROUP: {"stream.arn": stream_arn, "aws.region": region, "initial.position": INITIAL_POSITION},
        ENRICHED_SINK_GROUP: {"delivery.stream.name": enriched_delivery_stream, "aws.region": region},
        REJECTED_SINK_GROUP: {"delivery.stream.name": rejected_delivery_stream, "aws.region": region},
    }
