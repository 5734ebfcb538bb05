"""The up-front tool check: one line naming what is wrong and what to do, before anything is installed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from local.check_tools import Found, check, find_python, main, parse_version
from local.paths import PROJECT_ROOT


def finder(**versions: tuple[int, ...] | None) -> Callable[[str], Found | None]:
    """Tools as if found at /x/<tool> with these versions (None: not found); lambda_python is lambda-python."""

    def find(tool: str) -> Found | None:
        version = versions[tool.replace("-", "_")]
        return None if version is None else Found(f"/x/{tool}", version)

    return find


def test_python_3_12_for_the_venvs_is_one_line_naming_the_fix() -> None:
    [line] = check(["python"], finder(python=(3, 12, 1)))
    assert line.startswith("setup: Python 3.11 needed for .venv and .venv-flink")
    assert "/x/python is 3.12.1" in line
    assert "make PYTHON=/path/to/python3.11" in line
    assert "\n" not in line


def test_the_right_tools_pass() -> None:
    assert check(["python", "java", "maven"], finder(python=(3, 11, 7), java=(17, 0, 15), maven=(3, 8, 7))) == []
    assert check(["java"], finder(java=(11, 0, 2))) == []


def test_each_problem_gets_its_line() -> None:
    found = finder(python=None, lambda_python=(3, 11, 7), java=(21, 0, 1), maven=None)
    lines = check(["python", "lambda-python", "java", "maven"], found)
    assert [line.split(" needed")[0].split(" not found")[0] for line in lines] == [
        "setup: Python 3.11",
        "setup: Python 3.12",
        "setup: Java 17 or 11",
        "setup: Maven",
    ]
    assert "not found" in lines[0] and "not found" in lines[3]
    assert "its Lambda runtime, python3.12" in lines[1] and "make AUTHORIZER_PYTHON=" in lines[1]
    assert "/x/java is 21.0.1" in lines[2]


def test_unknown_tool_is_named() -> None:
    with pytest.raises(ValueError, match="unknown tool\\(s\\) node"):
        check(["node"])


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("17.0.15", (17, 0, 15)),
        ("1.8.0_392", (8, 0)),  # Java 8 numbers itself 1.8
        ("Apache Maven 3.8.7 (b89d5959fcde851dcb1c8946a785a163f14e1e29)", (3, 8, 7)),
        ("21", (21,)),
    ],
)
def test_parse_version(text: str, version: tuple[int, ...]) -> None:
    assert parse_version(text) == version


def test_parse_version_without_a_number() -> None:
    with pytest.raises(ValueError, match="no version number"):
        parse_version("openjdk")


def fake_python(root: Path, version: str) -> Path:
    """A stand-in interpreter answering the probe with `version`, laid out as pyenv installs one."""
    major_minor = ".".join(version.split(".")[:2])
    path = root / "versions" / version / "bin" / f"python{major_minor}"
    path.parent.mkdir(parents=True)
    path.write_text(f"#!/bin/sh\necho {version.replace('.', ' ')} {path}\n")
    path.chmod(0o755)
    return path


def test_find_python_falls_back_to_pyenv_versions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    interpreter = fake_python(tmp_path, "3.12.9")
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no python3.12 (nor python3) on the PATH
    assert find_python((3, 12), None) == Found(str(interpreter), (3, 12, 9))
    assert find_python((3, 13), None) is None


def test_an_override_is_used_even_of_the_wrong_version(tmp_path: Path) -> None:
    interpreter = fake_python(tmp_path, "3.10.4")
    assert find_python((3, 11), str(interpreter)) == Found(str(interpreter), (3, 10, 4))
    assert find_python((3, 11), str(tmp_path / "missing")) is None


def run_check(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "local.check_tools", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_script_refuses_python_3_12_in_one_line() -> None:
    result = run_check("python", CHECK_TOOLS_FAKE_PYTHON="3.12.1")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("setup: Python 3.11 needed")


def test_the_script_prints_the_interpreter_for_the_makefile() -> None:
    result = run_check("--which", "python", PYTHON=sys.executable)
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).resolve() == Path(sys.executable).resolve()


def test_usage() -> None:
    assert main([]) == 2
    assert main(["--which", "python", "java"]) == 2
    assert main(["node"]) == 2
