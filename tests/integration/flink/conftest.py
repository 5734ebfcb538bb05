"""One run of the real local job (PyFlink on the JVM) over every case; the tests read its output."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from functions.flink.local import ENRICHED_DIR, REJECTED_DIR, job_jar_path, read_output, run_local
from local.paths import PROJECT_ROOT
from local.services.ports import LOOPBACK, free_port, wait_for_port
from tests.integration.flink.cases import CASES

# moto and boto3 live in the Pulumi virtualenv (.venv); this suite runs in .venv-flink.
AWS_PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"
# The job's jar: the built one, or $FLINK_CONNECTOR_JAR (a jar built elsewhere, e.g. -Dbuild.root).
CONNECTOR_JAR = job_jar_path()


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


@pytest.fixture(scope="session")
def moto_endpoint(run_dir: Path) -> Iterator[str]:
    """moto in server mode, run by .venv's Python in its own process group; stopped after the session."""
    if not AWS_PYTHON.is_file():
        raise FileNotFoundError(f"{AWS_PYTHON} is missing: `make venv` builds it (moto runs there)")
    port = free_port()
    with (run_dir / "flink-moto.log").open("ab") as log:
        process = subprocess.Popen(
            [str(AWS_PYTHON), "-m", "moto.server", "-H", LOOPBACK, "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_port(port, timeout=60, alive=lambda: process.poll() is None)
        yield f"http://{LOOPBACK}:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def aws(*args: str) -> str:
    """Run tests/integration/flink/moto_aws.py with .venv's Python; its stdout."""
    script = Path(__file__).resolve().parent / "moto_aws.py"
    done = subprocess.run([str(AWS_PYTHON), str(script), *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"moto_aws.py {args[0]} failed: {done.stderr[-2000:]}")
    return done.stdout
