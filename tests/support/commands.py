"""Running a user-facing command as the user does, and checking how it fails."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from local.paths import PROJECT_ROOT


def run_command(
    *args: str, python: Path | str = sys.executable, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-m", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_console_script(
    name: str, *args: str, env: Mapping[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """A console script of the project (pyproject.toml [project.scripts]), as `make venv` installs it."""
    return subprocess.run(
        [str(Path(sys.executable).parent / name), *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
    )


def assert_fails_with_message_alone(completed: subprocess.CompletedProcess[str], *message: str) -> None:
    """A non-zero exit; stderr holds the message (every fragment), no traceback, nothing else."""
    assert completed.returncode != 0, completed.stdout + completed.stderr
    assert "Traceback" not in completed.stderr, completed.stderr
    assert completed.stderr.startswith("error: "), completed.stderr
    for fragment in message:
        assert fragment in completed.stderr, (fragment, completed.stderr)
