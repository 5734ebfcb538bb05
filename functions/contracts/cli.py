"""How every command of the project ends: its output on stdout, or an expected failure's message alone.

An expected failure (a missing stack file, bad config, a missing build artifact, a service that cannot
be reached) is the user's to fix from its message: a traceback would bury that message under frames.
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NoReturn

FAILED = 2  # the command could not do its job, for a reason its message gives
INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT


def run_command(main: Callable[[], int | None], expected: tuple[type[BaseException], ...]) -> NoReturn:
    """Run a command's `main` and exit with its status; an `expected` error prints `error: <message>`
    to stderr and exits FAILED."""
    try:
        status = main()
    except expected as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(FAILED) from None
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        raise SystemExit(INTERRUPTED) from None
    raise SystemExit(status or 0)
