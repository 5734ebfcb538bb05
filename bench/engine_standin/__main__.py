"""The engine benchmark's stand-in program (bench/engine.py): one stack of the project's program, replayed.

A STAND-IN, not the program: the AWS provider plugin cannot be had here (README, "Running on the real engine"),
so the real `pulumi up` of __main__.py cannot run. bench/engine_declarations.py runs the real program under
Pulumi's mocks (local/environment.py: the platform and each cell) and writes what one stack declared to a file;
this program, run by the real CLI, declares the same thing again:

- every resource under its own logical name and parent, with the inputs the program gave it and the outputs the
  mocks returned (plus `id`, and `tagsAll` where it has `tags`, as the AWS provider adds them): a custom resource
  becomes a ComponentResource of type `standin-<package>:<module>:<Type>` (there is no provider to create it),
  a component keeps its own type. Secret inputs and outputs stay secret (the stack's passphrase encrypts them).
  A custom resource's outputs go in with its inputs (as `standinOutputs`), so that, like the real resource, it
  costs the engine one step (two checkpoint writes: pending, done); registering them as a component's outputs
  would add a third write per resource, at the full checkpoint's size (`RegisterResourceOutputs`). A component
  registers its outputs, as the program's do.
- every StackReference as a real `pulumi.StackReference` to the same stack name on the file backend, and each
  input the program filled from another stack's output (a cell's usage plan id, the application role ARN in its
  roles' trust) read from that reference, so a cell depends on the platform's deployed outputs as the program's do.
- the stack's exports.

What it leaves out: provider calls (create/read/diff are the AWS API's time, not the engine's), `depends_on`
(ordering only), invokes. So a run measures the engine: running a program of this size, diffing, writing
checkpoints. Standard library and pulumi only.
"""

from __future__ import annotations

import functools
import gc
import json
from pathlib import Path
from typing import Any

import pulumi

SECRET = "__secret__"  # a value the program declared secret, as bench/engine_declarations.py writes it
STACK_REFERENCE = "pulumi:pulumi:StackReference"


OUTPUTS = "standinOutputs"  # a custom resource's outputs, among the stand-in's inputs


class StandIn(pulumi.ComponentResource):
    """One declared resource. A component: its inputs, and its outputs registered. A custom resource: its inputs and
    outputs together as the stand-in's inputs (one step, as the resource's create or update is)."""

    def __init__(
        self,
        type_: str,
        name: str,
        inputs: dict[str, Any],
        outputs: dict[str, Any],
        opts: pulumi.ResourceOptions,
        *,
        custom: bool,
    ):
        super().__init__(stand_in_type(type_, custom), name, {**inputs, OUTPUTS: outputs} if custom else inputs, opts)
        if not custom:
            self.register_outputs(outputs)


def referenced_stack(name: str) -> str:
    """`<organization>/<project>/<stack>` as the program names it, in this backend's organization (the mocks
    have none; a file backend's is `organization`)."""
    _, project, stack = name.split("/")
    return f"{pulumi.get_organization()}/{project}/{stack}"


def stand_in_type(type_: str, custom: bool) -> str:
    if not custom:
        return type_
    package, module, name = type_.split(":", 2)
    return f"standin-{package}:{module}:{name}"


def revive(value: Any) -> Any:
    """JSON back to what the program declared: secrets as secret Outputs."""
    if isinstance(value, dict):
        if set(value) == {SECRET}:
            return pulumi.Output.secret(value[SECRET])
        return {key: revive(item) for key, item in value.items()}
    if isinstance(value, list):
        return [revive(item) for item in value]
    return value


def dig(value: Any, path: list[Any]) -> Any:
    for step in path:
        value = value[step]
    return value


def put(container: Any, path: list[Any], value: Any) -> None:
    dig(container, path[:-1])[path[-1]] = value


def _substitute(original: str, literal: str, path: list[Any], output: Any) -> str:
    return original.replace(literal, str(dig(output, path)))


def link(inputs: dict[str, Any], links: list[dict[str, Any]], references: dict[str, pulumi.StackReference]) -> None:
    """Each linked input read from the stack reference it came from (the literal replaced by the value read)."""
    for found in links:
        original = dig(inputs, found["input"])
        read = references[found["reference"]].require_output(found["output"])
        put(
            inputs,
            found["input"],
            read.apply(functools.partial(_substitute, original, found["literal"], found["path"])),
        )


def replay(document: dict[str, Any]) -> None:
    declared: dict[str, pulumi.Resource] = {}
    references: dict[str, pulumi.StackReference] = {}
    for resource in document["resources"]:
        parent = declared.get(resource["parent"])
        if resource["type"] == STACK_REFERENCE:
            reference = pulumi.StackReference(
                resource["name"], referenced_stack(resource["inputs"]["name"]), pulumi.ResourceOptions(parent=parent)
            )
            references[resource["name"]] = reference
            declared[resource["urn"]] = reference
            continue
        inputs = revive(resource["inputs"])
        link(inputs, resource.get("links", []), references)
        opts = pulumi.ResourceOptions(
            parent=parent,
            protect=resource["protect"],
            retain_on_delete=resource["retainOnDelete"],
            aliases=[pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)] if resource["aliasAtRoot"] else None,
        )
        declared[resource["urn"]] = StandIn(
            resource["type"], resource["name"], inputs, revive(resource["outputs"]), opts, custom=resource["custom"]
        )
    for name, value in document["exports"].items():
        pulumi.export(name, revive(value))


# As the program does (__main__.py): thousands of Outputs make CPython's default full collections costly.
gc.set_threshold(50_000, 50, 1000)
replay(json.loads(Path(pulumi.Config("standin").require("declaration")).read_text()))
