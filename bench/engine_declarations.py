"""What each stack of a benchmark environment declares, as the stand-in program replays it (bench/engine_standin).

An environment here is the program's own: a roster of `tenants` (bench.synth's, 10% premium, quotas raised to
fit), as one stack, or with `tenant-pipeline:cells` of a resource budget as a platform stack plus cells, each
tenant in the cell `suggest_cells` gives it (tiers/cells.py). local/environment.py runs every stack of it under
Pulumi's mocks; each stack's declaration becomes a replay document: its resources with their names, parents,
inputs and outputs, its StackReferences and the inputs it filled from them, its exports.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import yaml

from bench.synth import roster, stack_config
from local.environment import StackRun, run_environment
from local.program import DeclaredResource
from local.stack_file import stack_file
from tiers.cells import CellSettings, suggest_cells
from tiers.defaults import DEFAULT_TIERS
from tiers.model import TenantSpec

ENVIRONMENT = "bench"  # bench.synth's stack name: its Namer names the roster's resources for it
STACK_REFERENCE = "pulumi:pulumi:StackReference"
SECRET = "__secret__"  # bench/engine_standin/__main__.py revives {SECRET: value} as a secret
ASSET = "__asset__"
# The Pulumi SDK's markers of a secret in deserialized properties ({SIG_KEY: SECRET_SIG, "value": ...}).
SIG_KEY = pulumi.runtime.rpc._special_sig_key
SECRET_SIG = pulumi.runtime.rpc._special_secret_sig
# Another stack's output shorter than this is not looked for in inputs (too likely to match by chance).
SHORTEST_LINK = 6


@dataclass(frozen=True)
class StackDeclaration:
    stack: str
    cell: str | None  # None: the platform (with no cells, the environment's only stack)
    document: dict[str, Any]  # what bench/engine_standin replays

    @property
    def resources(self) -> int:
        """Resources the stack declares (its state holds these and the stack itself)."""
        return len(self.document["resources"])

    def same_as(self, other: StackDeclaration) -> bool:
        """The same resources and exports (whatever the order the program registered them in, which varies)."""
        return _canonical(self.document) == _canonical(other.document)


def _canonical(document: dict[str, Any]) -> str:
    return json.dumps(
        {**document, "resources": sorted(document["resources"], key=lambda resource: resource["urn"])}, sort_keys=True
    )


@dataclass(frozen=True)
class Environment:
    tenants: list[dict[str, str]]  # the roster, each entry with its cell when the environment has cells
    budget: int | None  # resources per cell; None: one stack
    stacks: list[StackDeclaration]  # the platform first
    mock_seconds: float  # the program under mocks, every stack: the project's own CPU, which the stand-in skips

    @property
    def platform(self) -> StackDeclaration:
        return self.stacks[0]

    @property
    def cells(self) -> list[StackDeclaration]:
        return self.stacks[1:]

    def stack(self, name: str) -> StackDeclaration:
        (found,) = [stack for stack in self.stacks if stack.stack == name]
        return found


def tenants_for(count: int, budget: int | None) -> list[dict[str, str]]:
    """bench.synth's roster of `count` tenants, each in its cell when the environment has cells."""
    return with_cells(roster(count), budget)


def with_cells(tenants: list[dict[str, str]], budget: int | None) -> list[dict[str, str]]:
    """The roster with a cell for each tenant that has none (the program's rule: the first cell of its tier with
    room); tenants already in a cell stay there."""
    if budget is None:
        return tenants
    specs = [TenantSpec(t["id"], t["tier"], index=i, cell=t.get("cell")) for i, t in enumerate(tenants)]
    chosen = suggest_cells(specs, DEFAULT_TIERS, CellSettings(budget=budget))
    return [{**t, "cell": t.get("cell") or chosen[t["id"]]} for t in tenants]


def onboard(environment: Environment, tenant_id: str, tier: str) -> list[dict[str, str]]:
    """The environment's roster with one more tenant, in the cell the program's rule gives it."""
    return with_cells([*environment.tenants, {"id": tenant_id, "tier": tier}], environment.budget)


def declare(tenants: list[dict[str, str]], budget: int | None, root: Path) -> Environment:
    """Run the program under mocks for every stack of the environment (its settings file written under `root`)."""
    config = stack_config(tenants)
    if budget is not None:
        config["tenant-pipeline:cells"] = {"budget": budget}
    root.mkdir(parents=True, exist_ok=True)
    stack_file(ENVIRONMENT, root).write_text(yaml.safe_dump({"config": config}, sort_keys=False))
    started = time.perf_counter()
    run = run_environment(ENVIRONMENT, root, purpose="benchmarked")
    seconds = time.perf_counter() - started
    exports = run.outputs()
    stacks = [StackDeclaration(stack.stack, stack.cell, replay_document(stack, exports)) for stack in run.stacks]
    return Environment(tenants, budget, stacks, seconds)


def replay_document(stack: StackRun, exports: dict[str, dict[str, Any]]) -> dict[str, Any]:
    declaration = stack.declaration
    secrets = {
        leaf for resource in declaration.resources for leaf in _secret_leaves(resource.inputs) if isinstance(leaf, str)
    }
    others = _other_stacks_outputs(declaration.read, stack.stack, exports)
    resources = []
    # The stack references first: the program reads them before it declares anything (__main__.py).
    for resource in [*declaration.read, *declaration.resources]:
        entry: dict[str, Any] = {
            "urn": resource.urn,
            "type": resource.type,
            "name": resource.name,
            "parent": resource.parent,
            "custom": resource.custom,
            "inputs": _encode(resource.inputs),
            "outputs": {}
            if resource.type == STACK_REFERENCE
            else _encode(_outputs(resource, declaration.registered_outputs)),
            "protect": resource.protect,
            "retainOnDelete": resource.retain_on_delete,
            "aliasAtRoot": any(alias.get("noParent") for alias in resource.aliases),
        }
        if resource.type != STACK_REFERENCE:
            entry["links"] = list(_links(entry["inputs"], others))
        resources.append(entry)
    return {
        "stack": stack.stack,
        "resources": resources,
        "exports": {
            name: {SECRET: _encode(value)} if isinstance(value, str) and value in secrets else _encode(value)
            for name, value in declaration.outputs.items()
        },
    }


def _outputs(resource: DeclaredResource, registered: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A component's registered outputs; a custom resource's outputs as the mocks gave them, with the `id` and
    `tagsAll` the AWS provider adds."""
    if not resource.custom:
        return dict(registered.get(resource.urn, {}))
    outputs = {**resource.outputs, "id": resource.id}
    if isinstance(resource.outputs.get("tags"), dict):
        outputs.setdefault("tagsAll", resource.outputs["tags"])
    return outputs


def _encode(value: Any) -> Any:
    """Deserialized properties as JSON: secrets marked, assets and archives by their source."""
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            return {SECRET: _encode(value.get("value"))}
        return {str(key): _encode(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    if isinstance(value, (pulumi.Asset, pulumi.Archive)):
        source = next(
            (getattr(value, name) for name in ("path", "text", "uri", "assets") if hasattr(value, name)), None
        )
        return {ASSET: _encode(source) if isinstance(source, (dict, list)) else str(source)}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _secret_leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            yield value.get("value")
            return
        for item in value.values():
            yield from _secret_leaves(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _secret_leaves(item)


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        if set(value) == {SECRET}:
            return  # never linked: a secret is read as the program reads it, whole
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path, value


def _other_stacks_outputs(
    resources: Sequence[DeclaredResource], stack: str, exports: dict[str, dict[str, Any]]
) -> list[tuple[str, str, list[Any], str]]:
    """(reference, output, path in it, value) of each string another stack exports that this one references."""
    found = []
    for resource in resources:
        if resource.type != STACK_REFERENCE:
            continue
        referenced = str(resource.inputs["name"]).rsplit("/", 1)[-1]
        if referenced == stack:
            continue  # its own last outputs: not another stack's
        for output, value in exports.get(referenced, {}).items():
            for path, leaf in _leaves(_encode(value)):
                if isinstance(leaf, str) and len(leaf) >= SHORTEST_LINK:
                    found.append((resource.name, output, list(path), leaf))
    return found


def _links(inputs: dict[str, Any], others: list[tuple[str, str, list[Any], str]]) -> Iterator[dict[str, Any]]:
    """Each input holding another stack's output: read from that stack's reference when replayed."""
    if not others:
        return
    for path, leaf in _leaves(inputs):
        if not isinstance(leaf, str):
            continue
        for reference, output, output_path, value in others:
            if value in leaf:
                yield {
                    "input": list(path),
                    "reference": reference,
                    "output": output,
                    "path": output_path,
                    "literal": value,
                }
                break


def write_documents(environment: Environment, directory: Path) -> dict[str, Path]:
    """Each stack's replay document as a file the stand-in reads (its `standin:declaration`)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for stack in environment.stacks:
        path = directory / f"{stack.stack}.json"
        path.write_text(json.dumps(stack.document))
        paths[stack.stack] = path
    return paths
