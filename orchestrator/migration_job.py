"""The migration job a move runs between its steps: `python -m functions.lifecycle.migrate`, the job `make migrate`
runs, for the tenant's record as its cell has just deployed it (the cell's `tenants` output, written to a file for
the job's --directory) and the arguments local/lifecycle.py gives it: a local Cassandra unless the user's options
say otherwise (on AWS: `--region <r>`, the tenant's roles assumed). The command is injectable: the tests pass a
stand-in."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local.paths import BUILD_DIR
from local.stack_file import config_path
from orchestrator.errors import MigrationJobError
from tiers.model import TenantSpec

MIGRATE = (sys.executable, "-m", "functions.lifecycle.migrate")
STORAGE_OPTIONS = ("--region", "--cassandra-port")  # where the job's Cassandra is: the user's choice wins


@dataclass(frozen=True)
class MigrationJob:
    command: Sequence[str] = MIGRATE
    options: Sequence[str] = ()  # the user's (after `--`), e.g. `--region us-east-1`; they win over the defaults
    work_dir: Path = BUILD_DIR / "lifecycle"  # <env>/<tenant>-directory.json, -result.json, migrations/<tenant>.json

    def arguments(self, environment: str, tenant: TenantSpec, directory: Path, result: Path) -> list[str]:
        from local.lifecycle import LOCAL_CASSANDRA_PORT  # `make migrate`'s; its module brings the Cassandra driver

        chosen = any(option.split("=")[0] in STORAGE_OPTIONS for option in self.options)
        storage = [] if chosen else ["--cassandra-port", str(LOCAL_CASSANDRA_PORT)]
        work = self.work_dir / environment
        return [
            "--tenant",
            tenant.id,
            "--directory",
            str(directory),
            *storage,
            "--stack",
            environment,
            "--config-path",
            config_path(tenant),
            "--ledger",
            str(work / "migrations" / f"{tenant.id}.json"),
            "--result",
            str(result),
            *self.options,
        ]

    def run(self, environment: str, tenant: TenantSpec, record: Mapping[str, Any]) -> str | None:
        """Run the job for the state in `record` (the tenant's deployed directory record); its `verified` digest
        (copying, cutover), else None. MigrationJobError when it fails: the move stays where it is."""
        state = (record.get("migration") or {}).get("state")
        work = self.work_dir / environment
        work.mkdir(parents=True, exist_ok=True)
        directory = work / f"{tenant.id}-directory.json"
        directory.write_text(json.dumps({tenant.id: dict(record)}, indent=2) + "\n")
        result = work / f"{tenant.id}-result.json"
        result.unlink(missing_ok=True)
        # Its progress goes to stderr as it comes; its report (the config commands the move writes itself) is kept.
        completed = subprocess.run(
            [*self.command, *self.arguments(environment, tenant, directory, result)],
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise MigrationJobError(
                f"the migration job failed for tenant {tenant.id} in state {state} (exit {completed.returncode}; "
                f"its messages are above){_tail(completed.stdout)}"
            )
        try:
            document = json.loads(result.read_text())
        except (OSError, ValueError) as error:
            raise MigrationJobError(f"the migration job wrote no result to {result}: {error}") from error
        if document.get("tenant") != tenant.id or document.get("state") != state:
            raise MigrationJobError(
                f"the migration job ran {document.get('tenant')} in state {document.get('state')}, not {tenant.id} in "
                f"{state} ({result})"
            )
        verified = document.get("verified")
        return None if verified is None else str(verified)


def _tail(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()][-3:]
    return (": " + " / ".join(lines)) if lines else ""
