"""Tier resolution: what each tenant of the roster gets, before any resource is declared."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from functions.contracts.directory import TenantStatus
from functions.contracts.keyspaces import POOLED_KEYSPACE, silo_keyspace
from functions.contracts.migration import MigrationState
from functions.contracts.s3_layout import tenant_s3_prefix
from tiers import offboarding
from tiers.capacity import TableCapacity, table_capacity
from tiers.model import Quotas, TenantSpec
from tiers.naming import Namer
from tiers.policy import TierPolicy
from tiers.pooled_roles import PooledShards, plan_pooled_shards, planning_application_role_arn


@dataclass(frozen=True)
class MigrationPlan:
    """The side a migrating tenant leaves: its tier, storage and role, and the migration's state."""

    from_tier: TierPolicy
    state: MigrationState
    verified: str | None
    source_keyspace: str
    source_role_name: str  # declared in every state; the directory names it only until `done`

    @property
    def source_released(self) -> bool:
        """In `done` the job has verified the copy and emptied the source: nothing reads or writes it."""
        return self.state == "done"


@dataclass(frozen=True)
class TenantPlan:
    tenant_id: str
    status: TenantStatus
    tier: TierPolicy
    keyspace: str  # its own (silo) or the pooled keyspace
    s3_prefix: str
    # Its own role (silo), or its shard's pooled role; None once it is not served (it has no role then).
    role_name: str | None
    # Which pooled role trusts its id: served pooled tenants, and every migrating tenant (one side is pooled).
    # Shards are numbered per cell: the role is its pooled cell's shard `pooled_shard` (tiers/cells.py).
    pooled_shard: int | None = None
    migration: MigrationPlan | None = None  # set while it moves between tiers; `tier` is the target
    cell: str | None = None  # the cell that declares it; None in an environment without cells
    from_cell: str | None = None  # the cell a migration leaves (its source side stays there until the move ends)
    key_cell: str | None = None  # its API key's salt (functions/contracts/api_keys.py); None: a key from before cells

    # What offboarding leaves: tiers/offboarding.py.
    @property
    def served(self) -> bool:
        return offboarding.is_served(self.status)

    # A migrating tenant has both storages in every state (the lead's design, decision 3): a silo side, the
    # target or the source, and a pooled side (its pooled shard's trust).
    @property
    def silo_tier(self) -> TierPolicy | None:
        """The tier its own keyspace is declared for: its tier if siloed, else the silo tier it migrates from."""
        if self.tier.siloed:
            return self.tier
        if self.migration is not None and self.migration.from_tier.siloed:
            return self.migration.from_tier
        return None

    @property
    def silo_is_source(self) -> bool:
        return self.migration is not None and not self.tier.siloed

    @property
    def has_own_keyspace(self) -> bool:
        if self.migration is not None:
            return True
        return offboarding.keeps_own_keyspace(self.tier, self.status)

    @property
    def data_protected(self) -> bool:
        """Whether its own keyspace and tables refuse deletion (Pulumi `protect`, with `retain_on_delete`).

        While it migrates both sides are protected, but for the source once `done`: the job has emptied it,
        and the next step (the block removed) drops it. Otherwise: the tier's offboarding strategy.
        """
        if self.migration is not None:
            return not (self.silo_is_source and self.migration.source_released)
        return offboarding.data_protected(self.tier)

    @property
    def silo_capacity(self) -> TableCapacity | None:
        """Its own tables' capacity: the silo side's tier, at the minimum once scaled down."""
        tier = self.silo_tier
        if tier is None or tier.own_keyspace is None:
            return None
        return table_capacity(tier.own_keyspace, scaled_down=self.scaled_down)

    @property
    def silo_role_name(self) -> str | None:
        """The role of its own keyspace: its role (silo tier), or the source's while it migrates from one."""
        if self.tier.siloed:
            return self.role_name
        return self.migration.source_role_name if self.silo_is_source and self.migration is not None else None

    @property
    def scaled_down(self) -> bool:
        return offboarding.scaled_down(self.tier, self.status)

    @property
    def pooled_role_name(self) -> str | None:
        """Its pooled shard's role: its role if its tier is pooled, else a pooled source's; None without one."""
        if self.pooled_shard is None:
            return None
        if self.tier.siloed and self.migration is not None:
            return self.migration.source_role_name
        return self.role_name

    @property
    def pooled_cell(self) -> str | None:
        """The cell whose pooled role trusts it: its cell if its tier is pooled, else a pooled source's."""
        if self.migration is not None and self.tier.siloed:
            return self.from_cell
        return self.cell


def plan_tenant(
    tenant: TenantSpec,
    tier: TierPolicy,
    namer: Namer,
    pooled_shard: int | None = None,
    from_tier: TierPolicy | None = None,
    *,
    role_cell: str | None = None,
    key_cell: str | None = None,
) -> TenantPlan:
    """`pooled_shard`: the served pooled or migrating tenant's shard (plan_tenants computes them for the whole
    roster); `from_tier`: the policy of the tier a migrating tenant leaves; `role_cell`: the cell part of its
    pooled role's name (None: the names from before cells); `key_cell`: its API key's salt."""
    served = offboarding.is_served(tenant.status)
    pooled_side = has_pooled_side(tenant, tier, from_tier)
    if pooled_side and pooled_shard is None:
        raise ValueError(f"tenant {tenant.id!r}: a served pooled or migrating tenant needs its pooled shard")

    def role_of(side: TierPolicy) -> str | None:
        if not served:
            return None
        return namer.tenant_role(tenant.id) if side.siloed else namer.pooled_tenant_role(pooled_shard or 0, role_cell)

    migration = None
    if tenant.migration is not None:
        if from_tier is None or from_tier.name != tenant.migration.from_tier:
            raise ValueError(f"tenant {tenant.id!r}: its migration needs tier {tenant.migration.from_tier!r}'s policy")
        source_role = role_of(from_tier)
        assert source_role is not None  # a migrating tenant is served (tiers/validation.py)
        migration = MigrationPlan(
            from_tier=from_tier,
            state=tenant.migration.state,
            verified=tenant.migration.verified,
            source_keyspace=keyspace_of(tenant.id, from_tier),
            source_role_name=source_role,
        )
    return TenantPlan(
        tenant_id=tenant.id,
        status=tenant.status,
        tier=tier,
        keyspace=keyspace_of(tenant.id, tier),
        s3_prefix=tenant_s3_prefix(tenant.id),
        role_name=role_of(tier),
        pooled_shard=pooled_shard if pooled_side else None,
        migration=migration,
        cell=tenant.cell,
        from_cell=None if tenant.migration is None else tenant.migration.from_cell,
        key_cell=key_cell,
    )


def keyspace_of(tenant_id: str, tier: TierPolicy) -> str:
    return silo_keyspace(tenant_id) if tier.siloed else POOLED_KEYSPACE


def has_pooled_side(tenant: TenantSpec, tier: TierPolicy, from_tier: TierPolicy | None) -> bool:
    """Served pooled tenants, and migrating ones (a migration always has a pooled side), are pooled role members."""
    if not offboarding.is_served(tenant.status):
        return False
    return not tier.siloed or (tenant.migration is not None and from_tier is not None and not from_tier.siloed)


def pooled_cell_of(tenant: TenantSpec, tiers: Mapping[str, TierPolicy]) -> str | None:
    """The cell of its pooled side: its cell, or a pooled source's while it moves to a silo tier."""
    if tenant.migration is not None and tiers[tenant.tier].siloed:
        return tenant.migration.from_cell
    return tenant.cell


def pooled_shards(
    tenants: Sequence[TenantSpec], tiers: dict[str, TierPolicy], namer: Namer, trust_policy_length: int
) -> dict[str | None, PooledShards]:
    """The pooled role members' shards, per pooled cell (one group, None, without cells): ConfigError if one
    tenant's trust policy cannot fit the quota."""
    members: dict[str | None, list[str]] = {}
    for tenant in tenants:
        if has_pooled_side(tenant, tiers[tenant.tier], _from_tier(tenant, tiers)):
            members.setdefault(pooled_cell_of(tenant, tiers), []).append(tenant.id)
    application = planning_application_role_arn(namer.application_role())
    return {cell: plan_pooled_shards(ids, application, trust_policy_length) for cell, ids in members.items()}


def _from_tier(tenant: TenantSpec, tiers: dict[str, TierPolicy]) -> TierPolicy | None:
    return None if tenant.migration is None else tiers[tenant.migration.from_tier]


def plan_tenants(
    tenants: tuple[TenantSpec, ...],
    tiers: dict[str, TierPolicy],
    namer: Namer,
    trust_policy_length: int = Quotas().role_trust_policy_length,
    *,
    key_cells: Mapping[str, str | None] | None = None,
    adopted_cell: str | None = None,
) -> list[TenantPlan]:
    """`key_cells`: each tenant's API key salt (tiers/cells.py key_cell); `adopted_cell`: the cell whose pooled
    roles keep the names from before cells."""
    by_cell = pooled_shards(tenants, tiers, namer, trust_policy_length)
    shards = {tenant_id: shard for cell in by_cell.values() for tenant_id, shard in cell.shard_by_tenant.items()}

    def role_cell(tenant: TenantSpec) -> str | None:
        cell = pooled_cell_of(tenant, tiers)
        return None if cell == adopted_cell else cell

    return [
        plan_tenant(
            tenant,
            tiers[tenant.tier],
            namer,
            shards.get(tenant.id),
            _from_tier(tenant, tiers),
            role_cell=role_cell(tenant),
            key_cell=(key_cells or {}).get(tenant.id),
        )
        for tenant in tenants
    ]


def pooled_roles(plans: Sequence[TenantPlan]) -> dict[tuple[str | None, int], tuple[str, ...]]:
    """Every pooled role the roster needs, (pooled cell, shard), with the tenant ids it trusts."""
    members: dict[tuple[str | None, int], list[str]] = {}
    for plan in plans:
        if plan.pooled_shard is not None:
            members.setdefault((plan.pooled_cell, plan.pooled_shard), []).append(plan.tenant_id)
    return {role: tuple(ids) for role, ids in members.items()}


def pooled_role_names(plans: Sequence[TenantPlan]) -> dict[int, str]:
    """Shard -> its role's name, for the shards of `plans` (one pooled cell's, or an environment's without cells)."""
    return {
        plan.pooled_shard: name
        for plan in plans
        if plan.pooled_shard is not None and (name := plan.pooled_role_name) is not None
    }


def pooled_role_tiers(plans: Sequence[TenantPlan]) -> dict[int, tuple[str, ...]]:
    """Shard -> the tiers of the tenants its role trusts (their analytics workgroups), in name order."""
    tiers: dict[int, set[str]] = {}
    for plan in plans:
        if plan.pooled_shard is not None:
            tiers.setdefault(plan.pooled_shard, set()).add(plan.tier.name)
    return {shard: tuple(sorted(names)) for shard, names in sorted(tiers.items())}


def pooled_role_members(plans: Sequence[TenantPlan]) -> dict[int, tuple[str, ...]]:
    """Shard -> the tenant ids its pooled role trusts, for the shards that serve any tenant (plans of one pooled
    cell, or of an environment without cells)."""
    members: dict[int, list[str]] = {}
    for plan in plans:
        if plan.pooled_shard is not None:
            members.setdefault(plan.pooled_shard, []).append(plan.tenant_id)
    return {shard: tuple(members[shard]) for shard in sorted(members)}
