"""The job over several enriched delivery streams: each enriched record goes to its tenant's stream,
by the rule the program plans with (functions/contracts/delivery_routing.py), computed once per record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import pytest

from functions.contracts.delivery_routing import delivery_stream_index
from functions.flink.local import read_output
from tests.integration.flink.cases import CASES

pytestmark = pytest.mark.flink

STREAMS = 3
TENANTS = [f"tenant-{n}" for n in range(40)] + ["acme", "globex", "initech", "umbrella-labs", "hooli"]


def tenant_lines() -> list[str]:
    """A good record per tenant, in the template's field order and reordered."""
    lines = []
    for n, tenant in enumerate(TENANTS):
        lines.append(json.dumps({"tenantId": tenant, "tier": "basic", "requestId": f"r{n}", "receivedAt": n,
                                 "payload": {"n": n}}))  # fmt: skip
        lines.append(json.dumps({"payload": {"n": n}, "requestId": f"c{n}", "tenantId": tenant, "tier": "basic",
                                 "receivedAt": n}))  # fmt: skip
    return lines


Records = list[dict[str, object]]


def run(tmp_path: Path, path: Literal["sql", "udf"], lines: list[str]) -> tuple[list[Records], Records]:
    from functions.flink.local import job_jar
    from functions.flink.pipeline import build_pipeline, create_table_env
    from functions.flink.tables import FileSink, FileSource

    source = tmp_path / "in.ndjson"
    source.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    sinks = [FileSink(str(tmp_path / f"stream-{n}")) for n in range(STREAMS)]
    build_pipeline(
        create_table_env([job_jar()]), FileSource(str(source)), sinks, FileSink(str(tmp_path / "r")), path
    ).execute().wait()
    streams = [[json.loads(line) for line in read_output(tmp_path / f"stream-{n}")] for n in range(STREAMS)]
    return streams, [json.loads(line) for line in read_output(tmp_path / "r")]


@pytest.mark.parametrize("path", ["sql", "udf"])
def test_each_enriched_record_goes_to_its_tenant_s_stream_and_rejects_stay_one(
    tmp_path: Path, path: Literal["sql", "udf"]
) -> None:
    lines = tenant_lines() + [case.line for case in CASES]
    streams, rejected = run(tmp_path, path, lines)
    good = len(tenant_lines()) + sum(case.reason is None for case in CASES)
    assert sum(len(records) for records in streams) == good
    assert len(rejected) == sum(case.reason is not None for case in CASES)
    for stream, records in enumerate(streams):
        for record in records:
            assert delivery_stream_index(str(record["tenantId"]), STREAMS) == stream, record
    # The 45 tenants use every stream, each tenant one stream only.
    used = {str(r["tenantId"]): n for n, records in enumerate(streams) for r in records}
    assert set(used.values()) == set(range(STREAMS))
    for tenant in TENANTS:
        assert sum(str(r["tenantId"]) == tenant for r in streams[used[tenant]]) >= 2  # both field orders


def test_the_stream_is_computed_once_per_record_for_every_sink(tmp_path: Path) -> None:
    from functions.flink import sql
    from functions.flink.local import job_jar
    from functions.flink.pipeline import build_pipeline, create_table_env
    from functions.flink.tables import FileSink, FileSource

    source = tmp_path / "in.ndjson"
    source.write_text(CASES[0].line + "\n")
    sinks = [FileSink(str(tmp_path / f"s{n}")) for n in range(STREAMS)]
    statements = build_pipeline(
        create_table_env([job_jar()]), FileSource(str(source)), sinks, FileSink(str(tmp_path / "r"))
    )
    plan = statements.explain().split("== Optimized Execution Plan ==")[1]
    assert plan.count("SHA256(") == STREAMS  # one score per stream, not one per stream per sink
    assert plan.count(f"{sql.FUNCTION}(line, ") == 1  # the record's one parse, shared by every sink
    assert "REGEXP_EXTRACT(" not in plan  # the tenant comes from the function, not from the record's text
