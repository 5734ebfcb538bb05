"""`tenant-pipeline plan --env ENV [--json]`: every stack of an environment under Pulumi's mocks, as `pulumi up` of
each would declare it (local/environment.py), with no cloud account.

Per stack: its name, kind (platform or cell), the tier its cell was opened for, the tenants it holds (and those
whose data leaves it), what it declares by resource type, and a cell's use of its budget; then each tenant's step
from what is deployed (the stacks' outputs, when a backend has them: `pulumi login` or --backend; else a first
deploy), and the environment's AWS quotas. The tables and entries are `make plan`'s (local/plan.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from rich.console import Console
from rich.table import Table

from local.engine.toolchain import available
from local.environment import EnvironmentRun, run_environment
from local.plan import (
    PLAN_FORMAT,
    quota_entry,
    quota_table,
    resource_table,
    stack_entry,
    stacks_table,
    tenant_entry,
    transition_table,
)
from local.previous_roster import PreviousRoster
from orchestrator.errors import EngineError
from orchestrator.session import Session
from orchestrator.stacks import Environment
from tiers.transitions import Transition, onboarding

ADOPTED = "adoptedTenants"  # the platform's output of the records it held before cells (__main__.py)
TENANTS = "tenants"


def deployed_outputs(session: Session, environment: Environment) -> tuple[str | None, dict[str, dict[str, Any]]]:
    """Each of the environment's stacks' outputs as its backend has them, and where they were read; (None, {})
    without a Pulumi CLI, a backend, or a deployed stack."""
    if not available():
        return None, {}
    try:
        workspace = session.workspace()
        url = workspace.backend()
        existing = workspace.existing()
        outputs = {spec.name: workspace.outputs(spec.name) for spec in environment.stacks() if spec.name in existing}
    except EngineError as error:
        session.say(f"[dim]planning a first deploy: {error}[/]")
        return None, {}
    outputs = {stack: values for stack, values in outputs.items() if values}
    return (f"backend {url}" if outputs else None), outputs


def plan_document(run: EnvironmentRun, previous: str | None, steps: tuple[Transition, ...] | None) -> dict[str, Any]:
    config = run.config
    cells = config.cells
    return {
        "format": PLAN_FORMAT,
        "environment": run.name,
        "region": config.region,
        "cells": None if cells is None else {"budget": cells.budget, "adopted": cells.adopted},
        "previous": previous,
        "transitions": None if steps is None else [step.to_entry() for step in steps],
        "stacks": [stack_entry(config, stack) for stack in run.stacks],
        "tenants": [tenant_entry(config, plan) for plan in config.plans],
        "quotas": [quota_entry(use) for use in config.quota_uses()],
    }


def cell_resource_table(run: EnvironmentRun) -> Table:
    """What each cell declares, by resource type (the type's last part), one row a cell."""
    counts = {stack.stack: stack.declaration.count_by_type() for stack in run.cells()}
    types = sorted({type_ for count in counts.values() for type_ in count})
    table = Table(title="Declared by each cell, by resource type", title_justify="left")
    table.add_column("cell")
    for type_ in types:
        table.add_column(type_.rsplit(":", 1)[-1], justify="right")
    table.add_column("total", justify="right")
    for stack, count in counts.items():
        table.add_row(stack, *(str(count.get(type_, 0)) for type_ in types), f"[bold]{sum(count.values())}[/]")
    return table


@dataclass(frozen=True)
class Plan:
    run: EnvironmentRun  # every stack under mocks
    previous: str | None  # where the deployed outputs were read; None: a first deploy
    steps: tuple[Transition, ...] | None  # each tenant's step from them; None: a first deploy

    def document(self) -> dict[str, Any]:
        return plan_document(self.run, self.previous, self.steps)


def plan(session: Session, environment: Environment, use_backend: bool = True) -> Plan:
    """Every stack of the environment under mocks, with the outputs its backend has (`use_backend`)."""
    previous, outputs = deployed_outputs(session, environment) if use_backend else (None, {})
    run = run_environment(environment.name, environment.project_dir, deployed=outputs)
    # Each tenant's step as the stack that declares it checks it (local/environment.py), None on a first deploy.
    return Plan(run, previous, run.config.transitions)


def print_plan(console: Console, plan: Plan) -> None:
    run, config = plan.run, plan.run.config
    steps = plan.steps
    previous = None if plan.previous is None else PreviousRoster(plan.previous, {})
    if steps is None:
        steps = tuple(onboarding(tenant, config.tiers[tenant.tier]) for tenant in config.tenants)
    console.print(transition_table(replace(config, transitions=steps), previous))
    console.print(stacks_table(run.name, [stack_entry(config, stack) for stack in run.stacks]))
    platform = resource_table(run.platform.declaration)
    platform.title = f"Declared by the platform ({run.name}), by resource type"
    console.print(platform)
    if run.cells():
        console.print(cell_resource_table(run))
    console.print(quota_table(config.quota_uses()))
