"""tiers/transitions.py: each tenant's step from the deployed roster, and the refused ones with the path to take."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pulumi.runtime import rpc

from functions.contracts.directory import TenantRecord
from tests.support.config import base_config, load, problems_of
from tiers.errors import ConfigError
from tiers.transitions import Transition, deployed_roster

ARN = "arn:aws:iam::123456789012:role/tenant-pipeline/dev/tenants/"
VERIFIED = "0123456789abcdef"


def record(
    tier: str, status: str = "active", migration: dict[str, Any] | None = None, tenant: str = "acme"
) -> dict[str, Any]:
    pooled = tier == "basic"
    return {
        "tier": tier,
        "status": status,
        "keyspace": "tenants_pool" if pooled else f"tenant_{tenant}",
        "s3Prefix": f"tenant={tenant}/",
        "roleArn": None if status != "active" else ARN + ("pooled-tenants" if pooled else f"tenant-{tenant}"),
        "migration": migration,
    }


def previous(**entries: dict[str, Any]) -> dict[str, TenantRecord]:
    return deployed_roster(entries, "the previous roster")


def steps(before: dict[str, TenantRecord], *tenants: dict[str, Any], **raw: Any) -> list[Transition]:
    config = load(base_config(tenants=list(tenants), **raw), previous=before)
    assert config.transitions is not None
    return list(config.transitions)


def test_the_stack_reference_drops_null_members_and_the_roster_reads_them_back() -> None:
    # What `get_output_details("tenants")` hands the program: the SDK deserialises a map without its nulls.
    exported = {"acme": record("basic", "offboarded"), "globex": record("premium", tenant="globex")}
    wire = asyncio.new_event_loop().run_until_complete(rpc.serialize_properties({"tenants": exported}, {}))
    received = rpc.deserialize_properties(wire)["tenants"]
    assert "roleArn" not in received["acme"] and "migration" not in received["globex"]
    roster = deployed_roster(received, "the stack's last `tenants` output")
    assert roster["acme"].role_arn is None and roster["globex"].migration is None


def test_a_bad_previous_roster_names_its_source() -> None:
    with pytest.raises(ConfigError, match="the previous roster: tenant directory entry 'acme': tier"):
        previous(acme={**record("basic"), "tier": ""})


def test_no_change_onboard_and_first_deploy() -> None:
    [acme, globex] = steps(
        previous(acme=record("premium")), {"id": "acme", "tier": "premium"}, {"id": "globex", "tier": "basic"}
    )
    assert (acme.kind, globex.kind) == ("unchanged", "onboard")
    assert globex.summary == "onboard on basic (pooled storage)"
    assert load(base_config()).transitions is None  # no previous roster: a first deploy, nothing compared


def test_offboarding_says_what_delete_will_delete() -> None:
    [step] = steps(
        previous(acme=record("premium")),
        {"id": "acme", "tier": "premium", "status": "offboarded"},
        tiers={"premium": {"offboarding": "delete"}},
    )
    assert step.kind == "offboard"
    assert step.deletes == (
        "its API key",
        "its silo role",
        "keyspace tenant_acme and its 2 tables",
        "by `make offboard TENANT=acme`: its rows (silo tables) and every S3 object version under tenant=acme/, "
        "with a receipt",
    )
    assert step.next_step == "make offboard TENANT=acme"


def test_a_retained_offboarding_deletes_only_access() -> None:
    [step] = steps(previous(acme=record("basic")), {"id": "acme", "tier": "basic", "status": "offboarded"})
    assert step.summary == "offboard (basic, offboarding retain): its data stays as it is"
    assert step.deletes == ("its API key", "its place in its pooled role's trust")


def test_a_move_to_basic_declares_the_pooled_keyspace_beside_the_silo() -> None:
    [step] = steps(
        previous(acme=record("premium")),
        {"id": "acme", "tier": "basic", "migration": {"from": "premium", "state": "copying"}},
    )
    assert step.kind == "move-start"
    assert step.summary == (
        "tier move premium -> basic starts (copying): declares its pooled storage (tenants_pool) beside "
        "tenant_acme; reads stay on the source, writes go to both"
    )


def test_each_move_step_is_one_state_on() -> None:
    copying = {
        "fromTier": "basic",
        "state": "copying",
        "keyspace": "tenants_pool",
        "roleArn": ARN + "pooled-tenants",
        "verified": None,
    }
    [step] = steps(
        previous(acme=record("premium", migration=copying)),
        {"id": "acme", "tier": "premium", "migration": {"from": "basic", "state": "cutover", "verified": VERIFIED}},
    )
    assert step.kind == "move-step"
    assert step.summary == (
        "tier move basic -> premium: copying -> cutover: reads move to the target tenant_acme; writes still go to both"
    )
    assert step.next_step == "set tenants[0].migration.state to done (keep verified)"


def test_the_block_removed_after_done_drops_the_source() -> None:
    done = {"fromTier": "premium", "state": "done", "keyspace": "tenant_acme", "roleArn": None, "verified": VERIFIED}
    [step] = steps(previous(acme=record("basic", migration=done)), {"id": "acme", "tier": "basic"})
    assert step.kind == "move-end"
    assert step.deletes == ("keyspace tenant_acme and its 2 tables (emptied by the job)", "its silo role")


def test_a_new_tenant_cannot_arrive_migrating() -> None:
    [problem] = problems_of(
        base_config(tenants=[{"id": "acme", "tier": "premium", "migration": {"from": "basic", "state": "copying"}}]),
        previous=previous(),
    )
    assert problem == (
        "tenant 'acme': tenants[0].migration: 'acme' is not in the deployed roster, so it has no data to move: "
        "remove the block to onboard it on tier 'premium'"
    )


def test_a_tier_change_mid_move_is_refused() -> None:
    copying = {
        "fromTier": "premium",
        "state": "cutover",
        "keyspace": "tenant_acme",
        "roleArn": ARN + "tenant-acme",
        "verified": VERIFIED,
    }
    [problem] = problems_of(
        base_config(tenants=[{"id": "acme", "tier": "premium"}]),
        previous=previous(acme=record("basic", migration=copying)),
    )
    assert problem == (
        "tenant 'acme': its move premium -> basic is deployed in state cutover: keep tier: basic, migration: "
        "{from: premium, state: cutover} and finish it (set tenants[0].migration.state to done) before another "
        "tier change"
    )


def test_an_offboarded_tenant_with_a_kept_keyspace_keeps_its_entry() -> None:
    [problem] = problems_of(
        base_config(tenants=[{"id": "globex", "tier": "basic"}]),
        previous=previous(acme=record("premium", "offboarded")),
    )
    assert problem.startswith("tenant 'acme': its keyspace tenant_acme is kept (offboarding retain) and protected")


def test_an_offboarded_tenant_does_not_change_storage() -> None:
    [problem] = problems_of(
        base_config(tenants=[{"id": "acme", "tier": "basic", "status": "offboarded"}]),
        previous=previous(acme=record("premium", "offboarded")),
    )
    assert problem == (
        "tenant 'acme': an offboarded tenant's data stays where it is (tenant_acme): keep tenants[0].tier premium, "
        "or reactivate it (status: active) and move it with a migration"
    )


def test_ending_a_move_and_offboarding_are_two_deploys() -> None:
    done = {"fromTier": "premium", "state": "done", "keyspace": "tenant_acme", "roleArn": None, "verified": VERIFIED}
    [problem] = problems_of(
        base_config(tenants=[{"id": "acme", "tier": "basic", "status": "offboarded"}]),
        previous=previous(acme=record("basic", migration=done)),
    )
    assert problem == (
        "tenant 'acme': one step per deploy: remove tenants[0].migration first (the move is done), "
        "then offboard it in the next deploy"
    )


# A pooled tier the stack adds, beside the default ones.
FREE = {"free": {"storage": "pooled", "throttle": {"rateLimit": 5, "burstLimit": 10, "quotaPerDay": 1000}}}


def test_a_move_between_pooled_tiers_moves_no_data() -> None:
    [step] = steps(previous(acme=record("basic")), {"id": "acme", "tier": "free"}, tiers=FREE)
    assert (step.kind, step.summary) == ("tier-change", "tier basic -> free (both pooled storage: no data moves)")
    assert step.deletes == ()


def test_a_move_from_a_pooled_tier_other_than_basic_to_a_silo_tier_is_a_migration() -> None:
    deployed = previous(acme={**record("basic"), "tier": "free"})
    [problem] = problems_of(base_config(tenants=[{"id": "acme", "tier": "premium"}], tiers=FREE), previous=deployed)
    assert problem.endswith(
        "free -> premium moves its data to silo storage and needs a migration: set "
        "tenants[0].migration to {from: free, state: copying}"
    )
    moving = {"id": "acme", "tier": "premium", "migration": {"from": "free", "state": "copying"}}
    [step] = steps(deployed, moving, tiers=FREE)
    assert step.kind == "move-start" and "tier move free -> premium starts (copying)" in step.summary


@pytest.mark.parametrize(("deployed_tier", "storage"), [("basic", "silo"), ("premium", "pooled")])
def test_a_tiers_storage_model_cannot_change_under_its_deployed_tenants(deployed_tier: str, storage: str) -> None:
    """The tier keeps its name, the tenant its tier: the data would be stranded in the other storage."""
    [problem] = problems_of(
        base_config(tenants=[{"id": "acme", "tier": deployed_tier}], tiers={deployed_tier: {"storage": storage}}),
        previous=previous(acme=record(deployed_tier)),
    )
    assert problem.startswith(
        f"tenant 'acme': tier '{deployed_tier}' is now {storage} storage, but this tenant's data is in "
    )
    assert f"Keep tiers.{deployed_tier}.storage " in problem and "move the tenants that need it there" in problem
