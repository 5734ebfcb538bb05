"""The migration job a move runs (orchestrator/migration_job.py): its arguments, as `make migrate` gives them, the
user's options last, and what it reads back; the job is the stand-in (tests/support/engine_program), no Cassandra."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from local.lifecycle import LOCAL_CASSANDRA_PORT
from local.stack_file import config_path
from orchestrator.errors import MigrationJobError
from orchestrator.migration_job import MigrationJob
from tiers.model import TenantSpec

STAND_IN = Path(__file__).parents[2] / "support" / "engine_program" / "migration_job.py"
TENANT = TenantSpec("acme", "premium", index=3, cell="premium-1")


def record(state: str, verified: str | None = None) -> dict[str, object]:
    return {"tier": "premium", "migration": {"fromTier": "basic", "state": state, "verified": verified}}


def test_the_job_gets_make_migrates_arguments_and_the_users_options_last(tmp_path: Path) -> None:
    local = MigrationJob(work_dir=tmp_path).arguments("dev", TENANT, tmp_path / "d.json", tmp_path / "r.json")
    assert local == [
        "--tenant", "acme", "--directory", str(tmp_path / "d.json"), "--cassandra-port", str(LOCAL_CASSANDRA_PORT),
        "--stack", "dev", "--config-path", config_path(TENANT), "--ledger",
        str(tmp_path / "dev" / "migrations" / "acme.json"), "--result", str(tmp_path / "r.json"),
    ]  # fmt: skip
    on_aws = MigrationJob(options=("--region", "eu-west-1"), work_dir=tmp_path)
    arguments = on_aws.arguments("dev", TENANT, tmp_path / "d.json", tmp_path / "r.json")
    assert "--cassandra-port" not in arguments and arguments[-2:] == ["--region", "eu-west-1"]


def test_the_digest_comes_from_the_jobs_result_and_a_failure_stops_the_move(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = MigrationJob(command=(sys.executable, str(STAND_IN)), work_dir=tmp_path)
    verified = job.run("dev", TENANT, record("copying"))
    assert verified is not None and len(verified) == 16
    directory = json.loads((tmp_path / "dev" / "acme-directory.json").read_text())
    assert directory == {"acme": record("copying")}  # the job ran on the record it was given
    assert job.run("dev", TENANT, record("done", verified)) is None
    monkeypatch.setenv("STANDIN_JOB_FAILS", "cutover")
    with pytest.raises(MigrationJobError, match=r"failed for tenant acme in state cutover \(exit 1"):
        job.run("dev", TENANT, record("cutover", verified))
    silent = MigrationJob(command=(sys.executable, "-c", "pass"), work_dir=tmp_path)
    with pytest.raises(MigrationJobError, match="wrote no result"):
        silent.run("dev", TENANT, record("copying"))
