"""Where the project's local work goes: the repository root, build output (`build/`), service runs (`.run/`).

Standard library only: the Flink virtualenv's tests import it too.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = PROJECT_ROOT / "build"
RUN_DIR = PROJECT_ROOT / ".run"
