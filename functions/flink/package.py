"""Build the zip Managed Service for Apache Flink runs: `python -m functions.flink.package JAR ZIP`.

Layout (run.options: python=main.py, jarfile=lib/flink-connectors.jar):
  main.py, functions/__init__.py, functions/flink/*.py, functions/contracts/*.py, lib/flink-connectors.jar
No other Python dependencies: the runtime provides PyFlink. Entries carry a fixed date, so the same
inputs give the same zip (and Pulumi sees no change).
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

from functions.contracts.cli import run_command
from functions.contracts.flink_properties import CONNECTORS_JAR, PYTHON_ENTRY_POINT
from functions.flink.errors import JobConfigurationError

JOB_DIR = Path(__file__).resolve().parent
FUNCTIONS_DIR = JOB_DIR.parent
# Where the application's run options (the program declares them from the same contract) find them.
ENTRY_POINT = PYTHON_ENTRY_POINT
JAR_ENTRY = CONNECTORS_JAR
_FIXED_DATE = (2020, 1, 1, 0, 0, 0)


def package_entries(jar: Path) -> list[tuple[str, Path]]:
    """(name in zip, file) for every entry, in order."""
    if not jar.is_file():
        raise JobConfigurationError(f"no connector jar at {jar} (make flink-jars)")
    entries = [(ENTRY_POINT, JOB_DIR / "main.py"), ("functions/__init__.py", FUNCTIONS_DIR / "__init__.py")]
    for package in ("flink", "contracts"):  # the job and the shared contracts it reads
        modules = sorted((FUNCTIONS_DIR / package).glob("*.py"))
        entries += [(f"functions/{package}/{module.name}", module) for module in modules]
    entries.append((JAR_ENTRY, jar))
    return entries


def build_package(jar: Path, output: Path) -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w") as archive:
        for name, path in package_entries(jar):
            info = zipfile.ZipInfo(name, _FIXED_DATE)
            # The jar is compressed already; the Python sources are deflated.
            info.compress_type = zipfile.ZIP_STORED if name.endswith(".jar") else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return output


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit("usage: python -m functions.flink.package <connector jar> <output zip>")
    output = Path(sys.argv[2])
    try:
        print(build_package(Path(sys.argv[1]), output))
    except OSError as error:
        raise JobConfigurationError(f"cannot write the package {output}: {error}") from error


if __name__ == "__main__":
    run_command(main, (JobConfigurationError,))
