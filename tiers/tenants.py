"""The tenant roster: each entry's shape, the id rule, duplicates and AWS-name collisions."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from functions.contracts.cells import CELL_NAME_RULE, is_cell_name
from functions.contracts.directory import TENANT_STATUSES
from functions.contracts.migration import MIGRATION_STATES
from functions.contracts.tenant_id import TENANT_ID_RULE, is_tenant_id
from tiers.errors import ConfigProblem
from tiers.fields import Fields
from tiers.model import MigrationSpec, TenantSpec, roster_entry

TenantNames = Callable[[str], dict[str, str]]


def parse_tenants(raw: Any, tier_names: Collection[str], problems: list[ConfigProblem]) -> list[TenantSpec]:
    if not isinstance(raw, list) or not raw:
        problems.append(ConfigProblem("tenant-pipeline:tenants", "is required: a non-empty list of tenants"))
        return []
    tenants: list[TenantSpec] = []
    for index, entry in enumerate(raw):
        tenant = _parse_tenant(entry, index, tier_names, problems)
        if tenant is not None:
            tenants.append(tenant)
    return tenants


def _parse_tenant(
    entry: Any, index: int, tier_names: Collection[str], problems: list[ConfigProblem]
) -> TenantSpec | None:
    raw_id = entry.get("id") if isinstance(entry, dict) else None
    where = roster_entry(index)
    subject = f"tenant '{raw_id}'" if isinstance(raw_id, str) else where
    if not isinstance(entry, dict):
        problems.append(ConfigProblem(subject, f"must be a mapping with id and tier, got {entry!r}"))
        return None
    fields = Fields(entry, subject, where, problems)
    fields.reject_unknown({"id", "tier", "status", "migration", "cell"})
    before = len(problems)
    if not isinstance(raw_id, str):
        fields.problem("id is required (a string)")
    elif not is_tenant_id(raw_id):
        fields.problem(f"id must be {TENANT_ID_RULE}")
    tier = entry.get("tier")
    if tier is None:
        fields.problem("tier is required")
    elif tier not in tier_names:
        fields.problem(f"tier '{tier}' is not defined (tiers: {', '.join(sorted(tier_names))})")
    status = fields.choice("status", TENANT_STATUSES, "active")
    cell = fields.text("cell")
    if cell is not None and not is_cell_name(cell):
        fields.problem(f"{where}.cell '{cell}' is not a cell name ({CELL_NAME_RULE})")
    # `migration: null` (or no key) is no migration: `pulumi config rm --path` removes the block.
    migration = None
    if entry.get("migration") is not None:
        shape_problems = len(problems)
        block = fields.sub("migration")  # records a problem if the block is not a mapping
        migration = _parse_migration(block) if len(problems) == shape_problems else None
    if len(problems) > before:
        return None
    return TenantSpec(id=raw_id, tier=tier, status=status, migration=migration, index=index, cell=cell)  # type: ignore[arg-type]


def _parse_migration(fields: Fields) -> MigrationSpec | None:
    """The block's shape; what it may say given the tiers and the tenant: tiers/validation.py (check_migration)."""
    before = len(fields.problems)
    if not fields.raw:
        fields.problem(f"{fields.where} must be a mapping with from and state (and verified from cutover on)")
        return None
    fields.reject_unknown({"from", "state", "verified", "fromCell"})
    from_tier = fields.text("from")
    if from_tier is None:
        fields.problem(f"{fields.where}.from is required: the tier the tenant leaves")
    if "state" not in fields.raw:
        fields.problem(f"{fields.where}.state is required: one of {', '.join(MIGRATION_STATES)}")
    state = fields.choice("state", MIGRATION_STATES, "copying")
    verified = fields.text("verified")
    from_cell = fields.text("fromCell")
    if from_cell is not None and not is_cell_name(from_cell):
        fields.problem(f"{fields.where}.fromCell '{from_cell}' is not a cell name ({CELL_NAME_RULE})")
    if len(fields.problems) > before or from_tier is None:
        return None
    return MigrationSpec(from_tier=from_tier, state=state, verified=verified, from_cell=from_cell)


def check_unique(tenants: list[TenantSpec], names_of: TenantNames, problems: list[ConfigProblem]) -> None:
    """No two tenants share an id, nor any AWS name derived from their ids."""
    seen_ids: set[str] = set()
    owner_of: dict[tuple[str, str], str] = {}
    for tenant in tenants:
        if tenant.id in seen_ids:
            problems.append(ConfigProblem(f"tenant '{tenant.id}'", "id is listed more than once"))
            continue
        seen_ids.add(tenant.id)
        for kind, name in names_of(tenant.id).items():
            other = owner_of.setdefault((kind, name), tenant.id)
            if other != tenant.id:
                problems.append(
                    ConfigProblem(
                        f"tenant '{tenant.id}'",
                        f"its {kind} name '{name}' is the same as tenant '{other}''s; pick another id",
                    )
                )
