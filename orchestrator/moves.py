"""`tenant-pipeline move ID --tier T`: a tenant to another tier.

Within one storage model that is one edit (its tier; it keeps its cell). Between storage models (pooled <-> silo)
it is the migration of docs/design.md "Tenant lifecycle", four deploys with the migration job between them:

    start     tier T, cell: a cell of tier T with room, migration {from, state: copying, fromCell}   then the job
    cutover   migration.state cutover, migration.verified: the digest the job printed              then the job
    done      migration.state done                                                                  then the job
    end       the migration block removed

Each step is a change (orchestrator/changes.py): checked, written, and deployed to the cell holding the tenant's
record (the target) before the cell its data leaves (the source). The job runs on the record the target cell has
just deployed (orchestrator/migration_job.py). A failure stops the move at its step; running the same command again
resumes there (the config says which step it is at; stacks deployed as they are are skipped, the job's ledger
resumes a copy).
"""

from __future__ import annotations

from typing import Any

from functions.contracts.migration import NEXT_STATE
from local.stack_file import config_path
from orchestrator.changes import Change, apply
from orchestrator.config_edits import ConfigEdit
from orchestrator.errors import ChangeRefusedError, MigrationJobError
from orchestrator.lifecycle import cell_for, tenant_of
from orchestrator.session import Session
from orchestrator.stacks import Environment
from tiers.model import TenantSpec


def start_change(environment: Environment, tenant: TenantSpec, tier: str) -> Change:
    """The first step: to tier `tier` (a tier change within one storage model: the only step)."""
    tiers = environment.config.tiers
    if tier not in tiers:
        raise ChangeRefusedError(f"tier '{tier}' is not defined (tiers: {', '.join(sorted(tiers))})")
    path = config_path(tenant)
    if tiers[tier].storage == tiers[tenant.tier].storage:
        summary = f"move {tenant.id}: tier {tenant.tier} -> {tier} (both {tiers[tier].storage}: no data moves)"
        return Change(tenant.id, summary, (ConfigEdit(f"{path}.tier", tier),))
    moved = TenantSpec(id=tenant.id, tier=tier, status=tenant.status, index=tenant.index)
    cell = cell_for(environment, moved)
    edits = [
        ConfigEdit(f"{path}.tier", tier),
        ConfigEdit(f"{path}.migration.from", tenant.tier),
        ConfigEdit(f"{path}.migration.state", "copying"),
    ]
    if cell is not None and tenant.cell is not None:
        edits += [ConfigEdit(f"{path}.cell", cell), ConfigEdit(f"{path}.migration.fromCell", tenant.cell)]
    where = "" if cell is None else f", cell {tenant.cell} -> {cell}"
    return Change(tenant.id, f"move {tenant.id}: tier {tenant.tier} -> {tier}{where}: copying", tuple(edits))


def step_change(tenant: TenantSpec, verified: str | None) -> Change:
    """The step after the tenant's migration state, with the digest the job gave in it."""
    assert tenant.migration is not None
    path = config_path(tenant)
    state = tenant.migration.state
    following = NEXT_STATE.get(state)
    if following is None:  # done: the job has emptied the source
        summary = f"move {tenant.id}: done, the source released"
        return Change(tenant.id, summary, (ConfigEdit(f"{path}.migration", None),))
    edits = [ConfigEdit(f"{path}.migration.state", following)]
    if state == "copying":
        if verified is None:
            raise MigrationJobError(f"the migration job verified no copy of tenant {tenant.id}: no digest for cutover")
        edits.insert(0, ConfigEdit(f"{path}.migration.verified", verified))
    return Change(tenant.id, f"move {tenant.id}: {state} -> {following}", tuple(edits))


def deployed_record(session: Session, environment: Environment, tenant: TenantSpec) -> dict[str, Any]:
    """The tenant's directory record as the stack holding it last deployed it."""
    holder = environment.declaring(tenant)[0]
    record = (session.workspace().outputs(holder.name).get("tenants") or {}).get(tenant.id)
    if not isinstance(record, dict):
        raise MigrationJobError(f"stack {holder.name} has deployed no record of tenant {tenant.id}")
    state = (record.get("migration") or {}).get("state")
    expected = None if tenant.migration is None else tenant.migration.state
    if state != expected:
        raise MigrationJobError(
            f"stack {holder.name} deployed tenant {tenant.id} in migration state {state}, not {expected}: "
            "run the command again once it has deployed"
        )
    return record


def move(session: Session, environment: Environment, tenant_id: str, tier: str) -> Environment:
    tenant = tenant_of(environment, tenant_id)
    if tenant.migration is not None and tenant.tier != tier:
        raise ChangeRefusedError(
            f"tenant '{tenant_id}' is moving {tenant.migration.from_tier} -> {tenant.tier} "
            f"({tenant.migration.state}): finish that move first (`tenant-pipeline move {tenant_id} --tier "
            f"{tenant.tier}`)"
        )
    if tenant.migration is None:
        if tenant.tier == tier:
            change = Change(tenant_id, f"move {tenant_id}: on tier {tier}", ())  # done before: deploy what is left
        else:
            change = start_change(environment, tenant, tier)
    else:  # resuming: deploy the step the config is at, then go on from it
        change = Change(tenant_id, f"move {tenant_id}: {tenant.migration.state}", ())
    environment = apply(session, environment, change)
    tenant = tenant_of(environment, tenant_id)
    while tenant.migration is not None:
        record = deployed_record(session, environment, tenant)
        session.say(f"move {tenant_id}: the migration job, state {tenant.migration.state}")
        verified = session.job.run(environment.name, tenant, record)
        environment = apply(session, environment, step_change(tenant, verified))
        tenant = tenant_of(environment, tenant_id)
    return environment
