"""The project's requirements files and lockfiles, read as pins: {normalized name: [(version, marker)]}."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from local.paths import PROJECT_ROOT

# Each lockfile and the requirements file it is compiled from (Makefile, `make lock`).
LOCKS = {
    "requirements-dev.lock": "requirements-dev.txt",
    "requirements-flink.lock": "requirements-flink.txt",
    "requirements-authorizer.lock": "requirements-authorizer.txt",
    "functions/authorizer/requirements.lock": "functions/authorizer/requirements.txt",
}
PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==(?P<version>[^\s;#]+)\s*(;\s*(?P<marker>[^#]+))?"
)


def normalize(name: str) -> str:
    """PEP 503: PyJWT, pyjwt and py_jwt are one project."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(path: Path, follow_includes: bool = True) -> dict[str, list[tuple[str, str]]]:
    """Every `name==version` line of a requirements file or lockfile, with its marker ('' for none);
    `-r other.txt` includes are read too (paths relative to the project root, as the files write them)."""
    pins: dict[str, list[tuple[str, str]]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #")[0].strip()
        if follow_includes and line.startswith("-r "):
            for name, versions in read_pins(PROJECT_ROOT / line[3:].strip()).items():
                pins.setdefault(name, []).extend(versions)
            continue
        match = PIN.match(line)
        if match:
            marker = (match.group("marker") or "").strip()
            pins.setdefault(normalize(match.group("name")), []).append((match.group("version"), marker))
    return pins


def compile_options(lock: Path) -> dict[str, str]:
    """The options of the `uv pip compile` command recorded in the lockfile's header."""
    header = lock.read_text(encoding="utf-8").splitlines()[:2]
    command = shlex.split(header[1].lstrip("#"))
    assert command[:3] == ["uv", "pip", "compile"], f"{lock}: no uv pip compile header"
    following = [*command[1:], ""]
    return {
        flag: "" if value.startswith("-") else value
        for flag, value in zip(command, following, strict=True)
        if flag.startswith("--")
    }
