"""The validated stack config, as the program and `make plan` consume it: settings and tenant plans."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tiers.alarms import AlarmSettings
from tiers.cells import CellLoad, CellSettings
from tiers.delivery_shards import DeliveryShards
from tiers.model import IngestSettings, Quotas, TenantSpec
from tiers.naming import Namer
from tiers.plan import TenantPlan
from tiers.policy import KeyspaceSettings, TierPolicy
from tiers.quotas import QuotaUse, Roster, quota_uses
from tiers.stacks import StackScope
from tiers.transitions import Transition

DEV_ENVIRONMENT = "dev"


@dataclass(frozen=True)
class StackConfig:
    environment: str
    region: str
    tenants: tuple[TenantSpec, ...]
    tiers: dict[str, TierPolicy]  # the tier catalogue: the defaults and the stack's own (tiers/catalogue.py)
    pool: KeyspaceSettings  # the shared pooled tables (tiers/pool.py)
    quotas: Quotas
    ingest: IngestSettings
    plans: tuple[TenantPlan, ...]  # what each tenant gets, in roster order: computed once, when loading
    roster: Roster  # what the quota needs are counted from, as validation counted them (its shards cached)
    # Each tenant's step from the deployed roster (tiers/transitions.py); None without one (a first deploy).
    transitions: tuple[Transition, ...] | None = None
    cells: CellSettings | None = None  # tenant-pipeline:cells; None: the environment is one stack
    scope: StackScope | None = None  # which of the environment's stacks this config is for (None: its platform)
    cell_loads: Mapping[str, CellLoad] = field(default_factory=dict)  # every cell, what it holds and declares
    alarms: AlarmSettings = field(default_factory=AlarmSettings)  # tenant-pipeline:alarms (tiers/alarms.py)

    @property
    def stack_scope(self) -> StackScope:
        return self.scope or StackScope(self.environment)

    def declares_tenants(self) -> bool:
        """Whether this stack declares tenants' resources: a cell, or the one stack of an environment without cells."""
        return self.cells is None or not self.stack_scope.platform

    @property
    def namer(self) -> Namer:
        return Namer(self.environment)

    @property
    def disposable(self) -> bool:
        """Outside dev, nothing holding tenants' identities or data goes away with a careless destroy."""
        return self.environment == DEV_ENVIRONMENT

    def quota_uses(self) -> list[QuotaUse]:
        """Every quota the roster touches, with the roster's need and the limit (`make plan`)."""
        return quota_uses(self.roster, self.quotas)

    @property
    def delivery_shards(self) -> DeliveryShards:
        """The enriched-events delivery streams and which one carries each served tenant."""
        return self.roster.delivery_shards
