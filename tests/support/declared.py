"""The pipeline as the program declares it under Pulumi mocks, with the look-ups its tests share."""

from __future__ import annotations

import json
from typing import Any

from pulumi.runtime import rpc

from local.environment import run_settings
from local.program import Declaration, DeclaredResource
from local.stack_file import read_stack_config
from tiers.stack_config import StackConfig


class DeclaredPipeline:
    """A Declaration with the look-ups the pipeline tests share."""

    def __init__(self, declaration: Declaration, config: StackConfig):
        self.declaration = declaration
        self.outputs = declaration.outputs
        self.config = config  # the validated config the program declared it from (the tier catalogue, the roster)

    def config_value(self, key: str) -> Any:
        """A raw config value of the dev stack file (what a test overrides starts from)."""
        return read_stack_config("dev")[key]

    def all(self, type_: str) -> list[DeclaredResource]:
        return self.declaration.of_type(type_)

    def in_pipeline(self, type_: str) -> list[DeclaredResource]:
        """Resources of `type_` declared by the IngestionPipeline component (not by storage or tenants)."""
        (pipeline,) = self.all("tenant-pipeline:ingestion:IngestionPipeline")
        return [resource for resource in self.declaration.children_of(pipeline.urn) if resource.type == type_]

    def one(self, type_: str, name_part: str = "") -> DeclaredResource:
        matches = [resource for resource in self.all(type_) if name_part in resource.name]
        if len(matches) > 1:  # `delivery-events` names stream 0, not `delivery-events-1` too
            matches = [resource for resource in matches if resource.name.endswith(name_part)]
        assert len(matches) == 1, f"{len(matches)} {type_} resources named like {name_part!r}"
        return matches[0]

    def arn(self, type_: str, name_part: str = "") -> str:
        return str(self.one(type_, name_part).outputs["arn"])

    def role_policy(self, role_name_part: str) -> dict[str, Any]:
        """The inline policy document of the role whose logical name contains `role_name_part`."""
        role = self.one("aws:iam/role:Role", role_name_part)
        (policy,) = [p for p in self.all("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == role.id]
        return dict(json.loads(policy.inputs["policy"]))

    def trust_policy(self, role_name_part: str) -> dict[str, Any]:
        return dict(json.loads(self.one("aws:iam/role:Role", role_name_part).inputs["assumeRolePolicy"]))


def reveal(value: Any) -> tuple[Any, bool]:
    """(plain value, whether Pulumi marked it secret) of a declared input."""
    if isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig:
        return value["value"], True
    return value, False


def run(stack: str, **overrides: Any) -> DeclaredPipeline:
    """The dev environment's settings (with `overrides`) declared as environment `stack`: every stack of it."""
    environment = run_settings(stack, {**read_stack_config("dev"), **overrides})
    return DeclaredPipeline(environment.declaration, environment.config)
