"""`--json [FILE]` of the local commands: the document on stdout (and nothing else there), or in FILE."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

STDOUT = "-"


def add_json_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--json",
        nargs="?",
        const=STDOUT,
        metavar="FILE",
        help=f"{what} as JSON (README: Machine-readable output): on stdout instead of the tables, or into FILE",
    )


def json_on_stdout(target: str | None) -> bool:
    return target == STDOUT


def write_json(document: dict[str, Any], target: str) -> None:
    text = json.dumps(document, indent=2) + "\n"
    if json_on_stdout(target):
        sys.stdout.write(text)
    else:
        Path(target).write_text(text)
