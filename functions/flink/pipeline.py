"""Build the enrichment job: one source, the enriched sink and the rejected sink, SQL or Python-UDF path, and
on the SQL path the per-tenant metering beside them (functions/flink/metering.py).

With several enriched sinks (Firehose's active partitions per stream: tiers/delivery_shards.py), each
enriched record goes to its tenant's one (sql.delivered_view_statement). `build_pipeline` is what every
driver calls: `local.py` (files), `main.py` (Managed Service:
Kinesis -> Firehose) and the sandbox (moto). It returns the StatementSet; the caller executes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pyflink.common import Configuration
from pyflink.datastream import StreamExecutionEnvironment
from pyflink.java_gateway import get_gateway
from pyflink.table import EnvironmentSettings, StatementSet, StreamTableEnvironment, TableEnvironment
from pyflink.util.java_utils import add_jars_to_context_class_loader

from functions.flink import sql
from functions.flink.errors import JobConfigurationError
from functions.flink.metering import Metering
from functions.flink.tables import Sink, Source

Path_ = Literal["sql", "udf"]
SOURCE_TABLE = "kinesis_records"
ENRICHED_TABLE = "enriched_sink"
REJECTED_TABLE = "rejected_sink"
METERING_TABLE = "metering_sink"


# Options of the execution environment itself: set on the table config after it exists, they would
# not reach the tasks. The job's operators never change a record they are handed (the Calcs build new
# rows; the sinks write bytes), so records pass between chained operators without a copy for each.
EXECUTION_OPTIONS = {"pipeline.object-reuse": "true"}


def create_table_env(
    jars: Sequence[Path] = (),
    checkpoint_interval_ms: int | None = 1000,
    parallelism: int | None = 1,
    restart: bool = False,
) -> TableEnvironment:
    """A streaming TableEnvironment in UTC. `jars`: connector jars to load (none for local files).
    checkpoint_interval_ms: None leaves checkpointing to the runtime (Managed Service configures it).
    restart: False makes a local run fail at the first error instead of restarting forever."""
    jar_uris = [Path(jar).resolve().as_uri() for jar in jars]
    if jar_uris:
        t_env = _local_table_env_with(jar_uris)
    else:
        settings = EnvironmentSettings.new_instance().in_streaming_mode()
        environment = Configuration()
        for key, value in EXECUTION_OPTIONS.items():
            environment.set_string(key, value)
        t_env = TableEnvironment.create(settings.with_configuration(environment).build())
    config = t_env.get_config()
    config.set("table.local-time-zone", "UTC")
    # Both INSERTs read the view `routed`: optimise it once, as one block with all its columns, so
    # that the function under it runs once per record for both sinks (sql.py).
    config.set("table.optimizer.reuse-optimize-block-with-digest-enabled", "true")
    if not restart:
        config.set("restart-strategy.type", "none")
    if parallelism is not None:
        config.set("parallelism.default", str(parallelism))
    if checkpoint_interval_ms is not None:
        # File sinks commit at checkpoints. The Firehose sinks are at-least-once whatever the mode, but the
        # metering's open counts must hold exactly what came before each checkpoint's barrier: exactly-once
        # checkpoints (the service's default mode too).
        config.set("execution.checkpointing.interval", f"{checkpoint_interval_ms} ms")
        config.set("execution.checkpointing.mode", "EXACTLY_ONCE")
    if jars:
        config.set("pipeline.jars", ";".join(jar_uris))
    return t_env


def _local_table_env_with(jar_uris: list[str]) -> TableEnvironment:
    """A local streaming TableEnvironment whose class loader holds `jar_uris`.

    The SQL path's generated code calls the job's Java function, and Flink compiles that code (to
    validate the job graph, before submitting it) with the class loader of the execution environment:
    TableEnvironment.create gives it the JVM's own, and pipeline.jars reaches only the planner and the
    tasks. So the environment is built here with the jars' class loader. (On the service the job runs
    in the application's class loader, which holds its jar: no jars are passed there.)"""
    add_jars_to_context_class_loader(jar_uris)
    jvm = get_gateway().jvm
    configuration = jvm.org.apache.flink.configuration.Configuration()
    # What StreamExecutionEnvironment.getExecutionEnvironment sets up outside a cluster.
    configuration.setString("execution.target", "local")
    configuration.setString("execution.attached", "true")
    environment = jvm.org.apache.flink.streaming.api.environment.StreamExecutionEnvironment
    configuration.setString("parallelism.default", str(environment.getDefaultLocalParallelism()))
    for key, value in EXECUTION_OPTIONS.items():
        configuration.setString(key, value)
    j_env = environment(configuration, jvm.Thread.currentThread().getContextClassLoader())
    return StreamTableEnvironment.create(StreamExecutionEnvironment(j_env), EnvironmentSettings.in_streaming_mode())


def enriched_table(stream: int) -> str:
    return ENRICHED_TABLE if stream == 0 else f"{ENRICHED_TABLE}_{stream}"


def build_pipeline(
    t_env: TableEnvironment,
    source: Source,
    enriched: Sink | Sequence[Sink],
    rejected: Sink,
    path: Path_ = "sql",
    *,
    metering: Metering | None = None,
) -> StatementSet:
    """Declare the tables and views; return the INSERTs (enriched, per stream, rejected, and metering) as one
    StatementSet.

    `enriched`: one sink, or the delivery streams by index, each taking its tenants' records. `metering`: the
    per-tenant usage beside them (the SQL path only)."""
    sinks = [enriched] if isinstance(enriched, Sink) else list(enriched)
    if not sinks:
        raise JobConfigurationError("the job needs at least one enriched sink")
    if metering is not None and path != "sql":
        raise JobConfigurationError("metering runs on the SQL path only (its function returns tier and bytes)")
    t_env.execute_sql(source.ddl(SOURCE_TABLE))
    for stream, sink in enumerate(sinks):
        t_env.execute_sql(sink.ddl(enriched_table(stream)))
    t_env.execute_sql(rejected.ddl(REJECTED_TABLE))
    if path == "sql":
        for statement in sql.view_statements(SOURCE_TABLE):
            t_env.execute_sql(statement)
        view = "routed"
    else:
        from functions.flink.udf_path import declare_views

        view = declare_views(t_env, SOURCE_TABLE)
    statements = t_env.create_statement_set()
    if metering is not None:
        t_env.execute_sql(metering.ddl(METERING_TABLE))
        statements.add_insert_sql(metering.insert(METERING_TABLE, view))
    if len(sinks) == 1:
        statements.add_insert_sql(sql.enriched_insert(ENRICHED_TABLE, view))
    else:
        t_env.execute_sql(sql.delivered_view_statement(view, len(sinks)))
        view = sql.DELIVERED_VIEW
        for stream in range(len(sinks)):
            statements.add_insert_sql(sql.routed_enriched_insert(enriched_table(stream), stream, view))
    statements.add_insert_sql(sql.rejected_insert(REJECTED_TABLE, view))
    return statements
