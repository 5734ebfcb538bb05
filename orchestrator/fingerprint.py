"""Whether a stack needs a deploy: the fingerprint of what its program's run depends on, kept in the message of
the update that deployed it (`tenant-pipeline up <fingerprint>`).

A cell's program declares what these say (tiers/cell_scope.py): the environment's settings other than the roster
(tiers, pool, quotas, ingest, cells), the roster entries of the tenants the cell declares, the cell's own settings
file, and the outputs of the stacks it reads (the platform's, and those of the cells its tenants move between); and
the program's code and the versions it runs with. `up` gives a cell's update the message `tenant-pipeline up
<fingerprint>`; a cell whose last update succeeded with the fingerprint it has now is not run again, so a re-run
resumes where a failure stopped it, and onboarding into one cell leaves the others alone. A fingerprint only ever
makes more work than needed: an input it misses would make `up` skip a change, one it has too many costs a
no-change update.

The platform's fingerprint is its declaration under mocks (`declaration_digest`): what its resources and outputs
are for the settings and the outputs it reads. A lifecycle command deploys it only when that changes (a roster
edit that adds a delivery stream, say); `up` always deploys it (its inputs include the build artifacts it uploads,
which a declaration names but does not hash) and records the fingerprint for the next command.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pulumi
from pulumi import automation as auto

from local.program import Declaration
from local.stack_file import TENANTS_KEY
from orchestrator.stacks import Environment
from tiers.cell_scope import scope_tenants
from tiers.stacks import StackScope

# The program: its entry point, project file, requirements (the versions .venv runs it with: pulumi, pulumi-aws) and
# the packages it imports (import-linter keeps it from importing the rest of functions/).
PROGRAM_FILES = ("__main__.py", "Pulumi.yaml", "requirements.txt", "requirements-dev.lock")
PROGRAM_PACKAGES = ("components", "tiers", "functions/contracts")
MESSAGE_PREFIX = "tenant-pipeline up "
DIGEST_LENGTH = 32  # hex characters of SHA-256


def _digest(document: Any) -> str:
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:DIGEST_LENGTH]


def program_digest(project_dir: Path) -> str:
    """SHA-256 over the program's files (path and bytes), in path order."""
    files = [project_dir / name for name in PROGRAM_FILES]
    for package in PROGRAM_PACKAGES:
        files += (project_dir / package).rglob("*.py")
    digest = hashlib.sha256()
    for path in sorted(path for path in files if path.is_file()):
        digest.update(str(path.relative_to(project_dir)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:DIGEST_LENGTH]


def cell_fingerprint(
    environment: Environment,
    cell: str,
    *,
    program: str,
    engine: str,
    own_settings: Mapping[str, Any],
    reads: Mapping[str, Mapping[str, Any]],
) -> str:
    """The fingerprint of cell `cell`'s run: `program` (program_digest), the `engine` version, the cell's
    `own_settings` file and `reads`, the outputs of the stacks it reads, by stack name."""
    roster = environment.raw.get(TENANTS_KEY) or []
    declared = scope_tenants(environment.config.tenants, StackScope(environment.name, cell))
    return _digest(
        {
            "program": program,
            "engine": engine,
            "stack": [environment.name, cell],
            "settings": {key: value for key, value in environment.raw.items() if key != TENANTS_KEY},
            "tenants": [roster[tenant.index] for tenant in declared],
            "own": dict(own_settings),
            "reads": {stack: dict(outputs) for stack, outputs in reads.items()},
        }
    )


def declaration_digest(declaration: Declaration) -> str:
    """What a program run declared, comparable across runs: each resource's identity, inputs and options (mocked
    provider outputs are a function of these), and the stack's outputs."""

    resources = sorted(  # in URN order: resources register in whatever order their inputs resolve
        [item.urn, _plain(item.inputs), item.protect, item.retain_on_delete, item.aliases]
        for item in declaration.resources
    )
    return "platform-" + _digest([resources, _plain(declaration.outputs)])


def _plain(value: Any) -> Any:
    """`value` with Pulumi's assets and archives as what names them (a path, a text, a URI): their objects print
    with their address, which differs from run to run."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (pulumi.Asset, pulumi.Archive)):
        named = {name: getattr(value, name) for name in ("path", "text", "uri", "assets") if hasattr(value, name)}
        return {"kind": type(value).__name__, **_plain(named)}
    return value


def update_message(fingerprint: str) -> str:
    return f"{MESSAGE_PREFIX}{fingerprint}"


def deployed_fingerprint(last: auto.UpdateSummary | None) -> str | None:
    """The fingerprint a stack's last update was made with, if it was an `up` of this command that succeeded."""
    if last is None or last.kind != "update" or last.result != "succeeded":
        return None
    message = last.message or ""
    return message.removeprefix(MESSAGE_PREFIX) if message.startswith(MESSAGE_PREFIX) else None
