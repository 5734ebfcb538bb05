"""Run by `make test-authorizer` in .venv-authorizer, with the authorizer's tests: they run on the Python
of the Lambda runtime the stack declares, with the versions of the package `make authorizer-package` builds."""

from __future__ import annotations

import sys
from importlib.metadata import version

from functions.contracts.lambda_runtime import LAMBDA_RUNTIME, runtime_python_version
from local.paths import PROJECT_ROOT
from tests.support.locks import read_pins


def test_the_authorizer_tests_run_on_the_declared_lambda_runtime() -> None:
    running = ".".join(map(str, sys.version_info[:3]))
    assert sys.version_info[:2] == runtime_python_version(LAMBDA_RUNTIME), (
        f"the authorizer is deployed on {LAMBDA_RUNTIME} but its tests run on Python {running}: "
        "run them with `make test-authorizer`"
    )


def test_the_authorizer_tests_run_with_the_packaged_versions() -> None:
    packaged = read_pins(PROJECT_ROOT / "functions" / "authorizer" / "requirements.lock")
    installed = {name: version(name) for name in packaged}
    assert installed == {name: pinned for name, [(pinned, _)] in packaged.items()}
