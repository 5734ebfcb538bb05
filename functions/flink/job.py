"""The deployed job: Kinesis -> enrichment (SQL path) -> Firehose (enriched, one or N streams) and Firehose (rejected),
and per-tenant metering beside it (files in S3: functions/flink/metering.py).

`start_kinesis_job` is what main.py (Managed Service) and the sandbox (moto) call.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pyflink.java_gateway import get_gateway
from pyflink.table import TableResult

from functions.flink.checkpoints import LocalCheckpoints
from functions.flink.pipeline import build_pipeline, create_table_env
from functions.flink.properties import (
    REJECTED_SINK_GROUP,
    PropertyGroups,
    enriched_sinks,
    firehose_sink,
    kinesis_source,
    metering,
    s3_options,
)


def start_kinesis_job(
    groups: PropertyGroups,
    jars: Sequence[Path] = (),
    checkpoint_interval_ms: int | None = None,
    checkpoints: LocalCheckpoints | None = None,
) -> TableResult:
    """Submit the job; it runs until cancelled (result.get_job_client().cancel()).

    On the service: no jars (the runtime loads run.options' jarfile) and no checkpoint settings (the
    application's checkpoint configuration applies). Elsewhere: pass the connector jar and an interval,
    or `checkpoints` to keep them in a directory and resume from one.
    """
    source = kinesis_source(groups)
    if source.endpoint:
        use_json_protocol()
    enriched = enriched_sinks(groups)  # one, or each tenant's delivery stream by the shared routing rule
    rejected = firehose_sink(groups, REJECTED_SINK_GROUP)
    t_env = create_table_env(jars, checkpoint_interval_ms, parallelism=None, restart=True)
    if checkpoints is not None:
        for key, value in checkpoints.options().items():
            t_env.get_config().set(key, value)
    configure_file_systems(s3_options(groups))
    return build_pipeline(t_env, source, enriched, rejected, "sql", metering=metering(groups)).execute()


def configure_file_systems(options: dict[str, str]) -> None:
    """Point the S3 file system (the metering sink's) at a local emulator, for jobs run in this process's JVM.

    Flink configures file systems once, from the cluster's configuration, before any job: a local run's is
    this process's, so the options go in here (the job's jar, on the context class loader, provides the
    file system). On the service there is nothing to set (and this is not called with options)."""
    if not options:
        return
    jvm = get_gateway().jvm
    configuration = jvm.org.apache.flink.configuration.Configuration()
    for key, value in options.items():
        configuration.setString(key, value)
    jvm.org.apache.flink.core.fs.FileSystem.initialize(configuration, None)


# The Kinesis source's AWS SDK (v1, relocated inside the connector) talks CBOR to Kinesis by default;
# moto answers CBOR with HTTP 500. The SDK reads this system property (relocated name) or the
# environment variable AWS_CBOR_DISABLE=true at client creation.
CBOR_DISABLE_PROPERTY = "org.apache.flink.kinesis.shaded.com.amazonaws.sdk.disableCbor"


def use_json_protocol() -> None:
    """Make the Kinesis source's SDK speak JSON (as emulators need), for jobs run in this process's JVM."""
    get_gateway().jvm.System.setProperty(CBOR_DISABLE_PROPERTY, "true")
