"""Every user-facing command ends an expected failure with its message alone on stderr and a non-zero
exit: no traceback (bad or missing stack, bad config, missing build artifacts, services that cannot start).
The commands run as subprocesses, as a user runs them. (functions.flink.local runs in .venv-flink:
tests/integration/flink/test_local_command.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from local.services.ports import free_port
from tests.support.commands import assert_fails_with_message_alone, run_command
from tiers.defaults import DEFAULT_TIERS

DEFAULT_TIER_LIST = ", ".join(sorted(DEFAULT_TIERS))  # what a message lists as the defined tiers


BAD_STACK = "config:\n  aws:region: us-east-1\n  tenant-pipeline:tenants:\n    - {id: acme, tier: gold}\n"


@pytest.fixture
def broken_project(tmp_path: Path) -> Path:
    (tmp_path / "Pulumi.broken.yaml").write_text(BAD_STACK)
    return tmp_path


def test_plan_with_a_missing_stack() -> None:
    completed = run_command("local.plan", "--stack", "nope")
    assert_fails_with_message_alone(completed, "no stack file Pulumi.nope.yaml (stacks here: dev)")
    assert completed.returncode == 2 and completed.stdout == ""


def test_plan_with_bad_config(broken_project: Path) -> None:
    completed = run_command("local.plan", "--stack", "broken", "--project-dir", str(broken_project))
    assert_fails_with_message_alone(
        completed,
        "Stack 'broken' cannot be planned",
        f"tenant 'acme': tier 'gold' is not defined (tiers: {DEFAULT_TIER_LIST})",
    )
    assert completed.returncode == 2


def test_demo_with_a_missing_stack(tmp_path: Path) -> None:
    completed = run_command("local.sandbox.demo", "--stack", "nope", "--run-dir", str(tmp_path / "run"))
    assert_fails_with_message_alone(completed, "no stack file Pulumi.nope.yaml (stacks here: dev)")
    assert completed.returncode == 2


def test_demo_with_bad_config(tmp_path: Path, broken_project: Path) -> None:
    completed = run_command(
        "local.sandbox.demo", "--stack", "broken", "--project-dir", str(broken_project), "--run-dir", str(tmp_path)
    )
    assert_fails_with_message_alone(
        completed, f"tenant 'acme': tier 'gold' is not defined (tiers: {DEFAULT_TIER_LIST})"
    )
    assert completed.returncode == 2


def test_cassandra_stop_without_a_started_node(tmp_path: Path) -> None:
    completed = run_command("local.services.cassandra", "stop", "--dir", str(tmp_path))
    assert_fails_with_message_alone(completed, f"no Cassandra started from {tmp_path}")


def test_dal_bootstrap_with_a_missing_directory_file(tmp_path: Path) -> None:
    completed = run_command("functions.dal.bootstrap", "--port", "9042", "--directory", str(tmp_path / "tenants.json"))
    assert_fails_with_message_alone(completed, f"cannot read the tenant directory {tmp_path / 'tenants.json'}")


def test_dal_bootstrap_without_a_cassandra_to_reach() -> None:
    port = free_port()  # nothing listens there
    completed = run_command("functions.dal.bootstrap", "--port", str(port), "--keyspace", "tenants_pool")
    assert_fails_with_message_alone(completed, f"cannot reach Cassandra at 127.0.0.1:{port}")


def test_flink_package_without_the_connector_jar(tmp_path: Path) -> None:
    completed = run_command("functions.flink.package", str(tmp_path / "absent.jar"), str(tmp_path / "job.zip"))
    assert_fails_with_message_alone(completed, f"no connector jar at {tmp_path / 'absent.jar'} (make flink-jars)")


def test_authorizer_package_into_a_path_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "build").write_text("not a directory")
    completed = run_command("functions.authorizer.package", str(tmp_path / "build"))
    assert_fails_with_message_alone(completed, f"cannot write the authorizer package under {tmp_path / 'build'}")
