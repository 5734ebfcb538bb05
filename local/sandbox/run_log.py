"""Where a demo's or soak's Python log records go: a file in its run directory, not the console.

The DAL logs every refusal and retry (functions/dal/events.py) and the program under mocks warns at
each run about artifacts a real `pulumi up` needs. Both are worth keeping, but printed between the
progress lines they bury the report; the run directory is where every other service's log is.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOG_NAME = "python.log"


@contextmanager
def python_log(run_dir: Path) -> Iterator[Path]:
    """Send the root logger's records (INFO and up) to `run_dir/python.log` while the block runs."""
    path = run_dir / LOG_NAME
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)  # with a handler on the root, logging's last resort (stderr) stays quiet
    root.setLevel(logging.INFO)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()
