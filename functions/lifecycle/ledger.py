"""The migration job's progress ledger: per table, the driver's paging state after the last copied page.

A restart resumes each table where the ledger says; the rows of a page that was being copied when the job
died are copied again, which is harmless (each cell is written with its source write time). The ledger only
saves work: deleting it makes the next run copy everything again. It is written atomically (a temporary file
renamed over it), so a crash never leaves half a ledger.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from functions.lifecycle.errors import LedgerError

LEDGER_VERSION = 1


@dataclass
class TableProgress:
    paging_state: bytes | None = None  # where the next page starts; None: at the beginning
    copied: int = 0  # rows written so far (a re-copied page counts again)
    done: bool = False

    def to_json(self) -> dict[str, Any]:
        state = None if self.paging_state is None else self.paging_state.hex()
        return {"pagingState": state, "copied": self.copied, "done": self.done}

    @staticmethod
    def from_json(raw: Any, where: str) -> TableProgress:
        try:
            state = raw["pagingState"]
            return TableProgress(None if state is None else bytes.fromhex(state), int(raw["copied"]), bool(raw["done"]))
        except (KeyError, TypeError, ValueError) as error:
            raise LedgerError(f"{where}: a table's progress is malformed ({error!r})") from error


@dataclass
class Ledger:
    """The progress of one copy: tenant, source keyspace -> target keyspace, each table's progress."""

    path: Path
    tenant_id: str
    source: str
    target: str
    tables: dict[str, TableProgress] = field(default_factory=dict)

    def table(self, name: str) -> TableProgress:
        return self.tables.setdefault(name, TableProgress())

    def to_json(self) -> dict[str, Any]:
        return {
            "version": LEDGER_VERSION,
            "tenant": self.tenant_id,
            "source": self.source,
            "target": self.target,
            "tables": {name: progress.to_json() for name, progress in sorted(self.tables.items())},
        }

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps(self.to_json(), indent=2) + "\n")
        os.replace(temporary, self.path)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    @staticmethod
    def open(path: Path, tenant_id: str, source: str, target: str) -> Ledger:
        """The ledger at `path` if it is this copy's; a fresh one if there is none; LedgerError if it is another's."""
        if not path.exists():
            return Ledger(path, tenant_id, source, target)
        try:
            raw = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            raise LedgerError(
                f"cannot read the migration ledger {path}: {error}; delete it to copy from the start"
            ) from error
        if not isinstance(raw, dict) or raw.get("version") != LEDGER_VERSION:
            raise LedgerError(f"{path} is not a version {LEDGER_VERSION} migration ledger; delete it to start over")
        mine = {"tenant": tenant_id, "source": source, "target": target}
        theirs = {key: raw.get(key) for key in mine}
        if theirs != mine:
            raise LedgerError(
                f"{path} is the ledger of another copy ({theirs}), not of {mine}; delete it to copy from the start"
            )
        tables = raw.get("tables")
        if not isinstance(tables, dict):
            raise LedgerError(f"{path}: `tables` is not an object")
        progress = {name: TableProgress.from_json(value, f"{path} table {name!r}") for name, value in tables.items()}
        return Ledger(path, tenant_id, source, target, progress)
