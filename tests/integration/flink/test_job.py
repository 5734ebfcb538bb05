"""The local job's output for every case: enriched records, rejects with their reasons, nothing lost."""

from __future__ import annotations

import json

import pytest

from functions.flink import rules, sql
from functions.flink.attribution import attribute
from tests.integration.flink.cases import CASES, Case
from tests.integration.flink.conftest import JobRun

pytestmark = pytest.mark.flink


def expected_enriched(line: str) -> dict[str, object]:
    record = json.loads(line)
    return {field: record.get(field) for field in (*rules.ENVELOPE_FIELDS, "payload")}


def check_run(run: JobRun, cases: list[Case] = CASES) -> None:
    """Every case came out once, where and as it should."""
    assert [case.line for case in cases] == run.input_lines
    assert len(run.enriched) + len(run.rejected) == len(run.input_lines)

    good = [case for case in cases if case.reason is None]
    by_request = {record["requestId"] if record["requestId"] else record["tenantId"]: record for record in run.enriched}
    assert len(by_request) == len(good) == len(run.enriched)
    for case in good:
        wanted = expected_enriched(case.line)
        out = dict(by_request[str(wanted["requestId"] or wanted["tenantId"])])
        timestamp = out.pop("timestamp")
        assert out == wanted, case.name
        assert list(out) == [*rules.ENVELOPE_FIELDS, "payload"], case.name
        assert isinstance(timestamp, int)
        assert run.started_ms <= timestamp <= run.finished_ms, case.name

    bad = [case for case in cases if case.reason is not None]
    assert len(run.rejected) == len(bad)
    remaining = list(run.rejected)
    for case in bad:
        wanted_record = case.line[: rules.MAX_REJECTED_RECORD_CHARS]
        match = [reject for reject in remaining if reject["record"] == wanted_record]
        assert len(match) == 1, case.name
        reject = match[0]
        remaining.remove(reject)
        assert set(reject) == set(rules.REJECT_FIELDS)
        attributed = attribute(case.line)  # the tenant a reject counts for (metering), as the Python reference says
        assert reject["tenantId"] == (attributed.tenant if attributed else None), case.name
        assert reject["receivedAt"] == (attributed.received_at if attributed else None), case.name
        assert reject["reason"] == case.reason, case.name
        assert isinstance(reject["timestamp"], int)
        assert run.started_ms <= reject["timestamp"] <= run.finished_ms, case.name
    assert remaining == []


def test_sql_path_routes_every_record(sql_run: JobRun) -> None:
    check_run(sql_run)


def test_rejected_records_fit_firehose(sql_run: JobRun) -> None:
    for reject in sql_run.rejected:
        size = len(json.dumps(reject).encode())
        assert size <= rules.FIREHOSE_MAX_RECORD_BYTES


def test_udf_path_routes_every_record_alike(udf_run: JobRun) -> None:
    check_run(udf_run)


def optimized_plan(tmp_path, metering: bool = False) -> str:
    """The job's optimized plan over a file (with the metering sink or without)."""
    from functions.flink.local import job_jar
    from functions.flink.metering import Metering, MeteringSink
    from functions.flink.pipeline import build_pipeline, create_table_env
    from functions.flink.tables import FileSink, FileSource

    source = tmp_path / "in.ndjson"
    source.write_text(CASES[0].line + "\n")
    statements = build_pipeline(
        create_table_env([job_jar()]),
        FileSource(str(source)),
        FileSink(str(tmp_path / "e")),
        FileSink(str(tmp_path / "r")),
        metering=Metering(MeteringSink(str(tmp_path / "m"))) if metering else None,
    )
    return str(statements.explain().split("== Optimized Execution Plan ==")[1])


def test_sql_path_parses_each_record_once(tmp_path) -> None:
    """The planner must not copy the function's call into every use of its result, nor plan it once
    per sink: one call per record (bench/RESULTS.md), and no JSON or regex built-in left around it
    (the function prints the rejected record too)."""
    plan = optimized_plan(tmp_path)
    assert plan.count(f"{sql.FUNCTION}(line, ") == 1
    for builtin in ("JSON_QUERY(", "IS JSON", "REGEXP(", "JSON_OBJECT("):
        assert builtin not in plan
    assert plan.count("Reused(") == 2  # both sinks read the one block of views


def test_metering_reads_the_enrichment_s_rows_without_parsing_or_projecting(tmp_path) -> None:
    """The metering sink takes the view `routed` as it is: still one enrich_record call per record, no other
    function on the line (no event-time column, no watermark), and no Calc between the shared block and the sink."""
    from functions.flink.pipeline import METERING_TABLE

    plan = optimized_plan(tmp_path, metering=True)
    assert plan.count(f"{sql.FUNCTION}(line, ") == 1
    assert "WatermarkAssigner" not in plan and "received_at(line" not in plan
    metering_sink = plan[plan.index(f"Sink(table=[default_catalog.default_database.{METERING_TABLE}]") :]
    assert metering_sink.splitlines()[1].strip().startswith("+- Reused(")
    assert plan.count("Reused(") == 3  # the enriched, rejected and metering sinks read the one block


@pytest.mark.parametrize("with_jar", [False, True], ids=["service", "local"])
def test_records_pass_between_chained_operators_without_copies(with_jar: bool) -> None:
    """Object reuse must reach the execution environment, whichever way it is built (the service's
    environment has no jars passed; a local one loads the job's jar): set on the table config after
    the environment exists, it would not."""
    from functions.flink.local import job_jar
    from functions.flink.pipeline import create_table_env

    t_env = create_table_env([job_jar()] if with_jar else [])
    assert t_env._j_tenv.getPlanner().getExecEnv().getConfig().isObjectReuseEnabled()
