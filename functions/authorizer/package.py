"""The authorizer Lambda's code, laid out as the runtime imports it: `python -m functions.authorizer.package DIR`.

Layout (handler `functions.authorizer.handler.handler`): functions/__init__.py, functions/authorizer/*.py, the
tenant directory's reader functions/directory/*.py and the shared contracts, functions/contracts/*.py.
`make authorizer-package` installs the requirements beside them; nothing else of the repository is packaged.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from functions.authorizer.errors import PackagingError
from functions.contracts.cli import run_command

FUNCTIONS_DIR = Path(__file__).resolve().parent.parent
PACKAGES = ("authorizer", "directory", "contracts")


def copy_sources(root: Path) -> list[Path]:
    """Copy the authorizer's modules and the contracts under `root`; return the files written."""
    (root / "functions").mkdir(parents=True, exist_ok=True)
    written = [Path(shutil.copy(FUNCTIONS_DIR / "__init__.py", root / "functions" / "__init__.py"))]
    for package in PACKAGES:
        for module in sorted((FUNCTIONS_DIR / package).glob("*.py")):
            (root / "functions" / package).mkdir(parents=True, exist_ok=True)
            written.append(Path(shutil.copy(module, root / "functions" / package / module.name)))
    return written


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m functions.authorizer.package <directory>")
    root = Path(sys.argv[1])
    try:
        written = copy_sources(root)
    except OSError as error:
        raise PackagingError(f"cannot write the authorizer package under {root}: {error}") from error
    print(f"{len(written)} modules under {root}")


if __name__ == "__main__":
    run_command(main, (PackagingError,))
