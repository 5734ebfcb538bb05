"""Run the job on a file: `python -m functions.flink.local INPUT OUTPUT [--path sql|udf] [--metering-window S]`.

Reads newline-delimited Kinesis records from INPUT; writes newline-delimited JSON under
OUTPUT/enriched/ and OUTPUT/rejected/ (both replaced on each run). Every line is one record.
With --metering-window (SQL path), the per-tenant metering rows too, under OUTPUT/metering/dt=.../
(functions/flink/metering.py; the end of the file closes every window).
The SQL path's function is in the job's jar: $FLINK_CONNECTOR_JAR, else what `make flink-jars` builds.
"""

from __future__ import annotations

import argparse
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from functions.contracts.cli import run_command
from functions.contracts.flink_properties import CONNECTOR_JAR_ENV
from functions.flink.errors import JobConfigurationError
from functions.flink.metering import Metering, MeteringSink
from functions.flink.pipeline import Path_, build_pipeline, create_table_env
from functions.flink.tables import FileSink, FileSource

ENRICHED_DIR = "enriched"
REJECTED_DIR = "rejected"
METERING_DIR = "metering"

BUILT_JAR = Path(__file__).resolve().parents[2] / "build" / "flink" / "lib" / "flink-connectors.jar"


def job_jar_path(environ: Mapping[str, str] = os.environ) -> Path:
    """Where the job's jar (the connectors and the SQL path's function) should be: $FLINK_CONNECTOR_JAR,
    else the built one."""
    return Path(environ.get(CONNECTOR_JAR_ENV) or BUILT_JAR)


def job_jar(environ: Mapping[str, str] = os.environ) -> Path:
    """The job's jar (job_jar_path), which must exist."""
    jar = job_jar_path(environ)
    if not jar.is_file():
        raise JobConfigurationError(
            f"no job jar at {jar} (make flink-jars builds it; {CONNECTOR_JAR_ENV} names another)"
        )
    return jar


def run_local(
    input_path: Path,
    output_dir: Path,
    path: Path_ = "sql",
    *,
    metering_window_seconds: int | None = None,
    watermark_delay_seconds: int = 0,
) -> None:
    """Run the job over `input_path` to completion, with the job's jar (job_jar()); with a metering window, the
    metering too (its watermark `watermark_delay_seconds` behind the latest receivedAt read)."""
    if not input_path.is_file():
        raise JobConfigurationError(f"no input file {input_path}")
    metering = None
    if metering_window_seconds is not None:
        sink = MeteringSink(str((output_dir / METERING_DIR).resolve()))
        metering = Metering(sink, metering_window_seconds, watermark_delay_seconds)
    for name in (ENRICHED_DIR, REJECTED_DIR, METERING_DIR):
        shutil.rmtree(output_dir / name, ignore_errors=True)
        try:
            (output_dir / name).mkdir(parents=True)
        except OSError as error:
            raise JobConfigurationError(f"cannot write the output under {output_dir}: {error}") from error
    t_env = create_table_env([job_jar()])
    statements = build_pipeline(
        t_env,
        FileSource(str(input_path.resolve())),
        FileSink(str((output_dir / ENRICHED_DIR).resolve())),
        FileSink(str((output_dir / REJECTED_DIR).resolve())),
        path,
        metering=metering,
    )
    statements.execute().wait()


def read_output(directory: Path) -> list[str]:
    """The committed records under one output directory (hidden in-progress files excluded)."""
    lines: list[str] = []
    for part in sorted(directory.rglob("*")):
        if part.is_file() and not part.name.startswith("."):
            lines.extend(part.read_text(encoding="utf-8").splitlines())
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--path", choices=("sql", "udf"), default="sql")
    parser.add_argument("--metering-window", type=int, metavar="SECONDS", help="meter per tenant in such windows")
    args = parser.parse_args()
    run_local(args.input, args.output, args.path, metering_window_seconds=args.metering_window)
    enriched = len(read_output(args.output / ENRICHED_DIR))
    rejected = len(read_output(args.output / REJECTED_DIR))
    metered = len(read_output(args.output / METERING_DIR))
    print(f"enriched {enriched}, rejected {rejected}, metering rows {metered}: {args.output}")


if __name__ == "__main__":
    run_command(main, (JobConfigurationError,))
