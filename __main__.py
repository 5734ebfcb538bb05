"""tenant-pipeline: read the environment's config, declare this stack's part of it, export what its users need.

A stack is an environment's platform (named as the environment: `dev`) or, in an environment with cells, one of its
cells (`dev.basic-1`: tiers/stacks.py). Every stack validates the whole environment's config and declares only its
own part, so `pulumi up` on any one of them alone is safe; a cell reads its environment's settings file and the
outputs of the stacks it depends on (pulumi.StackReference: the platform's, its own last ones, and those of the
cells its tenants move between).
"""

from __future__ import annotations

import gc
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi.runtime.config

from components.cells.tenant_cell import PlatformOutputs, TenantCell, TenantCellArgs
from components.platform import declare_platform
from components.tags import platform_tags
from functions.contracts.directory import TenantRecord
from tiers.cell_scope import merged_records, record_sources
from tiers.errors import ConfigError, ConfigProblem
from tiers.load import load_stack_config
from tiers.naming import PROJECT
from tiers.stack_config import StackConfig
from tiers.stack_file import ENVIRONMENT_FILE_KEY, read_environment_file, stack_file_name
from tiers.stacks import StackScope, stack_scope
from tiers.transitions import deployed_roster

PROGRAM_DIR = Path(__file__).parent
TENANTS = "tenants"  # the stack output of the records a stack declares
ADOPTED = "adoptedTenants"  # the platform's: the records it held as its environment's only stack


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


def environment_settings(scope: StackScope) -> tuple[dict[str, Any], str]:
    """The environment's `tenant-pipeline:*` settings and region: the platform's own; a cell's, from its
    environment's settings file (its own settings say only its region, which must be the environment's)."""
    region = pulumi.Config("aws").require("region")
    own = read_project_config()
    if scope.cell is None:
        return own, region
    path = PROGRAM_DIR / str(own.pop(ENVIRONMENT_FILE_KEY, stack_file_name(scope.environment)))
    problems = [
        ConfigProblem(
            f"tenant-pipeline:{key}",
            f"is set in cell {scope.cell}'s own settings: a cell's settings are its environment's ({path.name})",
        )
        for key in sorted(own)
    ]
    environment = read_environment_file(path)
    if environment.get("aws:region") != region:
        problems.append(
            ConfigProblem("aws:region", f"is {region} here but {environment.get('aws:region')} in {path.name}")
        )
    if problems:
        raise ConfigError(problems)
    prefix = f"{PROJECT}:"
    return {key[len(prefix) :]: value for key, value in environment.items() if key.startswith(prefix)}, region


def stack_reference(name: str, stack: str) -> pulumi.StackReference:
    return pulumi.StackReference(name, f"{pulumi.get_organization()}/{PROJECT}/{stack}")


async def output_value(reference: pulumi.StackReference, name: str) -> Any:
    details = await reference.get_output_details(name)
    return details.value if details.value is not None else details.secret_value


@dataclass(frozen=True)
class Deployed:
    """What a stack read of what is deployed: the records its steps are checked against (None: a first deploy of
    an environment without cells), and the platform's records from before cells."""

    records: dict[str, TenantRecord] | None
    adopted: dict[str, Any]


async def read_platform(scope: StackScope, cells: bool) -> Deployed:
    """The platform's own last outputs: its records (without cells: the roster deployed last), or with cells the
    records of the one-stack environment it was, kept as `adoptedTenants`."""
    itself = stack_reference("previous-roster", scope.stack)
    tenants = await output_value(itself, TENANTS)
    if not cells:
        records = None if tenants is None else deployed_roster(tenants, "the stack's last `tenants` output")
        return Deployed(records, {})
    adopted = tenants if tenants is not None else await output_value(itself, ADOPTED)
    return Deployed(None, dict(adopted or {}))


async def read_cell(scope: StackScope, config: StackConfig) -> tuple[Deployed, PlatformOutputs]:
    """A cell's reads: the platform's outputs, and the records deployed by the platform (adopted), the cells its
    tenants move between, and itself (tiers/cell_scope.py record_sources)."""
    platform = stack_reference("platform", scope.environment)
    adopted = await output_value(platform, ADOPTED) or {}
    sources = []
    for stack in record_sources(config.tenants, scope):
        name = "previous-roster" if stack == scope.stack else f"cell-{stack}"
        sources.append((stack, await output_value(stack_reference(name, stack), TENANTS)))
    outputs = PlatformOutputs(
        usage_plan_ids=platform.require_output("usagePlanIds"),
        api_key_secret=pulumi.Output.secret(platform.require_output("apiKeySecret")),
        application_role_arn=platform.require_output("applicationRoleArn"),
    )
    return Deployed(merged_records(adopted, sources), dict(adopted)), outputs


async def main() -> None:
    try:
        scope = stack_scope(pulumi.get_stack())
        raw, region = environment_settings(scope)
        if scope.cell is None:
            deployed = await read_platform(scope, cells="cells" in raw)
        else:
            # First the config alone (refused before reading any stack), then the stacks its tenants name.
            unread = load_stack_config(raw, scope.environment, region, scope=scope)
            deployed, platform = await read_cell(scope, unread)
        config = load_stack_config(raw, scope.environment, region, previous=deployed.records, scope=scope)
    except ConfigError as error:
        # RunError ends the program cleanly, without a Python traceback, before any resource.
        raise pulumi.RunError(str(error)) from error
    if scope.cell is None:
        outputs = declare_platform(config, adopted=deployed.adopted)
    else:
        cell = TenantCell(
            "cell",
            TenantCellArgs(config=config, cell=scope.cell, platform=platform, tags=platform_tags(config.environment)),
        )
        outputs = {TENANTS: cell.directory, "cell": scope.cell, "directorySlice": cell.slice.key}
    for name, value in outputs.items():
        pulumi.export(name, value)


# Thousands of resources keep tens of thousands of Outputs and futures alive until the end, and
# CPython's default full collections rescan them again and again: half the CPU at 5,000 tenants,
# growing faster than the roster (bench/RESULTS.md). Little of it is cyclic garbage: collect rarely.
gc.set_threshold(50_000, 50, 1000)
# Run after this module, awaited by the language host: the previous roster is read before any resource.
pulumi.run(main)
