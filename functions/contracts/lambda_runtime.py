"""The Lambda runtime the authorizer is deployed on: the one Python version its package and tests use.

Read by the stack (components/ingestion/api_authorizer.py), by the Makefile (the wheels of
`make authorizer-package`, `make lock`, the Python of `.venv-authorizer` where the authorizer's tests
run) and by local/check_tools.py. python3.12 because python3.11 was deprecated on Lambda on
Jun 30, 2026; python3.12 is supported until Oct 31, 2028 (AWS Lambda runtimes table).
"""

from __future__ import annotations

LAMBDA_RUNTIME = "python3.12"
LAMBDA_ARCHITECTURE = "x86_64"
# The wheels `make authorizer-package` installs: manylinux2014 (glibc 2.17) runs on Amazon Linux 2023.
LAMBDA_WHEEL_PLATFORM = "x86_64-manylinux2014"


def runtime_python_version(runtime: str = LAMBDA_RUNTIME) -> tuple[int, int]:
    """(3, 12) for "python3.12"; a clear error for anything that is not a Lambda Python runtime id."""
    prefix, _, version = runtime.partition("python")
    major, _, minor = version.partition(".")
    if prefix or not (major.isdigit() and minor.isdigit()):
        raise ValueError(f"not a Lambda Python runtime identifier: {runtime!r} (expected e.g. 'python3.12')")
    return int(major), int(minor)
