"""Property groups -> connector tables, and the package layout: pure code, no JVM."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from functions.flink import properties, sql
from functions.flink.errors import JobConfigurationError
from functions.flink.metering import Metering, MeteringSink
from functions.flink.package import ENTRY_POINT, JAR_ENTRY, build_package
from functions.flink.tables import FileSource, FirehoseSink, KinesisSource, stream_name_from_arn

pytestmark = pytest.mark.flink

ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/tenant-pipeline-dev-events"


def service_groups(**source_extra: str) -> list[dict[str, object]]:
    """The runtime's application_properties.json form, with the lead's group ids and keys."""
    return [
        {"PropertyGroupId": "kinesis.analytics.flink.run.options", "PropertyMap": {"python": "main.py"}},
        {
            "PropertyGroupId": "KinesisSource",
            "PropertyMap": {
                "stream.arn": ARN,
                "aws.region": "us-east-1",
                "initial.position": "TRIM_HORIZON",
                **source_extra,
            },
        },
        {
            "PropertyGroupId": "EnrichedSink",
            "PropertyMap": {"delivery.stream.name": "enriched", "aws.region": "us-east-1"},
        },
        {
            "PropertyGroupId": "RejectedSink",
            "PropertyMap": {"delivery.stream.name": "rejected", "aws.region": "us-east-1"},
        },
    ]


def test_service_groups_give_kinesis_source_and_firehose_sinks(tmp_path: Path) -> None:
    path = tmp_path / "application_properties.json"
    path.write_text(json.dumps(service_groups()))
    groups = properties.read_property_groups(path)

    source = properties.kinesis_source(groups)
    assert source.options() == {
        "connector": "kinesis",
        "stream": "tenant-pipeline-dev-events",
        "aws.region": "us-east-1",
        "scan.stream.initpos": "TRIM_HORIZON",
        "format": "raw",
    }
    enriched = properties.firehose_sink(groups, properties.ENRICHED_SINK_GROUP)
    rejected = properties.firehose_sink(groups, properties.REJECTED_SINK_GROUP)
    assert enriched.options() == {
        "connector": "firehose",
        "delivery-stream": "enriched",
        "aws.region": "us-east-1",
        "format": "raw",
    }
    assert rejected.options()["delivery-stream"] == "rejected"


def test_mapping_form_and_endpoint_override() -> None:
    document: dict[str, dict[str, str]] = {
        str(group["PropertyGroupId"]): dict(group["PropertyMap"])  # type: ignore[call-overload]
        for group in service_groups()
    }
    local = {"aws.endpoint": "http://127.0.0.1:5000", "aws.credentials.provider": "ENV_VAR"}
    for group in ("KinesisSource", "EnrichedSink"):
        document[group] = {**document[group], **local}
    groups = properties.parse_property_groups(document)

    source = properties.kinesis_source(groups).options()
    assert source["aws.endpoint"] == "http://127.0.0.1:5000"
    assert source["aws.trust.all.certificates"] == "true"
    assert source["aws.credentials.provider"] == "ENV_VAR"
    sink = properties.firehose_sink(groups, properties.ENRICHED_SINK_GROUP).options()
    assert sink["aws.endpoint"] == "http://127.0.0.1:5000"
    assert sink["sink.http-client.protocol.version"] == "HTTP1_1"  # moto speaks HTTP/1.1 only
    assert "aws.endpoint" not in properties.firehose_sink(groups, properties.REJECTED_SINK_GROUP).options()


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            [g for g in service_groups() if g["PropertyGroupId"] != "KinesisSource"],
            "missing property group 'KinesisSource'",
        ),
        ("not groups", "must be a list of property groups"),
        ([{"PropertyGroupId": "KinesisSource"}], "not a property group"),
        ([{"PropertyMap": {}}], "without a PropertyGroupId"),
    ],
)
def test_bad_property_documents_are_named(document: object, message: str) -> None:
    with pytest.raises(JobConfigurationError, match=message):
        properties.kinesis_source(properties.parse_property_groups(document))


def test_missing_keys_and_bad_values_are_named() -> None:
    groups = properties.parse_property_groups(service_groups())
    groups["EnrichedSink"] = {"aws.region": "us-east-1"}
    with pytest.raises(JobConfigurationError, match=re.escape("'EnrichedSink' lacks 'delivery.stream.name'")):
        properties.firehose_sink(groups, "EnrichedSink")
    with pytest.raises(JobConfigurationError, match=re.escape("initial.position must be one of")):
        properties.kinesis_source(properties.parse_property_groups(service_groups(**{"initial.position": "EARLIEST"})))
    with pytest.raises(JobConfigurationError, match="not a Kinesis stream ARN"):
        stream_name_from_arn("arn:aws:firehose:us-east-1:123456789012:deliverystream/x")
    with pytest.raises(JobConfigurationError, match=re.escape("needs aws.region")):
        FirehoseSink("enriched", "")
    with pytest.raises(JobConfigurationError, match=re.escape("needs aws.region")):
        KinesisSource(ARN, "")


def test_the_enriched_group_names_one_stream_or_several_by_index() -> None:
    groups = properties.parse_property_groups(service_groups())
    assert [sink.delivery_stream for sink in properties.enriched_sinks(groups)] == [
        groups["EnrichedSink"]["delivery.stream.name"]
    ]
    groups["EnrichedSink"] = {
        "delivery.stream.name": "events",
        "delivery.stream.name.1": "events-1",
        "delivery.stream.count": "2",
        "aws.region": "us-east-1",
        "aws.endpoint": "http://127.0.0.1:5000",
    }
    sinks = properties.enriched_sinks(groups)
    assert [(s.delivery_stream, s.region, s.endpoint) for s in sinks] == [
        ("events", "us-east-1", "http://127.0.0.1:5000"),
        ("events-1", "us-east-1", "http://127.0.0.1:5000"),
    ]
    groups["EnrichedSink"]["delivery.stream.count"] = "3"
    with pytest.raises(JobConfigurationError, match=re.escape("'EnrichedSink' lacks 'delivery.stream.name.2'")):
        properties.enriched_sinks(groups)
    for bad in ("0", "49", "two"):
        groups["EnrichedSink"]["delivery.stream.count"] = bad
        with pytest.raises(JobConfigurationError, match=re.escape(f"delivery.stream.count must be 1-48, got '{bad}'")):
            properties.enriched_sinks(groups)


def test_the_metering_group_gives_its_sink_window_watermark_and_s3_settings() -> None:
    groups = properties.parse_property_groups(service_groups())
    assert properties.metering(groups) is None  # no group: the job meters nothing
    assert properties.s3_options(groups) == {}
    groups["Metering"] = {"bucket": "ingest"}
    metering = properties.metering(groups)
    assert metering is not None
    assert metering.sink.path == "s3a://ingest/metering/"
    assert (metering.window_seconds, metering.watermark_delay_seconds, metering.idle_timeout_seconds) == (3600, 60, 60)
    assert properties.s3_options(groups) == {}  # on AWS the file system finds the region and the role itself
    groups["Metering"] |= {
        "window.seconds": "10",
        "watermark.delay.seconds": "0",
        "idle.timeout.seconds": "5",
        "aws.endpoint": "http://127.0.0.1:5000",
        "aws.credentials.basic.accesskeyid": "testing",
        "aws.credentials.basic.secretkey": "testing",
    }
    metering = properties.metering(groups)
    assert metering is not None
    assert (metering.window_seconds, metering.watermark_delay_seconds, metering.idle_timeout_seconds) == (10, 0, 5)
    assert properties.s3_options(groups) == {
        "s3.endpoint": "http://127.0.0.1:5000",
        "s3.path.style.access": "true",
        "s3.access-key": "testing",
        "s3.secret-key": "testing",
    }


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({}, "'Metering' lacks 'bucket'"),
        ({"bucket": "b", "window.seconds": "1h"}, "window.seconds must be whole seconds, got '1h'"),
        ({"bucket": "b", "window.seconds": "-5"}, "window.seconds must be whole seconds, got '-5'"),
        ({"bucket": "b", "window.seconds": "7"}, "must divide a day into whole windows (1-86400 s), got 7"),
        ({"bucket": "b", "window.seconds": "172800"}, "must divide a day into whole windows (1-86400 s), got 172800"),
        ({"bucket": "b", "window.seconds": "0"}, "must divide a day into whole windows (1-86400 s), got 0"),
        ({"bucket": "b", "watermark.delay.seconds": "1.5"}, "watermark.delay.seconds must be whole seconds"),
        ({"bucket": "b", "idle.timeout.seconds": "x"}, "idle.timeout.seconds must be whole seconds"),
    ],
)
def test_bad_metering_settings_are_named(settings: dict[str, str], message: str) -> None:
    groups = properties.parse_property_groups(service_groups())
    groups["Metering"] = settings
    with pytest.raises(JobConfigurationError, match=re.escape(message)):
        properties.metering(groups)


def test_metering_is_the_jar_s_sink_fed_the_enrichment_s_rows_as_they_are() -> None:
    """The metering (functions/flink/metering.py): a 'tenant-metering' table over the view `routed`'s columns, so
    no projection runs per record; its options carry the window, delay, idle timeout and the contract's row keys."""
    metering = Metering(MeteringSink("s3a://ingest/metering/"), window_seconds=3600, watermark_delay_seconds=60)
    assert metering.ddl("metering_sink") == (
        "CREATE TEMPORARY TABLE metering_sink (`reason` STRING, `record` STRING, `tenant` STRING, `tier` STRING, "
        "`size` INT, `received_at` BIGINT) WITH ('connector' = 'tenant-metering', 'path' = 's3a://ingest/metering/', "
        "'window.seconds' = '3600', 'watermark.delay.seconds' = '60', 'idle.timeout.seconds' = '60', "
        "'rollover.seconds' = '60', 'max.received.at' = '253402300799999', "
        "'fields' = 'tenantId,tier,windowStart,windowEnd,accepted,rejected,bytes,late', 'partition' = 'dt')"
    )
    assert metering.insert("metering_sink") == (
        "INSERT INTO metering_sink SELECT `reason`, `record`, `tenant`, `tier`, `size`, `received_at` FROM routed"
    )
    routed = sql.view_statements("src")[-1]
    assert routed.endswith("c.tier AS tier, c.size AS size, c.received_at AS received_at FROM classified")
    with pytest.raises(JobConfigurationError, match=re.escape("the metering rollover must be 0 or more seconds")):
        Metering(MeteringSink("/m"), rollover_seconds=-1)


def test_missing_properties_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(JobConfigurationError, match="FLINK_APPLICATION_PROPERTIES"):
        properties.read_property_groups(tmp_path / "absent.json")


def test_file_source_is_one_raw_line_per_record() -> None:
    ddl = FileSource("/data/in.ndjson").ddl("src")
    assert ddl == (
        "CREATE TEMPORARY TABLE src (line STRING) WITH "
        "('connector' = 'filesystem', 'path' = '/data/in.ndjson', 'format' = 'raw')"
    )


def test_package_layout_is_what_run_options_name_and_reproducible(tmp_path: Path) -> None:
    jar = tmp_path / "connectors.jar"
    jar.write_bytes(b"PK jar bytes")
    first = build_package(jar, tmp_path / "a.zip").read_bytes()
    second = build_package(jar, tmp_path / "b.zip").read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        names = archive.namelist()
        assert names[0] == ENTRY_POINT == "main.py"
        assert archive.read(JAR_ENTRY) == b"PK jar bytes"
        assert {"functions/__init__.py", "functions/flink/sql.py", "functions/flink/job.py"} <= set(names)
        archive.extractall(tmp_path / "unzipped")
    with pytest.raises(JobConfigurationError, match="make flink-jars"):
        build_package(tmp_path / "absent.jar", tmp_path / "c.zip")

    # From the unzipped package alone, main.py imports the job and then asks for its properties.
    done = subprocess.run(
        [sys.executable, ENTRY_POINT],
        cwd=tmp_path / "unzipped",
        env={"FLINK_APPLICATION_PROPERTIES": str(tmp_path / "absent.json"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert f"no application properties at {tmp_path / 'absent.json'}" in done.stderr
