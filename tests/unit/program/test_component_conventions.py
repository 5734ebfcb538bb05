"""Every component follows the same conventions: the type token's module is its folder, typed Args with
`tags` from the parent, children named `<parent>-<role>`, camelCase outputs, and tags on every resource."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import re
from typing import Any

import pulumi
import pytest

import components
from local.environment import read_environment
from local.program import Declaration

CAMEL_CASE = re.compile(r"[a-z][a-zA-Z0-9]*")


@pytest.fixture(scope="module")
def dev() -> Declaration:
    return read_environment("dev").declaration


def component_classes() -> list[type[pulumi.ComponentResource]]:
    found = []
    for module_info in pkgutil.walk_packages(components.__path__, "components."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, pulumi.ComponentResource) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def test_each_component_lives_in_the_folder_of_its_type_token(dev: Declaration) -> None:
    declared = {r.type for r in dev.resources if r.type.startswith("tenant-pipeline:")}
    for cls in component_classes():
        area = cls.__module__.split(".")[1]
        (token,) = [t for t in declared if t.endswith(f":{cls.__name__}")]
        assert token == f"tenant-pipeline:{area}:{cls.__name__}", cls


def test_each_component_takes_typed_args_with_tags_from_its_parent() -> None:
    classes = component_classes()
    assert len(classes) >= 12
    for cls in classes:
        args_type = inspect.signature(cls.__init__).parameters["args"].annotation
        args_class = getattr(importlib.import_module(cls.__module__), args_type)
        assert dataclasses.is_dataclass(args_class), cls
        assert "tags" in {field.name for field in dataclasses.fields(args_class)}, args_class


def test_component_outputs_are_camel_case(dev: Declaration) -> None:
    assert dev.component_outputs
    for urn, names in dev.component_outputs.items():
        assert names and all(CAMEL_CASE.fullmatch(name) for name in names), (urn, names)


def test_children_are_named_after_their_parent(dev: Declaration) -> None:
    by_urn = {r.urn: r for r in dev.resources}
    for resource in dev.resources:
        parent = by_urn.get(resource.parent)
        moved = any(alias.get("noParent") for alias in resource.aliases)  # kept its old root-level name
        if parent is None or moved:
            continue
        # The component's main resource shares its name; every other child is `<parent>-<role>`.
        assert resource.name == parent.name or resource.name.startswith(parent.name + "-"), (resource.name, parent.name)


def test_every_taggable_resource_says_project_and_environment(dev: Declaration) -> None:
    tagged: list[dict[str, Any]] = [r.inputs["tags"] for r in dev.resources if r.custom and "tags" in r.inputs]
    assert len(tagged) > 20
    for tags in tagged:
        assert tags["Project"] == "tenant-pipeline" and tags["Environment"] == "dev", tags
