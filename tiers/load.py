"""From the raw `tenant-pipeline:*` values to a validated StackConfig, or a ConfigError."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from functions.contracts.directory import TenantRecord
from tiers.catalogue import resolve_tiers
from tiers.errors import ConfigError, ConfigProblem
from tiers.ingest import parse_ingest
from tiers.naming import Namer, tenant_names
from tiers.plan import TenantPlan, plan_tenants
from tiers.pool import parse_pool
from tiers.quotas import Roster, check_quotas, parse_quotas
from tiers.stack_config import StackConfig
from tiers.tenants import TenantNames, check_unique, parse_tenants
from tiers.transitions import Transitions, transitions
from tiers.validation import check_migration

CONFIG_KEYS = ("tenants", "tiers", "pool", "quotas", "ingest")
_ENVIRONMENT = re.compile(r"^[a-z][a-z0-9-]{0,15}$")


def load_stack_config(
    raw: Mapping[str, Any],
    environment: str,
    region: str,
    names_of: TenantNames | None = None,
    previous: Mapping[str, TenantRecord] | None = None,
) -> StackConfig:
    """Validate everything, collecting every problem, and raise ConfigError if there is any.

    `raw` holds the project's config values without the `tenant-pipeline:` namespace. `previous`: the
    deployed roster (the stack's last `tenants` output); each tenant's change from it must be a lifecycle
    step (tiers/transitions.py). None on a first deploy: nothing to compare with.
    """
    problems: list[ConfigProblem] = []
    if not _ENVIRONMENT.fullmatch(environment):
        problems.append(
            ConfigProblem(
                f"stack '{environment}'", "name must be 1-16 characters of a-z, 0-9 and '-', starting with a letter"
            )
        )
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
    quotas = parse_quotas(raw.get("quotas"), problems)
    ingest = parse_ingest(raw.get("ingest"), problems)
    steps = Transitions()
    if previous is not None and not problems:
        steps = transitions(previous, tenants, tiers)
        problems.extend(steps.problems)
    plans: tuple[TenantPlan, ...] = ()
    if not problems:
        try:
            plans = tuple(plan_tenants(tuple(tenants), tiers, namer, quotas.role_trust_policy_length))
        except ConfigError as error:  # a tenant the pooled roles' trust policy cannot hold
            problems.extend(error.problems)
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
        plans=plans,
        roster=roster,
        transitions=None if previous is None else steps.items,
    )
