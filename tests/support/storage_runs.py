"""Running the program for a roster, and reading the storage part of what it declared.

Also records each registration's `protect` and `ignoreChanges`, which local.program's Declaration
does not keep: offboarding's data protection is a resource option, not an input.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from local.program import Declaration, DeclaredResource, _RecordingMonitor, run_program

STORAGE_COMPONENTS = (
    "tenant-pipeline:storage:ApplicationRole",
    "tenant-pipeline:storage:PooledStorage",
    "tenant-pipeline:storage:SiloTenant",
)


@dataclass(frozen=True)
class Registration:
    type: str
    name: str
    protect: bool
    ignore_changes: tuple[str, ...]


@dataclass
class StorageRun:
    declaration: Declaration
    registrations: list[Registration]

    @property
    def outputs(self) -> dict[str, Any]:
        return self.declaration.outputs

    def protected(self, name: str) -> bool:
        return next(r.protect for r in self.registrations if r.name == name)

    def ignored(self, name: str) -> tuple[str, ...]:
        return next(r.ignore_changes for r in self.registrations if r.name == name)

    def tenant_resources(self, tenant_id: str) -> list[DeclaredResource]:
        """A premium tenant's component and everything under it."""
        component = self.declaration.named(f"tenant-{tenant_id}")
        return [component, *self.declaration.children_of(component.urn)]

    def storage_resources(self) -> list[DeclaredResource]:
        components = [r for r in self.declaration.resources if r.type in STORAGE_COMPONENTS]
        return [*components, *(child for c in components for child in self.declaration.children_of(c.urn))]

    def role_policy(self, role_logical_name: str, policy: str = "tenant-data") -> dict[str, Any]:
        """The role's inline policy named `<prefix>-<policy>`: its tenant data (storage), or its analytics."""
        role = self.declaration.named(role_logical_name)
        policies = [
            r
            for r in self.declaration.of_type("aws:iam/rolePolicy:RolePolicy")
            if r.inputs["role"] == role.outputs["name"] and r.inputs["name"].endswith(f"-{policy}")
        ]
        assert len(policies) == 1, f"{role_logical_name} has {len(policies)} {policy} policies"
        document: dict[str, Any] = json.loads(policies[0].inputs["policy"])
        return document


@contextmanager
def recording_registrations() -> Iterator[list[Registration]]:
    recorded: list[Registration] = []
    original = _RecordingMonitor.RegisterResource

    def register(self: _RecordingMonitor, request: Any) -> Any:
        if request.type != "pulumi:pulumi:Stack":
            recorded.append(
                Registration(request.type, request.name, bool(request.protect), tuple(request.ignoreChanges))
            )
        return original(self, request)

    _RecordingMonitor.RegisterResource = register  # type: ignore[method-assign]
    try:
        yield recorded
    finally:
        _RecordingMonitor.RegisterResource = original  # type: ignore[method-assign]


def stack_config(tenants: list[dict[str, str]], **project: Any) -> dict[str, Any]:
    config: dict[str, Any] = {"aws:region": "us-east-1", "tenant-pipeline:tenants": tenants}
    config.update({f"tenant-pipeline:{key}": value for key, value in project.items()})
    return config


def run_roster(tenants: list[dict[str, str]], stack: str = "test", **project: Any) -> StorageRun:
    with recording_registrations() as registrations:
        declaration = run_program(stack, stack_config(tenants, **project))
    return StorageRun(declaration, registrations)
