"""The deployed pipeline (Kinesis source -> SQL -> two Firehose sinks, the connector jar) against moto."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from functions.flink.job import start_kinesis_job
from functions.flink.properties import ENRICHED_SINK_GROUP, REJECTED_SINK_GROUP, SOURCE_GROUP
from functions.flink.rules import MAX_RECORD_BYTES
from tests.integration.flink.cases import CASES
from tests.integration.flink.conftest import CONNECTOR_JAR, JobRun, aws
from tests.integration.flink.moto_aws import DELIVERY_STREAMS, REGION
from tests.integration.flink.test_job import check_run

pytestmark = [pytest.mark.flink, pytest.mark.moto]

# Kinesis takes records of at most 1 MiB: the larger cases cannot be put on a stream.
STREAM_CASES = [case for case in CASES if len(case.line.encode()) <= MAX_RECORD_BYTES]
DEADLINE_SECONDS = 240


def property_groups(stream_arn: str, endpoint: str) -> dict[str, dict[str, str]]:
    local = {
        "aws.region": REGION,
        "aws.endpoint": endpoint,
        # Explicit credentials: the JVM may have started before this test set any environment.
        "aws.credentials.provider": "BASIC",
        "aws.credentials.basic.accesskeyid": "testing",
        "aws.credentials.basic.secretkey": "testing",
    }
    return {
        SOURCE_GROUP: {"stream.arn": stream_arn, "initial.position": "TRIM_HORIZON", **local},
        ENRICHED_SINK_GROUP: {"delivery.stream.name": DELIVERY_STREAMS["enriched"], **local},
        REJECTED_SINK_GROUP: {"delivery.stream.name": DELIVERY_STREAMS["rejected"], **local},
    }


def test_kinesis_records_reach_firehose_enriched_or_rejected(moto_endpoint: str, tmp_path: Path) -> None:
    assert CONNECTOR_JAR.is_file(), "the connector jar is missing: make flink-jars"
    assert len(STREAM_CASES) >= len(CASES) - 2
    lines = [case.line for case in STREAM_CASES]
    records = tmp_path / "records.ndjson"
    records.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    stream_arn = aws("setup", moto_endpoint, str(records)).strip()

    started = int(time.time() * 1000)
    result = start_kinesis_job(property_groups(stream_arn, moto_endpoint), [CONNECTOR_JAR], checkpoint_interval_ms=1000)
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            found = json.loads(aws("read", moto_endpoint))
            if len(found["enriched"]) + len(found["rejected"]) >= len(lines) or time.monotonic() > deadline:
                break
            time.sleep(3)
        time.sleep(3)  # anything past the expected count would show up as a duplicate below
        found = json.loads(aws("read", moto_endpoint))
    finally:
        result.get_job_client().cancel().result()
    finished = int(time.time() * 1000)

    check_run(JobRun(lines, found["enriched"], found["rejected"], started, finished), STREAM_CASES)
