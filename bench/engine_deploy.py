"""Deploying a benchmark environment's stacks with the real CLI (local/engine/automation.py) and timing each `up`.

The platform goes first (the cells read its outputs), then the cells, one at a time or `parallel` at once (each
`up` is a CLI process of its own). What each deployed stack's checkpoint then holds is read back from the file
backend: the resources (every declared one must be there), the checkpoint's size, and which resources depend on
another stack's StackReference (the cells' reads of the platform's outputs).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from bench.engine_declarations import STACK_REFERENCE, Environment, StackDeclaration, write_documents
from local.engine.automation import FileBackend, Timed, children_cpu_seconds, up
from local.paths import PROJECT_ROOT
from tiers.naming import PROJECT

STANDIN = PROJECT_ROOT / "bench" / "engine_standin"
DECLARATION_KEY = "standin:declaration"  # the stand-in's config: its stack's replay document
# Resources of a checkpoint that no program declares: the stack itself and the providers.
STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_TYPES = "pulumi:providers:"


@dataclass
class StackResult:
    stack: str
    cell: str | None
    declared: int  # resources the program declares in it (stack references included)
    budget: int | None
    select_seconds: float = 0.0  # create_or_select and set_all_config
    first: Timed | None = None
    no_change: Timed | None = None
    deployed: int = 0  # resources in its checkpoint (not the stack itself or providers)
    checkpoint_bytes: int = 0
    reads: int = 0  # resources with an input read from another stack's output
    reads_through_reference: int = 0  # of those, how many the checkpoint records as depending on that reference


@dataclass
class DeployResult:
    parallel: int
    stacks: list[StackResult] = field(default_factory=list)
    first_wall: float = 0.0  # platform, then every cell
    no_change_wall: float = 0.0
    first_cpu: float = 0.0  # CPU of every process the phase ran (exact also when cells run at once)
    no_change_cpu: float = 0.0

    @property
    def first_sum(self) -> float:
        return sum(stack.first.seconds for stack in self.stacks if stack.first)

    @property
    def no_change_sum(self) -> float:
        return sum(stack.no_change.seconds for stack in self.stacks if stack.no_change)

    @property
    def largest(self) -> StackResult:
        return max(self.stacks[1:] or self.stacks, key=lambda stack: stack.declared)


class Deployment:
    """An environment's stacks on one file backend under `root`."""

    def __init__(self, root: Path, log: Callable[[str], None] = print):
        self.backend = FileBackend(root, PROJECT, STANDIN)
        self.workspace = self.backend.workspace()
        self.documents = root / "declarations"
        self.log = log
        self._stacks: dict[str, auto.Stack] = {}

    def select(self, environment: Environment, only: Sequence[str] | None = None) -> dict[str, float]:
        """Write each stack's replay document and select (or create) each stack (or those named `only`) with it;
        seconds per stack."""
        paths = write_documents(environment, self.documents)
        seconds = {}
        for declaration in environment.stacks:
            if only is not None and declaration.stack not in only:
                continue
            started = time.perf_counter()
            self._stacks[declaration.stack] = self.backend.stack(
                self.workspace, declaration.stack, {DECLARATION_KEY: str(paths[declaration.stack])}
            )
            seconds[declaration.stack] = time.perf_counter() - started
        return seconds

    def stack(self, name: str) -> auto.Stack:
        return self._stacks[name]

    def up(self, name: str) -> Timed:
        timed = up(self._stacks[name])
        self.log(f"    up {name}: {timed.seconds:.1f} s (CPU {timed.cpu_seconds:.1f} s) {timed.changes}")
        return timed

    def deploy(self, environment: Environment, parallel: int) -> DeployResult:
        """First deploy and then a no-change `up` of every stack: the platform alone, then the cells."""
        selected = self.select(environment)
        result = DeployResult(parallel)
        for declaration in environment.stacks:
            result.stacks.append(
                StackResult(
                    declaration.stack,
                    declaration.cell,
                    declaration.resources,
                    environment.budget if declaration.cell else None,
                    select_seconds=selected[declaration.stack],
                )
            )
        by_name = {stack.stack: stack for stack in result.stacks}
        for phase in ("first", "no_change"):
            started, cpu = time.perf_counter(), children_cpu_seconds()
            platform, *cells = environment.stacks
            setattr(by_name[platform.stack], phase, self.up(platform.stack))
            with ThreadPoolExecutor(max_workers=parallel) as pool:
                timed = list(pool.map(self.up, [cell.stack for cell in cells]))
            for cell, seconds in zip(cells, timed, strict=True):
                setattr(by_name[cell.stack], phase, seconds)
            setattr(result, f"{phase}_wall", time.perf_counter() - started)
            setattr(result, f"{phase}_cpu", children_cpu_seconds() - cpu)
        for declaration in environment.stacks:
            self.read_checkpoint(declaration, by_name[declaration.stack])
        return result

    def checkpoint(self, stack: str) -> Path:
        """The file backend's checkpoint of `stack` (the file the engine rewrites at every step)."""
        return self.backend.state_dir / ".pulumi" / "stacks" / PROJECT / f"{stack}.json"

    def read_checkpoint(self, declaration: StackDeclaration, result: StackResult) -> None:
        path = self.checkpoint(declaration.stack)
        result.checkpoint_bytes = path.stat().st_size
        resources = checkpoint_resources(json.loads(path.read_text()))
        result.deployed = sum(r["type"] != STACK_TYPE and not r["type"].startswith(PROVIDER_TYPES) for r in resources)
        result.reads, result.reads_through_reference = reads_through_references(declaration, resources)


def checkpoint_resources(checkpoint: dict[str, Any]) -> list[dict[str, Any]]:
    resources: list[dict[str, Any]] = checkpoint["checkpoint"]["latest"]["resources"]
    return resources


def reads_through_references(declaration: StackDeclaration, resources: Sequence[dict[str, Any]]) -> tuple[int, int]:
    """Resources of the declaration with an input read from another stack's output, and of those how many the
    checkpoint records as depending on the StackReference they read."""
    references = {_key(r["type"], _name(r["urn"])): r["urn"] for r in resources if r["type"] == STACK_REFERENCE}
    dependencies = {_key(r["type"], _name(r["urn"])): set(r.get("dependencies", [])) for r in resources}
    reads = through = 0
    for resource in declaration.document["resources"]:
        read = {link["reference"] for link in resource.get("links", [])}
        if not read:
            continue
        reads += 1
        depends_on = dependencies.get(_key(resource["type"], resource["name"]), set())
        through += all(references.get(_key(STACK_REFERENCE, name)) in depends_on for name in read)
    return reads, through


def _key(type_: str, name: str) -> tuple[str, str]:
    """A resource by its type's module and name (the stand-in keeps them; it renames only the package) and its
    logical name: unique in a stack (a component and its child may share a name, never a type)."""
    return type_.split(":", 1)[1], name


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]
