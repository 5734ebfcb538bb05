"""From the raw `tenant-pipeline:*` values to a validated StackConfig, or a ConfigError."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from functions.contracts.directory import TenantRecord
from tiers.alarms import parse_alarms
from tiers.catalogue import resolve_tiers
from tiers.cell_scope import cell_transitions, key_cells
from tiers.cells import cell_loads, check_budgets, check_cells, parse_cells
from tiers.errors import ConfigError, ConfigProblem
from tiers.ingest import parse_ingest
from tiers.model import TenantSpec
from tiers.naming import Namer, tenant_names
from tiers.plan import TenantPlan, plan_tenants
from tiers.pool import parse_pool
from tiers.quotas import Roster, check_quotas, parse_quotas
from tiers.stack_config import StackConfig
from tiers.stacks import ENVIRONMENT_PATTERN, ENVIRONMENT_RULE, StackScope
from tiers.tenants import TenantNames, check_unique, parse_tenants
from tiers.transitions import Transitions, transitions
from tiers.validation import check_migration

CONFIG_KEYS = ("tenants", "tiers", "pool", "cells", "quotas", "ingest", "alarms")


def load_stack_config(
    raw: Mapping[str, Any],
    environment: str,
    region: str,
    names_of: TenantNames | None = None,
    previous: Mapping[str, TenantRecord] | None = None,
    *,
    scope: StackScope | None = None,
) -> StackConfig:
    """Validate everything, collecting every problem, and raise ConfigError if there is any.

    `raw` holds the environment's config values without the `tenant-pipeline:` namespace (a cell's are its
    environment's). `scope`: which stack of the environment runs (default: its platform stack). `previous`: the
    deployed records the stack reads (its own last `tenants` output; a cell's, the outputs of the stacks it reads:
    tiers/cell_scope.py); each tenant's change from them must be a lifecycle step (tiers/transitions.py). None on
    a first deploy: nothing to compare with.
    """
    scope = scope or StackScope(environment)
    problems: list[ConfigProblem] = []
    if not ENVIRONMENT_PATTERN.fullmatch(environment):
        problems.append(ConfigProblem(f"stack '{environment}'", f"name must be {ENVIRONMENT_RULE}"))
    namer = Namer(environment)
    for key in sorted(set(raw) - set(CONFIG_KEYS)):
        problems.append(
            ConfigProblem(f"tenant-pipeline:{key}", f"is not a setting of this program ({', '.join(CONFIG_KEYS)})")
        )
    tiers = resolve_tiers(raw.get("tiers"), problems)
    pool = parse_pool(raw.get("pool"), problems)
    tenants = parse_tenants(raw.get("tenants"), tiers.keys(), problems)
    check_unique(tenants, names_of or functools.partial(tenant_names, namer), problems)
    for tenant in tenants:
        problems.extend(check_migration(tenant, tiers))
    cells = parse_cells(raw.get("cells"), problems)
    if not problems:
        problems.extend(check_cells(tenants, tiers, cells) if cells else _no_cells(tenants, scope))
    quotas = parse_quotas(raw.get("quotas"), problems)
    ingest = parse_ingest(raw.get("ingest"), problems)
    alarms = parse_alarms(raw.get("alarms"), problems)
    steps = Transitions()
    if previous is not None and not problems:
        if scope.cell is not None:
            steps = cell_transitions(previous, tenants, tiers, scope.cell)
        elif cells is None:
            steps = transitions(previous, tenants, tiers)
        problems.extend(steps.problems)
    plans: tuple[TenantPlan, ...] = ()
    if not problems:
        try:
            plans = tuple(
                plan_tenants(
                    tuple(tenants),
                    tiers,
                    namer,
                    quotas.role_trust_policy_length,
                    key_cells=key_cells(tenants, previous or {}) if cells else None,
                    adopted_cell=cells.adopted if cells else None,
                )
            )
        except ConfigError as error:  # a tenant the pooled roles' trust policy cannot hold
            problems.extend(error.problems)
    loads = cell_loads(plans) if cells else {}
    if cells and not problems:
        problems.extend(check_budgets(loads.values(), cells))
    roster = Roster(plans, tiers, pool, ingest, namer, quotas.firehose_partitions, region)
    if not problems:
        check_quotas(roster, quotas, problems)
    if problems:
        raise ConfigError(problems)
    return StackConfig(
        environment=environment,
        region=region,
        tenants=tuple(tenants),
        tiers=tiers,
        pool=pool,
        quotas=quotas,
        ingest=ingest,
        alarms=alarms,
        plans=plans,
        roster=roster,
        transitions=None if previous is None or (cells and scope.platform) else steps.items,
        cells=cells,
        scope=scope,
        cell_loads=loads,
    )


def _no_cells(tenants: list[TenantSpec], scope: StackScope) -> list[ConfigProblem]:
    """An environment without `tenant-pipeline:cells` is one stack: no cell stack, no entry naming a cell."""
    problems = [
        ConfigProblem(
            f"tenant '{tenant.id}'",
            f"{tenant.where} names a cell, but the environment has none: set "
            'tenant-pipeline:cells (docs/design.md "Cells") or remove the cell',
        )
        for tenant in tenants
        if tenant.cell is not None or (tenant.migration is not None and tenant.migration.from_cell is not None)
    ]
    if scope.cell is not None:
        problems.append(
            ConfigProblem(
                f"stack '{scope.stack}'",
                f"is cell {scope.cell} of environment {scope.environment}, which has no cells (tenant-pipeline:cells)",
            )
        )
    return problems
