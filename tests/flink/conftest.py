"""One run of the real local job (PyFlink on the JVM) over every case; the tests read its output."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from functions.flink.local import ENRICHED_DIR, REJECTED_DIR, read_output, run_local
from tests.flink.cases import CASES


@dataclass(frozen=True)
class JobRun:
    input_lines: list[str]
    enriched: list[dict[str, object]]
    rejected: list[dict[str, object]]
    started_ms: int
    finished_ms: int


def run_job(work: Path, lines: list[str], path: str) -> JobRun:
    input_path = work / "records.ndjson"
    input_path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    started = int(time.time() * 1000)
    run_local(input_path, work / "out", path)  # type: ignore[arg-type]
    finished = int(time.time() * 1000)
    return JobRun(
        lines,
        [json.loads(line) for line in read_output(work / "out" / ENRICHED_DIR)],
        [json.loads(line) for line in read_output(work / "out" / REJECTED_DIR)],
        started,
        finished,
    )


@pytest.fixture(scope="session")
def sql_run(tmp_path_factory: pytest.TempPathFactory) -> JobRun:
    return run_job(tmp_path_factory.mktemp("flink-sql"), [case.line for case in CASES], "sql")


@pytest.fixture(scope="session")
def udf_run(tmp_path_factory: pytest.TempPathFactory) -> JobRun:
    return run_job(tmp_path_factory.mktemp("flink-udf"), [case.line for case in CASES], "udf")
