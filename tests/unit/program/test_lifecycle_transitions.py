"""Every step of a tenant's lifecycle, run under mocks before and after: no protected resource goes or loses its
protection, no data resource is replaced, except a migration's source once `done` (unprotected by that step,
dropped by the next). Each deploy reads the roster the step before it exported, as `pulumi up` reads its own
stack's last `tenants` output; a step out of order stops the program before any resource, naming the path."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from typing import Any

import pytest

from functions.contracts.directory import TenantRecord
from functions.contracts.keyspaces import POOLED_KEYSPACE, silo_keyspace
from local.program import Declaration, DeclaredResource, ProgramStopped, run_program
from tests.support.storage_runs import stack_config

DATA_TYPES = ("aws:keyspaces/keyspace:Keyspace", "aws:keyspaces/table:Table")
# What a Keyspaces resource is replaced on when it changes (terraform-provider-aws: ForceNew).
IDENTITY_INPUTS = ("name", "keyspaceName", "tableName", "schemaDefinition")
OTHERS = [{"id": "initech", "tier": "basic"}, {"id": "globex", "tier": "premium"}]
VERIFIED = "0123456789abcdef"


def entry(tier: str, migration: dict[str, str] | None = None, **more: str) -> dict[str, Any]:
    return {"id": "acme", "tier": tier, **({"migration": migration} if migration else {}), **more}


def move(source: str, target: str) -> list[dict[str, Any]]:
    """The steps of a tier move, as the README tells them: acme's entry at each deploy."""
    return [
        entry(source),
        entry(target, {"from": source, "state": "copying"}),
        entry(target, {"from": source, "state": "cutover", "verified": VERIFIED}),
        entry(target, {"from": source, "state": "done", "verified": VERIFIED}),
        entry(target),
    ]


def run(acme: dict[str, Any] | None, previous: dict[str, Any] | None, **project: Any) -> Declaration:
    tenants = [*([acme] if acme else []), *OTHERS]
    return run_program("dev", stack_config(tenants, **project), previous=previous)


def run_steps(steps: Sequence[dict[str, Any] | None], **project: Any) -> list[Declaration]:
    runs: list[Declaration] = []
    for step in steps:
        runs.append(run(step, runs[-1].outputs["tenants"] if runs else None, **project))
    return runs


def records(run: Declaration) -> dict[str, TenantRecord]:
    return {tenant_id: TenantRecord.from_entry(tenant_id, e) for tenant_id, e in run.outputs["tenants"].items()}


def released_sources(run: Declaration) -> set[str]:
    """The silo keyspaces a `done` migration has released: the one exception to protection."""
    return {
        record.migration.keyspace
        for record in records(run).values()
        if record.migration is not None
        and record.migration.state == "done"
        and record.migration.keyspace != POOLED_KEYSPACE
    }


def keyspace_of(resource: DeclaredResource) -> str:
    return str(resource.inputs.get("keyspaceName") or resource.inputs.get("name"))


def protection_violations(before: Declaration, after: Declaration) -> list[str]:
    now = {resource.urn: resource for resource in after.resources}
    released = released_sources(after)
    violations = []
    for resource in before.resources:
        if not resource.protect:
            continue
        later = now.get(resource.urn)
        if later is None:
            violations.append(f"{resource.name}: protected, and gone")
        elif not later.protect and keyspace_of(later) not in released:
            violations.append(f"{resource.name}: protected, then unprotected")
    for resource in after.resources:
        if resource.type in DATA_TYPES and resource.urn in {r.urn for r in before.resources}:
            earlier = next(r for r in before.resources if r.urn == resource.urn)
            changed = [key for key in IDENTITY_INPUTS if earlier.inputs.get(key) != resource.inputs.get(key)]
            if changed:
                violations.append(f"{resource.name}: replaced ({', '.join(changed)} changed)")
    return violations


def silo_data(run: Declaration, tenant_id: str = "acme") -> list[DeclaredResource]:
    return [r for r in run.resources if r.type in DATA_TYPES and keyspace_of(r) == silo_keyspace(tenant_id)]


def assert_safe(runs: list[Declaration]) -> None:
    for step, (before, after) in enumerate(itertools.pairwise(runs), start=1):
        assert protection_violations(before, after) == [], f"step {step}"
        for resource in silo_data(after):  # protected silo data is retained too, should the stack ever drop it
            assert resource.retain_on_delete == resource.protect, resource.name


@pytest.fixture(scope="module")
def upgrade() -> list[Declaration]:
    return run_steps(move("basic", "premium"))


@pytest.fixture(scope="module")
def downgrade() -> list[Declaration]:
    return run_steps(move("premium", "basic"))


def test_basic_to_premium_keeps_every_protected_resource_at_every_step(upgrade: list[Declaration]) -> None:
    assert_safe(upgrade)


def test_basic_to_premium_declares_both_sides_until_the_block_goes(upgrade: list[Declaration]) -> None:
    start, copying, cutover, done, settled = upgrade
    assert silo_data(start) == []
    for step in (copying, cutover, done, settled):  # the target: protected from its first deploy on
        assert silo_data(step) and all(r.protect for r in silo_data(step))
    acme = [records(step)["acme"] for step in upgrade]
    assert [r.read_keyspace for r in acme] == [
        "tenants_pool",
        "tenants_pool",
        "tenant_acme",
        "tenant_acme",
        "tenant_acme",
    ]
    assert [r.write_keyspaces for r in acme] == [
        ("tenants_pool",),
        ("tenants_pool", "tenant_acme"),
        ("tenant_acme", "tenants_pool"),
        ("tenant_acme",),
        ("tenant_acme",),
    ]
    # The pooled side: acme stays in its pooled shard's trust while the block exists, and leaves after.
    assert [_pooled_members(step).count("acme") for step in upgrade] == [1, 1, 1, 1, 0]
    assert acme[1].migration is not None and acme[1].migration.role_arn == acme[0].role_arn
    assert acme[3].migration is not None and acme[3].migration.role_arn is None  # done: nothing uses the source


def test_premium_to_basic_keeps_every_protected_resource_but_the_released_source(downgrade: list[Declaration]) -> None:
    assert_safe(downgrade)
    start, copying, cutover, done, settled = downgrade
    # The source silo: protected (and retained) until the `done` step declares it unprotected; dropped after.
    assert [all(r.protect for r in silo_data(step)) for step in (start, copying, cutover)] == [True] * 3
    assert silo_data(done) and not any(r.protect or r.retain_on_delete for r in silo_data(done))
    assert silo_data(settled) == []
    assert [records(step)["acme"].read_keyspace for step in downgrade] == [
        "tenant_acme",
        "tenant_acme",
        "tenants_pool",
        "tenants_pool",
        "tenants_pool",
    ]
    # The silo role serves the source until done; the tenant joins its pooled shard from the first step.
    assert [_pooled_members(step).count("acme") for step in downgrade] == [0, 1, 1, 1, 1]
    assert "tenant-acme-role" in _names(done) and "tenant-acme-role" not in _names(settled)


def test_every_table_has_client_side_timestamps(upgrade: list[Declaration]) -> None:
    for step in upgrade:
        tables = step.of_type("aws:keyspaces/table:Table")
        assert tables and all(t.inputs["clientSideTimestamps"] == {"status": "ENABLED"} for t in tables)


@pytest.mark.parametrize("tier", ["basic", "premium"])
def test_onboarding_declares_and_protects_without_touching_anyone_else(tier: str) -> None:
    runs = run_steps([None, entry(tier)])
    assert_safe(runs)
    assert records(runs[1])["acme"].tier == tier


@pytest.mark.parametrize(
    ("tier", "strategy"),
    [("basic", "retain"), ("basic", "delete"), ("premium", "retain"), ("premium", "scale-down"), ("premium", "delete")],
)
def test_offboarding_keeps_protection_by_strategy(tier: str, strategy: str) -> None:
    tiers: dict[str, Any] = {tier: {"offboarding": strategy}}
    if strategy == "scale-down":  # scales provisioned capacity down: premium is on-demand by default
        tiers[tier]["capacity"] = {"mode": "PROVISIONED", "autoScaling": {}}
    runs = run_steps([entry(tier), entry(tier, status="offboarded")], tiers=tiers)
    assert_safe(runs)
    before, after = runs
    assert records(after)["acme"].role_arn is None
    if tier == "premium":
        # Delete: the data was never protected (the strategy drops it); otherwise it stays protected.
        assert bool(silo_data(after)) == (strategy != "delete")
        assert all(r.protect == (strategy != "delete") for r in silo_data(before))


def test_delete_is_the_one_strategy_whose_silo_data_is_dropped_and_it_was_never_protected() -> None:
    runs = run_steps(
        [entry("premium"), entry("premium", status="offboarded")], tiers={"premium": {"offboarding": "delete"}}
    )
    assert silo_data(runs[0]) and not any(r.protect for r in silo_data(runs[0]))
    assert silo_data(runs[1]) == []


# --- refused steps: the message names the tenant, the rule and the config to write ---------------------------


def refused(steps: Sequence[dict[str, Any] | None]) -> str:
    runs = run_steps(steps[:-1])
    with pytest.raises(ProgramStopped) as stopped:
        run(steps[-1], runs[-1].outputs["tenants"])
    assert stopped.value.declared == []  # refused before any resource
    return str(stopped.value)


def test_premium_to_basic_without_a_migration_is_refused_with_the_block_to_write() -> None:
    message = refused([entry("premium"), entry("basic")])
    assert (
        "tenant 'acme': premium -> basic moves its data to pooled storage and needs a migration: "
        "set tenants[0].migration to {from: premium, state: copying}"
    ) in message


def test_a_skipped_state_is_refused_with_the_next_one() -> None:
    steps = move("basic", "premium")
    message = refused([steps[0], steps[1], steps[3]])
    assert (
        "tenant 'acme': tenants[0].migration.state copying -> done is not the next step of the move: "
        "set tenants[0].migration.state to cutover with the verified digest `make migrate` printed"
    ) in message


def test_a_move_must_start_in_copying() -> None:
    message = refused([entry("basic"), entry("premium", {"from": "basic", "state": "cutover", "verified": VERIFIED})])
    assert "tenants[0].migration.state: a move starts in copying" in message
    assert "set tenants[0].migration.state to copying" in message


def test_removing_the_block_before_done_is_refused() -> None:
    steps = move("premium", "basic")
    message = refused([steps[0], steps[1], steps[2], steps[4]])
    assert (
        "tenant 'acme': tenants[0].migration removed in state cutover: the source tenant_acme still holds its data. "
        "Keep the block and set tenants[0].migration.state to done; it goes once the move is done"
    ) in message


def test_a_migration_from_the_tier_it_moves_to_is_refused() -> None:
    message = refused([entry("basic"), entry("premium", {"from": "premium", "state": "copying"})])
    assert "tenant 'acme': tenants[0].migration.from is 'premium', the tier it moves to" in message


def test_removing_an_active_tenant_from_the_roster_is_refused() -> None:
    message = refused([entry("premium"), None])
    assert "tenant 'acme': is deployed but no longer listed in tenant-pipeline:tenants" in message


def _pooled_members(run: Declaration) -> list[str]:
    roles = [r for r in run.of_type("aws:iam/role:Role") if "pooled-tenants" in str(r.inputs.get("name"))]
    return [tenant for role in roles for tenant in _trusted(role)]


def _trusted(role: DeclaredResource) -> list[str]:
    policy = json.loads(role.inputs["assumeRolePolicy"])
    values: list[str] = []
    for statement in policy["Statement"]:
        for condition in statement.get("Condition", {}).values():
            tagged = condition.get("aws:RequestTag/TenantId")
            if tagged is not None:
                values.extend([tagged] if isinstance(tagged, str) else tagged)
    return values


def _names(run: Declaration) -> set[str]:
    return {r.name for r in run.resources}


def test_the_check_sees_the_issues_bug_a_tier_change_dropping_protected_data() -> None:
    # Without the deployed roster (as every deploy was before the transitions existed), premium -> basic is
    # accepted and the silo keyspace and tables, protected, are dropped: what `pulumi up` then refused half-way.
    before = run(entry("premium"), None)
    after = run(entry("basic"), None)
    assert sorted(protection_violations(before, after)) == [
        "tenant-acme-customers: protected, and gone",
        "tenant-acme-keyspace: protected, and gone",
        "tenant-acme-orders: protected, and gone",
    ]
