"""A tenant's `migration` block: its shape, its rules (each message names tenants[i] and the rule), and what
its plan declares."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from tests.support.config import base_config, load, only_problem
from tiers.model import MigrationSpec

VERIFIED = "0123456789abcdef"


def moving(tier: str, migration: Any, **more: Any) -> dict[str, Any]:
    return base_config(tenants=[{"id": "acme", "tier": tier, "migration": migration, **more}])


def test_a_migration_block_loads() -> None:
    tenant = load(moving("premium", {"from": "basic", "state": "cutover", "verified": VERIFIED})).tenants[0]
    assert tenant.migration == MigrationSpec("basic", "cutover", VERIFIED)


def test_a_digest_of_digits_alone_set_with_path_is_read_back_as_those_digits() -> None:
    # pulumi config set --path 'tenant-pipeline:tenants[0].migration.verified' 1234567890123456 stores a number.
    written = yaml.safe_load("migration: {from: basic, state: cutover, verified: 1234567890123456}")["migration"]
    assert written["verified"] == 1234567890123456
    tenant = load(moving("premium", written)).tenants[0]
    assert tenant.migration is not None and tenant.migration.verified == "1234567890123456"


def test_a_null_block_is_no_migration() -> None:
    assert load(moving("premium", None)).tenants[0].migration is None


@pytest.mark.parametrize(
    ("migration", "problem"),
    [
        ("basic", "tenants[0].migration must be a mapping, got str"),
        ({}, "tenants[0].migration must be a mapping with from and state (and verified from cutover on)"),
        ({"state": "copying"}, "tenants[0].migration.from is required: the tier the tenant leaves"),
        ({"from": "basic"}, "tenants[0].migration.state is required: one of copying, cutover, done"),
        ({"from": "basic", "state": "moving"}, "tenants[0].migration.state must be one of copying, cutover, done"),
        (
            {"from": "basic", "state": "copying", "when": "now"},
            "unknown key 'when' in tenants[0].migration (allowed: from, fromCell, state, verified)",
        ),
        ({"from": "gold", "state": "copying"}, "tenants[0].migration.from: tier 'gold' is not defined"),
        ({"from": "premium", "state": "copying"}, "tenants[0].migration.from is 'premium', the tier it moves to"),
        (
            {"from": "basic", "state": "cutover"},
            "tenants[0].migration.verified is required in state cutover: `make migrate` prints it",
        ),
        (
            {"from": "basic", "state": "done", "verified": "XYZ"},
            "tenants[0].migration.verified 'XYZ' is not the migration job's digest ([0-9a-f]{16})",
        ),
    ],
)
def test_a_bad_block_names_the_tenant_and_the_rule(migration: Any, problem: str) -> None:
    message = only_problem(moving("premium", migration))
    assert message.startswith("tenant 'acme': ") and problem in message


def test_a_same_storage_tier_change_needs_no_migration() -> None:
    raw = moving("premium", {"from": "basic", "state": "copying"})
    raw["tiers"] = {"basic": {"storage": "silo", "iam": "dedicated-role"}}
    message = only_problem(raw)
    assert "tenants[0].migration: 'basic' and 'premium' both use silo storage" in message
    assert message.endswith("remove the block and set the tier alone")


def test_an_offboarded_tenant_cannot_be_migrating() -> None:
    message = only_problem(moving("premium", {"from": "basic", "state": "copying"}, status="offboarded"))
    assert "tenants[0].migration: an offboarded tenant cannot be migrating" in message


def test_a_migrating_tenants_plan_has_both_sides_and_protects_per_state() -> None:
    def plan(tier: str, source: str, state: str) -> Any:
        migration = {"from": source, "state": state, **({"verified": VERIFIED} if state != "copying" else {})}
        return load(moving(tier, migration)).plans[0]

    up = plan("premium", "basic", "done")
    assert (up.keyspace, up.migration and up.migration.source_keyspace) == ("tenant_acme", "tenants_pool")
    assert up.pooled_shard == 0 and up.silo_role_name == up.role_name  # both sides, the target protected
    assert up.data_protected and not up.silo_is_source
    for state in ("copying", "cutover"):
        down = plan("basic", "premium", state)
        assert down.silo_is_source and down.data_protected and down.has_own_keyspace
    done = plan("basic", "premium", "done")
    assert done.has_own_keyspace and not done.data_protected  # released: the job emptied it
    assert (done.silo_role_name, done.role_name) == (
        "tenant-pipeline-dev-tenant-acme",
        "tenant-pipeline-dev-pooled-tenants",
    )
