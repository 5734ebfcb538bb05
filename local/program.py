"""Run the Pulumi program under mocks and return everything it declared.

This is how `make plan`, the infrastructure tests, the scale benchmark and `make demo` read the
stack: the same `__main__.py` that `pulumi up` runs, with Pulumi's documented mock runtime.
"""

from __future__ import annotations

import asyncio
import json
import runpy
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockMonitor

from local import fake_cloud
from local.paths import PROJECT_ROOT
from tiers.naming import PROJECT

PROGRAM = PROJECT_ROOT / "__main__.py"
STACK_REFERENCE = "pulumi:pulumi:StackReference"


@dataclass
class DeclaredResource:
    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)
    id: str = ""  # the mocked provider id, which other resources' inputs refer to
    protect: bool = False
    retain_on_delete: bool = False
    aliases: list[dict[str, Any]] = field(default_factory=list)  # earlier identities: {noParent, parentUrn, ...}


@dataclass
class Declaration:
    """What one run of the program declared, in registration order."""

    resources: list[DeclaredResource]
    outputs: dict[str, Any]
    component_outputs: dict[str, list[str]] = field(default_factory=dict)  # component URN -> output names
    references: list[str] = field(default_factory=list)  # the stacks it read (pulumi.StackReference), in order
    registered_outputs: dict[str, dict[str, Any]] = field(default_factory=dict)  # component URN -> its outputs
    read: list[DeclaredResource] = field(default_factory=list)  # resources read, not managed: its StackReferences

    def of_type(self, type_: str) -> list[DeclaredResource]:
        return [resource for resource in self.resources if resource.type == type_]

    def named(self, name: str) -> DeclaredResource:
        matches = [resource for resource in self.resources if resource.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources are named {name!r}")
        return matches[0]

    def children_of(self, urn: str, *, deep: bool = True) -> list[DeclaredResource]:
        direct = [resource for resource in self.resources if resource.parent == urn]
        if not deep:
            return direct
        return direct + [child for resource in direct for child in self.children_of(resource.urn)]

    def count_by_type(self) -> Counter[str]:
        return Counter(resource.type for resource in self.resources)


# The platform's outputs a cell reads that hold secrets (components/platform.py).
SECRET_OUTPUTS = ("apiKeySecret",)


class _RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self, region: str, stack_outputs: Mapping[str, Mapping[str, Any]]):
        self.region = region
        self.stack_outputs = stack_outputs  # stack name -> its outputs, as a stack reference reads them
        self.references: list[str] = []  # each stack read, by name

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        if args.typ == STACK_REFERENCE:  # `<organization>/<project>/<stack>`: the stack's last outputs
            stack = str(args.inputs.get("name", "")).rsplit("/", 1)[-1]
            self.references.append(stack)
            outputs = dict(self.stack_outputs.get(stack, {}))
            secret = [name for name in SECRET_OUTPUTS if name in outputs]
            return args.name, {"name": args.inputs.get("name"), "outputs": outputs, "secretOutputNames": secret}
        return fake_cloud.new_resource(args.typ, args.name, dict(args.inputs), self.region)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        return fake_cloud.call(args.token, dict(args.args), self.region), []


class _RecordingMonitor(MockMonitor):  # type: ignore[misc]
    """Pulumi's mock monitor, keeping each registration with its parent and its outputs."""

    def __init__(self, mocks: _RecordingMocks):
        super().__init__(mocks)
        self.declared: list[DeclaredResource] = []
        self.component_outputs: dict[str, list[str]] = {}
        self.registered_outputs: dict[str, dict[str, Any]] = {}
        self.read: list[DeclaredResource] = []

    def _recorded(
        self, request: Any, urn: str, properties: Any, *, custom: bool, id_: str, **options: Any
    ) -> DeclaredResource:
        """A registration (or a read) as declared: its inputs as sent, its outputs as the mocks returned them."""
        return DeclaredResource(
            urn=urn,
            type=request.type,
            name=request.name,
            parent=request.parent,
            custom=custom,
            inputs=pulumi.runtime.rpc.deserialize_properties(properties),
            outputs=dict(self.resources[urn].state),
            id=id_,
            **options,
        )

    def ReadResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        response = super().ReadResource(request)  # type: ignore[no-untyped-call]
        self.read.append(self._recorded(request, response.urn, request.properties, custom=True, id_=request.id))
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        if "::pulumi:pulumi:Stack::" not in request.urn:  # the stack's outputs are the exports
            self.component_outputs[request.urn] = list(request.outputs.fields)
            self.registered_outputs[request.urn] = pulumi.runtime.rpc.deserialize_properties(request.outputs)
        return super().RegisterResourceOutputs(request)  # type: ignore[no-untyped-call]

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != "pulumi:pulumi:Stack":
            self.declared.append(
                self._recorded(
                    request,
                    response.urn,
                    request.object,
                    custom=bool(request.custom),
                    id_=response.id or "",
                    protect=bool(request.protect),
                    retain_on_delete=bool(request.retainOnDelete),
                    aliases=[_alias(alias) for alias in request.aliases],
                )
            )
        return response


def _alias(alias: Any) -> dict[str, Any]:
    if alias.HasField("urn"):
        return {"urn": alias.urn}
    spec = alias.spec
    return {
        "name": spec.name,
        "type": spec.type,
        "noParent": spec.noParent,
        "parentUrn": spec.parentUrn,
    }


class ProgramStopped(pulumi.RunError):
    """The program ended itself with pulumi.RunError (e.g. invalid config); `declared` is what it declared first."""

    def __init__(self, message: str, declared: list[DeclaredResource]):
        super().__init__(message)
        self.declared = declared


def stack_config_values(config: dict[str, Any]) -> dict[str, str]:
    """Config as the Pulumi engine hands it to a program: structured values as JSON strings."""
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()}


def run_program(
    stack: str,
    config: dict[str, Any],
    program: Path = PROGRAM,
    previous: Mapping[str, Any] | None = None,
    stack_outputs: Mapping[str, Mapping[str, Any]] | None = None,
) -> Declaration:
    """Run `program` for `stack` with `config` (fully qualified keys, e.g. `aws:region`).

    `previous`: the `tenants` output of the stack's last deployment, which the program reads through a
    StackReference to itself; None for a first deployment. `stack_outputs`: the outputs of other stacks it reads
    (a cell reads its platform's and other cells'), by stack name. Raises ProgramStopped (a pulumi.RunError) when
    the program stops itself, e.g. on invalid config or a refused transition.
    """
    region = str(config.get("aws:region", "us-east-1"))
    outputs = dict(stack_outputs or {})
    if previous is not None:
        outputs[stack] = {**outputs.get(stack, {}), "tenants": dict(previous)}
    mocks = _RecordingMocks(region, outputs)
    monitor = _RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
    pulumi.runtime.set_all_config(stack_config_values(config))
    # set_mocks makes a root stack and closes it to `pulumi.run`; the program's body is registered with
    # pulumi.run, so it runs as the language host runs it: in a new root stack, the module, then the body.
    pulumi.runtime.settings.set_root_resource(None)  # type: ignore[arg-type]
    roots: list[Any] = []

    def module() -> None:
        runpy.run_path(str(program), run_name="__main__")
        roots.append(pulumi.runtime.get_root_resource())

    async def exports() -> dict[str, Any]:
        """What the program exported, as it exported it (the monitor's copy has lost its null members)."""
        outputs = getattr(roots[0], "outputs", {}) if roots else {}
        return await pulumi.Output.from_input(outputs).future() or {}

    # The loop set_mocks used: the mocks' futures belong to it.
    loop = asyncio.get_event_loop()
    try:
        loop.run_until_complete(pulumi.runtime.run_in_stack(module))
        exported = loop.run_until_complete(exports())
    except pulumi.RunError as error:
        raise ProgramStopped(str(error), monitor.declared) from error
    return Declaration(
        resources=monitor.declared,
        outputs=exported,
        component_outputs=monitor.component_outputs,
        references=mocks.references,
        registered_outputs=monitor.registered_outputs,
        read=monitor.read,
    )
