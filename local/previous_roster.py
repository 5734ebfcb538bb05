"""The roster a stack deployed last, for `make plan` to show each tenant's transition from it.

Read from a file given with `--previous`, in any of the shapes a user has at hand:
- a `tenants` map (`pulumi stack output tenants --json`): {<id>: <record>};
- a directory document (a published slice, `tenants/<cell>.json`): {"version": 1, "tenants": {...}};
- a stack's state (`pulumi stack export`, or a self-managed backend's checkpoint): the root stack's `tenants`.

Without `--previous`, the stack's checkpoint in a self-managed local backend (`pulumi login --local`, or
PULUMI_BACKEND_URL=file://<dir>) is read if there is one: `<dir>/.pulumi/stacks/<project>/<stack>.json`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from functions.contracts.cells import STACK_SEPARATOR
from functions.contracts.directory import DOCUMENT_VERSION
from local.errors import StackFileError
from tiers.naming import PROJECT

STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class PreviousRoster:
    source: str  # where it was read, for the plan's header
    tenants: dict[str, Any]  # the `tenants` output: {<id>: <directory entry>}


def read_previous(path: Path) -> PreviousRoster:
    """The roster in `path`; StackFileError naming the file and what it lacks."""
    try:
        document = json.loads(path.read_text())
    except OSError as error:
        raise StackFileError(f"--previous {path}: cannot be read: {error.strerror}") from error
    except ValueError as error:
        raise StackFileError(f"--previous {path}: not JSON: {error}") from error
    return PreviousRoster(str(path), _tenants_of(document, str(path)))


def local_backend_roster(environment: str, environ: Mapping[str, str] | None = None) -> PreviousRoster | None:
    """The environment's last records from a self-managed local backend's checkpoints, if there are any: its
    platform's `tenants` (or, with cells, `adoptedTenants`), and each of its cells' `tenants`."""
    checkpoint = local_checkpoint(environment, os.environ if environ is None else environ)
    if checkpoint is None:
        return None
    cells = sorted(checkpoint.parent.glob(f"{environment}{STACK_SEPARATOR}*.json"))
    read = [path for path in (checkpoint, *cells) if path.is_file()]
    tenants: dict[str, Any] = {}
    for path in read:
        tenants |= _outputs_of(json.loads(path.read_text()), str(path))
    return PreviousRoster(", ".join(str(path) for path in read), tenants) if read else None


def local_checkpoint(stack: str, environ: Mapping[str, str]) -> Path | None:
    backend = environ.get("PULUMI_BACKEND_URL", "")
    if backend and not backend.startswith("file://"):
        return None  # Pulumi Cloud or an object store: `pulumi stack output tenants --json > f`, then --previous f
    root = Path(backend.removeprefix("file://")).expanduser() if backend else Path.home()
    return root / ".pulumi" / "stacks" / PROJECT / f"{stack}.json"


def _outputs_of(document: Any, source: str) -> dict[str, Any]:
    """A checkpoint's records: its `tenants` output, or a platform's `adoptedTenants` (an environment with cells)."""
    deployment = document.get("checkpoint", {}).get("latest") if isinstance(document, dict) else None
    stacks = [r for r in (deployment or {}).get("resources") or [] if r.get("type") == STACK_TYPE]
    outputs = (stacks[0].get("outputs") or {}) if stacks else {}
    records = outputs.get("tenants", outputs.get("adoptedTenants"))
    return dict(records) if isinstance(records, dict) else {}


def _tenants_of(document: Any, source: str) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise StackFileError(f"--previous {source}: not a tenants map, a directory document or a stack state")
    if document.get("version") == DOCUMENT_VERSION and isinstance(document.get("tenants"), dict):
        return dict(document["tenants"])  # a directory document
    deployment = document.get("deployment") or (document.get("checkpoint") or {}).get("latest")
    if isinstance(deployment, dict):  # `pulumi stack export`, or a backend's checkpoint
        stacks = [r for r in deployment.get("resources") or [] if r.get("type") == STACK_TYPE]
        tenants = (stacks[0].get("outputs") or {}).get("tenants") if stacks else None
        if not isinstance(tenants, dict):
            raise StackFileError(f"--previous {source}: the stack state has no `tenants` output")
        return dict(tenants)
    if "version" in document:
        raise StackFileError(f"--previous {source}: not a version {DOCUMENT_VERSION} directory document")
    return dict(document)  # a `tenants` map; its entries are checked as the program checks them
