"""tenant-pipeline: read the stack's config, declare the platform, export what its users need."""

from __future__ import annotations

import gc
import json
from typing import Any

import pulumi
import pulumi.runtime.config

from components.platform import declare_platform
from functions.contracts.directory import TenantRecord
from tiers.errors import ConfigError
from tiers.load import load_stack_config
from tiers.naming import PROJECT
from tiers.transitions import deployed_roster

# The stack reads its own last outputs: the roster it deployed, which the new config must step on from.
PREVIOUS_ROSTER = "previous-roster"


def stack_config_keys() -> set[str]:
    """Every config key of the stack (`aws:region`, `tenant-pipeline:tiers`, ...).

    pulumi.Config only reads a key it is asked for, so a misspelt key would pass unnoticed. The SDK
    holds the whole map: `pulumi up`'s language host passes it as PULUMI_CONFIG (read by the public
    get_config_env), the Automation API and the mocks set it with set_all_config (runtime.config.CONFIG).
    """
    return set(pulumi.runtime.get_config_env()) | set(pulumi.runtime.config.CONFIG.get())


def read_project_config() -> dict[str, Any]:
    """Every setting in the project's namespace, `tenant-pipeline:<key>` without it, unknown keys included:
    load_stack_config refuses those."""
    project_config = pulumi.Config(PROJECT)
    prefix = f"{PROJECT}:"
    raw: dict[str, Any] = {}
    for full_key in sorted(stack_config_keys()):
        if full_key.startswith(prefix):
            key = full_key[len(prefix) :]
            raw[key] = _decoded(project_config.get(key))
    return {key: value for key, value in raw.items() if value is not None}


def _decoded(value: str | None) -> Any:
    """Structured values arrive as JSON; a top-level value set without --path is a plain string."""
    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return value


async def previous_roster() -> dict[str, TenantRecord] | None:
    """The `tenants` output of this stack's last deployment; None before its first (nothing to step from)."""
    itself = pulumi.StackReference(PREVIOUS_ROSTER, f"{pulumi.get_organization()}/{PROJECT}/{pulumi.get_stack()}")
    details = await itself.get_output_details("tenants")
    tenants = details.value if details.value is not None else details.secret_value
    return None if tenants is None else deployed_roster(tenants, "the stack's last `tenants` output")


async def main() -> None:
    try:
        previous = await previous_roster()
        config = load_stack_config(
            read_project_config(),
            environment=pulumi.get_stack(),
            region=pulumi.Config("aws").require("region"),
            previous=previous,
        )
    except ConfigError as error:
        # RunError ends the program cleanly, without a Python traceback, before any resource.
        raise pulumi.RunError(str(error)) from error
    for name, value in declare_platform(config).items():
        pulumi.export(name, value)


# Thousands of resources keep tens of thousands of Outputs and futures alive until the end, and
# CPython's default full collections rescan them again and again: half the CPU at 5,000 tenants,
# growing faster than the roster (bench/RESULTS.md). Little of it is cyclic garbage: collect rarely.
gc.set_threshold(50_000, 50, 1000)
# Run after this module, awaited by the language host: the previous roster is read before any resource.
pulumi.run(main)
