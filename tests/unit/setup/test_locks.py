"""The lockfiles are the single source of installed versions: every direct pin is in its lock, each lock
is resolved for the Python that runs it, and the authorizer's code gets the Lambda package's versions."""

from __future__ import annotations

import subprocess
import sys

import pytest

from components.ingestion.api_authorizer import RUNTIME
from functions.contracts.lambda_runtime import LAMBDA_RUNTIME, LAMBDA_WHEEL_PLATFORM, runtime_python_version
from local.check_tools import VENV_PYTHON
from local.paths import PROJECT_ROOT
from tests.support.locks import LOCKS, compile_options, read_pins

LAMBDA_LOCK = "functions/authorizer/requirements.lock"


@pytest.mark.parametrize(("lock", "source"), LOCKS.items())
def test_every_direct_pin_is_in_its_lock(lock: str, source: str) -> None:
    locked = read_pins(PROJECT_ROOT / lock, follow_includes=False)
    stale = [
        f"{name}=={version} (lock: {', '.join(v for v, _ in locked.get(name, [])) or 'missing'})"
        for name, versions in read_pins(PROJECT_ROOT / source).items()
        for version, _ in versions
        if version not in [v for v, _ in locked.get(name, [])]
    ]
    assert not stale, f"{source} pins what {lock} does not have: {stale}; run `make lock`"


def test_the_dev_and_flink_locks_are_resolved_for_the_python_these_tests_run_on() -> None:
    """.venv runs this test: its Python is the one the venv locks were resolved for."""
    version = ".".join(map(str, sys.version_info[:2]))
    assert sys.version_info[:2] == VENV_PYTHON
    for lock in ("requirements-dev.lock", "requirements-flink.lock"):
        assert compile_options(PROJECT_ROOT / lock)["--python-version"] == version, lock


def test_the_authorizer_locks_are_resolved_for_the_declared_lambda_runtime() -> None:
    version = ".".join(map(str, runtime_python_version(LAMBDA_RUNTIME)))
    package = compile_options(PROJECT_ROOT / LAMBDA_LOCK)
    assert (package["--python-version"], package["--python-platform"]) == (version, LAMBDA_WHEEL_PLATFORM)
    assert compile_options(PROJECT_ROOT / "requirements-authorizer.lock")["--python-version"] == version


@pytest.mark.parametrize("lock", ["requirements-dev.lock", "requirements-authorizer.lock"])
def test_the_authorizer_is_tested_with_the_versions_it_is_deployed_with(lock: str) -> None:
    venv = read_pins(PROJECT_ROOT / lock)
    for name, [(version, _)] in read_pins(PROJECT_ROOT / LAMBDA_LOCK).items():
        assert version in [v for v, _ in venv[name]], f"{lock}: {name} is not {version} as in {LAMBDA_LOCK}"


def test_the_stack_and_the_package_use_the_declared_runtime() -> None:
    assert RUNTIME == LAMBDA_RUNTIME
    dry_run = subprocess.run(
        ["make", "-n", "--no-print-directory", "authorizer-package"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.replace("\\\n", " ")
    dry_run = " ".join(dry_run.split())  # one space between words, continuation lines joined
    version = ".".join(map(str, runtime_python_version(LAMBDA_RUNTIME)))
    assert f"--python-version {version} --python-platform {LAMBDA_WHEEL_PLATFORM}" in dry_run
    assert f"-r {LAMBDA_LOCK}" in dry_run


def test_runtime_python_version() -> None:
    assert runtime_python_version("python3.12") == (3, 12)
    assert runtime_python_version("python3.9") == (3, 9)
    for wrong in ("nodejs22.x", "python3", "python3.x", "cpython3.12"):
        with pytest.raises(ValueError, match="not a Lambda Python runtime identifier"):
            runtime_python_version(wrong)
