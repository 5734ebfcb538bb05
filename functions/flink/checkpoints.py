"""Checkpoints of a job run outside the service: where they go, and restoring from the latest one.

On Managed Service for Apache Flink the service owns checkpoints and snapshots (the application's
checkpoint configuration; it restores from the latest snapshot). A local run (the demo, `make soak`)
keeps its checkpoints in a directory and, after a crash, resumes from the newest complete one:
the Kinesis source's shard positions come back with it, so nothing read before it is lost.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_CHECKPOINT = re.compile(r"chk-(\d+)")
# Flink writes `_metadata` last: a checkpoint directory without it is incomplete.
METADATA = "_metadata"
# How a local driver (main.py) is told, by whoever starts it.
DIRECTORY_ENV = "FLINK_CHECKPOINT_DIR"
INTERVAL_ENV = "FLINK_CHECKPOINT_INTERVAL_MS"
RESTORE_FROM_ENV = "FLINK_RESTORE_FROM"
DEFAULT_INTERVAL_MS = 60_000
# Created in the checkpoint directory to end a local run for good (functions/flink/drain.py).
DRAIN_REQUEST = "drain"
SAVEPOINTS = "savepoints"


@dataclass(frozen=True)
class LocalCheckpoints:
    directory: Path
    interval_ms: int
    restore_from: Path | None = None

    @staticmethod
    def from_environment(environ: Mapping[str, str]) -> LocalCheckpoints | None:
        directory = environ.get(DIRECTORY_ENV)
        if not directory:
            return None
        restore = environ.get(RESTORE_FROM_ENV)
        interval = int(environ.get(INTERVAL_ENV) or DEFAULT_INTERVAL_MS)
        return LocalCheckpoints(Path(directory), interval, Path(restore) if restore else None)

    def environment(self) -> dict[str, str]:
        """The variables `from_environment` reads back."""
        env = {DIRECTORY_ENV: str(self.directory), INTERVAL_ENV: str(self.interval_ms)}
        if self.restore_from is not None:
            env[RESTORE_FROM_ENV] = str(self.restore_from)
        return env

    @property
    def drain_request(self) -> Path:
        """The file whose appearance asks the driver to drain the job (stop with a savepoint, windows closed)."""
        return self.directory / DRAIN_REQUEST

    @property
    def savepoints(self) -> Path:
        return self.directory / SAVEPOINTS

    def options(self) -> dict[str, str]:
        """Flink configuration: checkpoints kept in `directory` after a crash or cancel, and where to resume."""
        options = {
            "state.checkpoints.dir": self.directory.resolve().as_uri(),
            "execution.checkpointing.interval": f"{self.interval_ms} ms",
            "execution.checkpointing.externalized-checkpoint-retention": "RETAIN_ON_CANCELLATION",
            "state.checkpoints.num-retained": "3",
        }
        if self.restore_from is not None:
            options["execution.savepoint.path"] = self.restore_from.resolve().as_uri()
        return options


def latest_checkpoint(directory: Path) -> Path | None:
    """The newest complete checkpoint (`<job id>/chk-<n>/` with its metadata) under `directory`, if any."""
    complete = [
        path for path in directory.glob("*/chk-*") if _CHECKPOINT.fullmatch(path.name) and (path / METADATA).is_file()
    ]
    return max(complete, key=lambda path: (path.stat().st_mtime, int(path.name[4:])), default=None)
