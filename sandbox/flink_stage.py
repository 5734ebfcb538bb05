"""The real Flink job (local PyFlink on the JVM) over the records read from the stream.

The job runs in its own virtualenv (.venv-flink: PyFlink's protobuf pins clash with Pulumi's), so it
is a subprocess: `python -m functions.flink.local INPUT OUTPUT`, the same entry as `make flink-local`.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLINK_PYTHON = ROOT / ".venv-flink" / "bin" / "python"


class FlinkJobError(RuntimeError):
    pass


@dataclass(frozen=True)
class JobOutput:
    enriched: list[bytes]
    rejected: list[bytes]


def committed_lines(directory: Path) -> list[bytes]:
    """Records in the job's committed part files (Flink keeps in-progress files hidden)."""
    lines: list[bytes] = []
    for part in sorted(directory.rglob("*")):
        if part.is_file() and not part.name.startswith("."):
            lines.extend(line for line in part.read_bytes().splitlines() if line.strip())
    return lines


def run_job(input_path: Path, output_dir: Path, log_path: Path, timeout: float = 600) -> JobOutput:
    if not FLINK_PYTHON.exists():
        raise FlinkJobError(f"{FLINK_PYTHON} is missing: run `make flink-venv`")
    with log_path.open("ab") as log:
        result = subprocess.run(
            [str(FLINK_PYTHON), "-m", "functions.flink.local", str(input_path), str(output_dir)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
    if result.returncode != 0:
        raise FlinkJobError(f"the Flink job failed (exit {result.returncode}); see {log_path}")
    return JobOutput(committed_lines(output_dir / "enriched"), committed_lines(output_dir / "rejected"))
