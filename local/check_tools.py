"""What the Makefile needs from the machine, checked before anything is installed: one line per problem.

    python3 -m local.check_tools python java maven   # exit 1 with one line each for what is missing
    python3 -m local.check_tools --which python      # the path of the venvs' Python (for the Makefile)

Tools: `python` (3.11: .venv and .venv-flink; apache-flink 1.20 ships cp311 wheels for this setup),
`lambda-python` (the authorizer's Lambda runtime, functions/contracts/lambda_runtime.py: its tests run on
it), `java` (17 or 11: Flink 1.20 and Cassandra 5.0), `maven` (the connector jar, Cassandra's jars).
An interpreter is taken from $PYTHON / $AUTHORIZER_PYTHON (a command or a path), else pythonX.Y on the
PATH, else pyenv's versions. Standard library only: it runs on whatever python3 the machine has.
CHECK_TOOLS_FAKE_<TOOL>=<version> (e.g. CHECK_TOOLS_FAKE_PYTHON=3.12.1) pretends a tool has a version.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from functions.contracts.lambda_runtime import LAMBDA_RUNTIME, runtime_python_version
from local.services.cassandra import SUPPORTED_JAVA

VENV_PYTHON = (3, 11)


@dataclass(frozen=True)
class Found:
    """A tool as found on the machine: where it is and its version, or None when it is not there."""

    path: str
    version: tuple[int, ...]


@dataclass(frozen=True)
class Requirement:
    tool: str
    want: str  # as a user reads it: "Python 3.11", "Java 17 or 11"
    why: str
    accepts: Callable[[tuple[int, ...]], bool]
    hint: str


def python_requirement(tool: str, version: tuple[int, int], why: str, variable: str) -> Requirement:
    dotted = ".".join(map(str, version))
    return Requirement(
        tool,
        f"Python {dotted}",
        why,
        lambda found: found[:2] == version,
        f"install Python {dotted} (e.g. `pyenv install {dotted}`) or run make {variable}=/path/to/python{dotted}",
    )


REQUIREMENTS = {
    "python": python_requirement(
        "python",
        VENV_PYTHON,
        "for .venv and .venv-flink (apache-flink 1.20 ships cp311 wheels here)",
        "PYTHON",
    ),
    "lambda-python": python_requirement(
        "lambda-python",
        runtime_python_version(LAMBDA_RUNTIME),
        f"for .venv-authorizer (the authorizer's tests run on its Lambda runtime, {LAMBDA_RUNTIME})",
        "AUTHORIZER_PYTHON",
    ),
    "java": Requirement(
        "java",
        "Java " + " or ".join(map(str, SUPPORTED_JAVA)),
        "for Flink 1.20 and Cassandra 5.0",
        lambda found: found[:1] in [(v,) for v in SUPPORTED_JAVA],
        "install a JDK 17 (e.g. `apt-get install openjdk-17-jdk-headless`) and put its java first on the PATH",
    ),
    "maven": Requirement(
        "maven",
        "Maven",
        "for the Flink connector jar and Cassandra (both from Maven Central)",
        lambda found: True,
        "install it (e.g. `apt-get install maven`)",
    ),
}


# ------------------------------------------------------------------------------------------- versions
def parse_version(text: str) -> tuple[int, ...]:
    """The first dotted number in `text`: "3.11.7" -> (3, 11, 7); Java's old "1.8.0_392" -> (8, 0, 392)."""
    match = re.search(r"(\d+(?:\.\d+)*)", text)
    if match is None:
        raise ValueError(f"no version number in {text!r}")
    numbers = tuple(int(part) for part in match.group(1).split("."))
    return numbers[1:] if numbers[:1] == (1,) and len(numbers) > 1 else numbers


def run_version(command: Sequence[str]) -> str | None:
    """What `command` prints (stdout and stderr), or None if it is missing or fails (a pyenv shim
    for a version that is not selected exits 127)."""
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout + result.stderr if result.returncode == 0 else None


PYTHON_PROBE = "import sys; print(sys.version_info[0], sys.version_info[1], sys.version_info[2], sys.executable)"


def probe_python(command: str) -> Found | None:
    output = run_version([command, "-c", PYTHON_PROBE])
    if output is None:
        return None
    major, minor, micro, executable = output.strip().split(" ", 3)
    return Found(executable, (int(major), int(minor), int(micro)))


def pyenv_candidates(version: tuple[int, int]) -> list[str]:
    root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    dotted = ".".join(map(str, version))
    return sorted(str(p) for p in Path(root).glob(f"versions/{dotted}.*/bin/python{dotted}"))


def find_python(version: tuple[int, int], override: str | None) -> Found | None:
    """The interpreter to use: the override if given, else the first pythonX.Y that runs, from the
    PATH then pyenv; failing those, python3 whatever its version, so that the check can name it."""
    if override:
        return probe_python(override)
    dotted = ".".join(map(str, version))
    for command in [f"python{dotted}", *pyenv_candidates(version)]:
        found = probe_python(command)
        if found is not None and found.version[:2] == version:
            return found
    return probe_python("python3")


def find_tool(tool: str) -> Found | None:
    fake = os.environ.get(f"CHECK_TOOLS_FAKE_{tool.upper().replace('-', '_')}")
    if fake is not None:
        return Found(f"{tool} (CHECK_TOOLS_FAKE_{tool.upper()})", parse_version(fake)) if fake else None
    if tool == "python":
        return find_python(VENV_PYTHON, os.environ.get("PYTHON"))
    if tool == "lambda-python":
        return find_python(runtime_python_version(LAMBDA_RUNTIME), os.environ.get("AUTHORIZER_PYTHON"))
    command = {"java": ["java", "-version"], "maven": ["mvn", "-v"]}[tool]
    path = shutil.which(command[0])
    output = run_version(command) if path else None
    if path is None or output is None:
        return None
    # java -version: 'openjdk version "17.0.15" 2025-04-15'; mvn -v: 'Apache Maven 3.8.7 (...)'.
    quoted = re.search(r'version "([^"]+)"', output)
    return Found(path, parse_version(quoted.group(1) if quoted else output))


# ------------------------------------------------------------------------------------------- verdicts
def problem(requirement: Requirement, found: Found | None) -> str | None:
    """One line naming what is wrong and what to do, or None when the tool is fine."""
    if found is None:
        return f"setup: {requirement.want} not found, needed {requirement.why}; {requirement.hint}"
    if not requirement.accepts(found.version):
        version = ".".join(map(str, found.version))
        return f"setup: {requirement.want} needed {requirement.why}, but {found.path} is {version}; {requirement.hint}"
    return None


def check(tools: Sequence[str], finder: Callable[[str], Found | None] = find_tool) -> list[str]:
    unknown = [tool for tool in tools if tool not in REQUIREMENTS]
    if unknown:
        raise ValueError(f"unknown tool(s) {', '.join(unknown)}; known: {', '.join(REQUIREMENTS)}")
    return [line for tool in tools if (line := problem(REQUIREMENTS[tool], finder(tool))) is not None]


def main(argv: Sequence[str]) -> int:
    which = argv[:1] == ["--which"]
    tools = list(argv[1:] if which else argv)
    if not tools or (which and len(tools) != 1):
        print(f"usage: python3 -m local.check_tools [--which] TOOL...  (TOOL: {', '.join(REQUIREMENTS)})")
        return 2
    try:
        problems = check(tools)
    except ValueError as error:
        print(f"setup: {error}", file=sys.stderr)
        return 2
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        return 1
    if which:
        found = find_tool(tools[0])
        assert found is not None  # the check above found it
        print(found.path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
