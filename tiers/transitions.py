"""What a deploy does to each tenant, against the roster deployed before, and the changes refused.

Pure: the previous roster (the directory records of the stack's last `tenants` output) and the new config's
entries in, one Transition per tenant and the problems out. A refused change names the path to take: the
exact config to write. Only one lifecycle step per tenant per deploy, each safe on its own:

    onboard          a new tenant
    offboard         status: offboarded (what its tier's strategy keeps or deletes)
    reactivate       status: active again
    tier change      a tier of the same storage model: nothing moves
    move start       a tier of the other storage model: `migration: {from: <deployed tier>, state: copying}`
    move step        copying -> cutover -> done, one state at a time, `verified` from cutover on
    move end         the block removed after `done`: the emptied source is dropped

The program refuses a deploy with a problem before it declares anything (tiers/load.py); `make plan` prints
the transitions first. Protection follows from the plans (tiers/plan.py); these rules keep the steps in order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from functions.contracts.directory import MIGRATION_KEY, TenantRecord
from functions.contracts.errors import ContractError
from functions.contracts.keyspaces import silo_keyspace
from functions.contracts.migration import NEXT_STATE, MigrationState
from functions.contracts.s3_layout import tenant_s3_prefix
from functions.contracts.tables import TENANT_TABLES
from tiers import offboarding
from tiers.errors import ConfigError, ConfigProblem
from tiers.model import TenantSpec
from tiers.plan import keyspace_of
from tiers.policy import TierPolicy

TransitionKind = Literal[
    "onboard", "offboard", "reactivate", "tier-change", "move-start", "move-step", "move-end", "removed", "unchanged"
]


@dataclass(frozen=True)
class Transition:
    tenant_id: str
    kind: TransitionKind
    summary: str  # one line: what this deploy does to the tenant
    deletes: tuple[str, ...] = ()  # what the deploy (or the job it asks for) deletes
    next_step: str | None = None  # what the user does next, when the step is part of a sequence

    def to_entry(self) -> dict[str, object]:
        return {
            "id": self.tenant_id,
            "kind": self.kind,
            "summary": self.summary,
            "deletes": list(self.deletes),
            "next": self.next_step,
        }


@dataclass(frozen=True)
class Transitions:
    items: tuple[Transition, ...] = ()
    problems: tuple[ConfigProblem, ...] = field(default_factory=tuple)


def deployed_roster(tenants: object, source: str) -> dict[str, TenantRecord]:
    """The records of a `tenants` output ({id: entry}); ConfigError naming `source` and the bad entry."""
    if not isinstance(tenants, Mapping):
        raise ConfigError([ConfigProblem(source, f"is not a map of tenant id to record: {type(tenants).__name__}")])
    try:
        return {
            tenant_id: TenantRecord.from_entry(tenant_id, _with_nulls(entry)) for tenant_id, entry in tenants.items()
        }
    except ContractError as error:
        raise ConfigError([ConfigProblem(source, str(error))]) from error


# Pulumi's Python SDK drops the null members of a map it deserializes, so a StackReference's `tenants` has no
# `roleArn` for an offboarded tenant and no `migration` for a settled one: they were null when exported. The
# records require the keys below; an absent `migration` already reads as none.
_NULLABLE = ("roleArn",)
_NULLABLE_IN_MIGRATION = ("roleArn", "verified")


def _with_nulls(entry: object) -> object:
    if not isinstance(entry, Mapping):
        return entry
    filled = {key: None for key in _NULLABLE} | dict(entry)
    migration = filled.get(MIGRATION_KEY)
    if isinstance(migration, Mapping):
        filled[MIGRATION_KEY] = {key: None for key in _NULLABLE_IN_MIGRATION} | dict(migration)
    return filled


def transitions(
    previous: Mapping[str, TenantRecord], tenants: Sequence[TenantSpec], tiers: Mapping[str, TierPolicy]
) -> Transitions:
    """Every tenant's transition from `previous` to the config (`tenants` parsed, `tiers` resolved).

    Only for a config with no problem so far (tiers/load.py): a migration's own rules, such as a from-tier
    other than its tier, are tiers/validation.py's check_migration and are not checked again here.
    """
    items: list[Transition] = []
    problems: list[ConfigProblem] = []
    for tenant in tenants:
        record = previous.get(tenant.id)
        outcome = _onboard(tenant, tiers) if record is None else _step(record, tenant, tiers)
        if isinstance(outcome, Transition):
            items.append(outcome)
        else:
            problems.append(ConfigProblem(f"tenant '{tenant.id}'", outcome))
    listed = {tenant.id for tenant in tenants}
    for tenant_id, record in previous.items():
        if tenant_id not in listed:
            outcome = _removed(record, tiers)
            if isinstance(outcome, Transition):
                items.append(outcome)
            else:
                problems.append(ConfigProblem(f"tenant '{tenant_id}'", outcome))
    return Transitions(tuple(items), tuple(problems))


def _storage(tier: TierPolicy) -> str:
    return f"{tier.storage} storage"


def _onboard(tenant: TenantSpec, tiers: Mapping[str, TierPolicy]) -> Transition | str:
    tier = tiers[tenant.tier]
    if tenant.migration is not None:
        return (
            f"{tenant.where}.migration: '{tenant.id}' is not in the deployed roster, so it has no data to move: "
            f"remove the block to onboard it on tier '{tenant.tier}'"
        )
    return onboarding(tenant, tier)


def onboarding(tenant: TenantSpec, tier: TierPolicy) -> Transition:
    """A tenant the deployed roster does not have (or every tenant of a first deploy)."""
    status = "" if offboarding.is_served(tenant.status) else " (offboarded from the start: no key, no role)"
    return Transition(tenant.id, "onboard", f"onboard on {tier.name} ({_storage(tier)}){status}")


def _step(record: TenantRecord, tenant: TenantSpec, tiers: Mapping[str, TierPolicy]) -> Transition | str:
    if record.migration is not None:
        return _moving(record, tenant, tiers)
    tier = tiers[tenant.tier]
    if tenant.migration is not None:
        return _move_start(record, tenant, tier)
    was_siloed = not record.pooled
    if tenant.tier == record.tier and was_siloed != tier.siloed:
        deployed = "pooled" if record.pooled else "silo"
        return (
            f"tier '{tier.name}' is now {_storage(tier)}, but this tenant's data is in {deployed} storage "
            f"({record.keyspace}): a tier's storage model cannot change under its tenants. Keep "
            f"tiers.{tier.name}.storage {deployed}, define another tier with {tier.storage} storage, and move the "
            f"tenants that need it there with a migration"
        )
    if tenant.tier != record.tier and was_siloed != tier.siloed:
        if not offboarding.is_served(tenant.status):
            return (
                f"an offboarded tenant's data stays where it is ({record.keyspace}): keep {tenant.where}.tier "
                f"{record.tier}, or reactivate it (status: active) and move it with a migration"
            )
        return (
            f"{record.tier} -> {tenant.tier} moves its data to {_storage(tier)} and needs a migration: set "
            f"{tenant.where}.migration to {{from: {record.tier}, state: copying}}"
        )
    if record.active and not offboarding.is_served(tenant.status):
        return _offboard(record, tenant, tier)
    if not record.active and offboarding.is_served(tenant.status):
        return Transition(tenant.id, "reactivate", f"reactivate on {tier.name}: its API key and role come back")
    if tenant.tier != record.tier:
        return Transition(
            tenant.id, "tier-change", f"tier {record.tier} -> {tier.name} (both {_storage(tier)}: no data moves)"
        )
    return Transition(tenant.id, "unchanged", f"no change ({tier.name}, {tenant.status})")


def _move_start(record: TenantRecord, tenant: TenantSpec, tier: TierPolicy) -> Transition | str:
    migration = tenant.migration
    assert migration is not None
    where = f"{tenant.where}.migration"
    if migration.from_tier != record.tier:
        return f"{where}.from is '{migration.from_tier}', but the deployed tier is '{record.tier}': set it to that"
    if record.cell is not None and migration.from_cell != record.cell:
        return (
            f"{where}.fromCell is '{migration.from_cell}', but its data is deployed in cell '{record.cell}': "
            "set it to that"
        )
    if migration.state != "copying":
        return (
            f"{where}.state: a move starts in copying (the job copies and verifies before anyone reads the "
            f"target), not {migration.state}: set {where}.state to copying"
        )
    target = keyspace_of(tenant.id, tier)
    return Transition(
        tenant.id,
        "move-start",
        f"tier move {record.tier} -> {tier.name} starts (copying): declares its {_storage(tier)} ({target}) "
        f"beside {record.keyspace}; reads stay on the source, writes go to both",
        next_step=_run_job(tenant.id),
    )


def _moving(record: TenantRecord, tenant: TenantSpec, tiers: Mapping[str, TierPolicy]) -> Transition | str:
    """The deployed record is migrating: the same move, one state on, or the block removed after `done`."""
    moving = record.migration
    assert moving is not None
    where = f"{tenant.where}.migration"
    deployed = f"tier: {record.tier}, migration: {{from: {moving.from_tier}, state: {moving.state}}}"
    if tenant.tier != record.tier or (tenant.migration is not None and tenant.migration.from_tier != moving.from_tier):
        return (
            f"its move {moving.from_tier} -> {record.tier} is deployed in state {moving.state}: keep {deployed} "
            f"and finish it ({_next_of(moving.state, where)}) before another tier change"
        )
    if tenant.migration is None:
        if moving.state == "done" and not offboarding.is_served(tenant.status):
            return f"one step per deploy: remove {where} first (the move is done), then offboard it in the next deploy"
        if moving.state != "done":
            return (
                f"{where} removed in state {moving.state}: the source {moving.keyspace} still holds its data. "
                f"Keep the block and {_next_of(moving.state, where)}; it goes once the move is done"
            )
        return _move_end(record, tenant, tiers)
    state = tenant.migration.state
    if state == moving.state:
        return Transition(
            tenant.id,
            "unchanged",
            f"tier move {moving.from_tier} -> {record.tier} stays in {state}",
            next_step=_after(tenant.id, state, where),
        )
    if NEXT_STATE.get(moving.state) != state:
        return (
            f"{where}.state {moving.state} -> {state} is not the next step of the move: {_next_of(moving.state, where)}"
        )
    target = record.keyspace
    said = {
        "cutover": f"reads move to the target {target}; writes still go to both",
        "done": f"writes stop going to {moving.keyspace}; the source is no longer protected, for the job to empty",
    }[state]
    return Transition(
        tenant.id,
        "move-step",
        f"tier move {moving.from_tier} -> {record.tier}: {moving.state} -> {state}: {said}",
        next_step=_after(tenant.id, state, where),
    )


def _move_end(record: TenantRecord, tenant: TenantSpec, tiers: Mapping[str, TierPolicy]) -> Transition:
    moving = record.migration
    assert moving is not None
    source_siloed = moving.keyspace == silo_keyspace(tenant.id)
    deletes = (
        (f"keyspace {moving.keyspace} and its {len(TENANT_TABLES)} tables (emptied by the job)", "its silo role")
        if source_siloed
        else ("its place in its pooled role's trust (the job emptied its pooled rows)",)
    )
    return Transition(
        tenant.id,
        "move-end",
        f"tier move {moving.from_tier} -> {record.tier} finished: the source {moving.keyspace} is released",
        deletes=deletes,
    )


def _offboard(record: TenantRecord, tenant: TenantSpec, tier: TierPolicy) -> Transition:
    strategy = tier.offboarding
    deletes = ["its API key", "its silo role" if tier.siloed else "its place in its pooled role's trust"]
    if strategy == "delete":
        if tier.siloed:
            deletes.append(f"keyspace {silo_keyspace(tenant.id)} and its {len(TENANT_TABLES)} tables")
        deletes.append(
            f"by `make offboard TENANT={tenant.id}`: its rows"
            + (" (silo tables)" if tier.siloed else " in the pooled tables, by partition")
            + f" and every S3 object version under {tenant_s3_prefix(tenant.id)}, with a receipt"
        )
    kept = {
        "retain": "its data stays as it is",
        "scale-down": f"keyspace {silo_keyspace(tenant.id)} stays at the smallest fixed capacity",
        "delete": "nothing of its data stays",
    }[strategy]
    return Transition(
        tenant.id,
        "offboard",
        f"offboard ({tier.name}, offboarding {strategy}): {kept}",
        deletes=tuple(deletes),
        next_step=f"make offboard TENANT={tenant.id}" if strategy == "delete" else None,
    )


def _removed(record: TenantRecord, tiers: Mapping[str, TierPolicy]) -> Transition | str:
    if record.active:
        return (
            "is deployed but no longer listed in tenant-pipeline:tenants: keep its entry and offboard it "
            "(status: offboarded); its data goes only by its tier's offboarding strategy"
        )
    tier = tiers.get(record.tier)
    keeps_keyspace = not record.pooled and (tier is None or offboarding.keeps_own_keyspace(tier, record.status))
    if keeps_keyspace:
        return (
            f"its keyspace {record.keyspace} is kept (offboarding {tier.offboarding if tier else 'of its tier'}) "
            f"and protected, and is declared from its entry: keep the entry (status: offboarded)"
        )
    return Transition(record.tenant_id, "removed", "entry removed: nothing of it is declared any more")


def _next_of(state: MigrationState, where: str) -> str:
    following = NEXT_STATE.get(state)
    if following is None:
        return f"remove {where} (the move is done)"
    digest = " with the verified digest `make migrate` printed" if following == "cutover" else ""
    return f"set {where}.state to {following}{digest}"


def _run_job(tenant_id: str) -> str:
    return f"make migrate TENANT={tenant_id}: it copies, verifies and prints the commands for cutover"


def _after(tenant_id: str, state: MigrationState, where: str) -> str:
    if state == "copying":
        return _run_job(tenant_id)
    if state == "cutover":
        return f"set {where}.state to done (keep verified)"
    return f"make migrate TENANT={tenant_id} empties the source; then remove {where}: the next deploy drops it"
