"""`tenant-pipeline onboard` and `offboard`: one roster edit each, checked, written and deployed to the stacks that
declare the tenant (orchestrator/changes.py). Re-running either after a failed deploy resumes it: the edit is
already there, so only the deploys that did not succeed run."""

from __future__ import annotations

from local.stack_file import TENANTS_KEY, config_path
from orchestrator.changes import Change, apply
from orchestrator.config_edits import ConfigEdit
from orchestrator.errors import ChangeRefusedError
from orchestrator.session import Session
from orchestrator.stacks import Environment
from tiers.cells import suggest_cells
from tiers.model import TenantSpec


def tenant_of(environment: Environment, tenant_id: str) -> TenantSpec:
    tenant = environment.tenant(tenant_id)
    if tenant is None:
        raise ChangeRefusedError(f"tenant '{tenant_id}' is not in {environment.settings_file.name}'s {TENANTS_KEY}")
    return tenant


def cell_for(environment: Environment, tenant: TenantSpec) -> str | None:
    """The cell a tenant without one goes to (tiers/cells.py suggest_cells: the first cell of its tier with room);
    None without cells, or for a tier the catalogue lacks (the validation names it)."""
    config = environment.config
    if config.cells is None or tenant.tier not in config.tiers:
        return None
    others = [other for other in config.tenants if other.id != tenant.id]
    return suggest_cells([*others, tenant], config.tiers, config.cells)[tenant.id]


def onboard_change(environment: Environment, tenant_id: str, tier: str) -> Change:
    """A new roster entry at the end: id, tier and, with cells, the cell with room (its stack may not exist yet)."""
    existing = environment.tenant(tenant_id)
    if existing is not None:
        if existing.tier == tier and existing.status == "active" and existing.migration is None:
            return Change(tenant_id, f"onboard {tenant_id} on {tier}", ())  # written before: deploy what is left
        raise ChangeRefusedError(
            f"tenant '{tenant_id}' is already in the roster ({existing.where}: tier {existing.tier}, status "
            f"{existing.status}): `tenant-pipeline move` changes its tier, status: active reactivates it"
        )
    tenant = TenantSpec(id=tenant_id, tier=tier, index=len(environment.raw.get(TENANTS_KEY) or []))
    path = config_path(tenant)
    edits = [ConfigEdit(f"{path}.id", tenant_id), ConfigEdit(f"{path}.tier", tier)]
    cell = cell_for(environment, tenant)
    if cell is not None:
        edits.append(ConfigEdit(f"{path}.cell", cell))
    where = "" if cell is None else f", in cell {cell}"
    return Change(tenant_id, f"onboard {tenant_id} on {tier}{where}", tuple(edits))


def offboard_change(environment: Environment, tenant_id: str) -> Change:
    tenant = tenant_of(environment, tenant_id)
    summary = f"offboard {tenant_id} ({tenant.tier}, offboarding {environment.config.tiers[tenant.tier].offboarding})"
    if tenant.status == "offboarded":
        return Change(tenant_id, summary, ())
    return Change(tenant_id, summary, (ConfigEdit(f"{config_path(tenant)}.status", "offboarded"),))


def onboard(session: Session, environment: Environment, tenant_id: str, tier: str) -> Environment:
    return apply(session, environment, onboard_change(environment, tenant_id, tier))


def offboard(session: Session, environment: Environment, tenant_id: str) -> Environment:
    after = apply(session, environment, offboard_change(environment, tenant_id))
    tenant = tenant_of(after, tenant_id)
    if after.config.tiers[tenant.tier].offboarding == "delete":
        session.say(
            f"next: its data goes with `make offboard STACK={after.name} TENANT={tenant_id}` (its rows and every S3 "
            "object version, with a receipt)"
        )
    return after
