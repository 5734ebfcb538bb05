"""Onboarding one tenant into a large stack touches only that tenant's resources and the shared ones listed.

`pulumi up` after adding a tenant to the roster updates what the program declares differently; under
mocks, the two declarations (the roster before and after) show exactly that set. Shared resources that
may change, and why:
- the stack output `tenants` (the tenant directory the DAL reads);
- a basic tenant's pooled role: the trust policy of the one shard it hashes to (tiers/pooled_roles.py);
- nothing else, while the enriched-events delivery stream count stays (tiers/delivery_shards.py: it
  grows only past a multiple of 375 served tenants at the default quota, and then adds one stream).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bench.synth import roster
from local.program import Declaration, run_program
from tests.support.storage_runs import stack_config
from tiers.load import load_stack_config

TENANTS = 150  # 10% premium; a trust policy length that needs two pooled shards
QUOTAS = {"apiThrottle": 100_000, "roleTrustPolicyLength": 1_200}


def declare(tenants: list[dict[str, str]]) -> Declaration:
    return run_program("test", stack_config(tenants, quotas=QUOTAS))


def comparable(value: Any) -> str:
    """Inputs as text; an asset or archive by its path (the object differs from run to run, the file does not)."""
    return json.dumps(value, sort_keys=True, default=lambda v: getattr(v, "path", None) or repr(type(v)))


def difference(before: Declaration, after: Declaration) -> dict[str, list[str]]:
    old = {r.urn: r for r in before.resources}
    new = {r.urn: r for r in after.resources}
    return {
        "added": sorted(new[urn].name for urn in set(new) - set(old)),
        "removed": sorted(old[urn].name for urn in set(old) - set(new)),
        "changed": sorted(
            new[urn].name for urn in set(old) & set(new) if comparable(old[urn].inputs) != comparable(new[urn].inputs)
        ),
        "outputs": sorted(
            key
            for key in set(before.outputs) | set(after.outputs)
            if comparable(before.outputs.get(key)) != comparable(after.outputs.get(key))
        ),
    }


@pytest.fixture(scope="module")
def base() -> Declaration:
    return declare(roster(TENANTS))


def test_the_roster_keeps_its_delivery_streams_and_has_two_pooled_shards() -> None:
    for tenants in (roster(TENANTS), [*roster(TENANTS), {"id": "newcomer", "tier": "basic"}]):
        values = {key.removeprefix("tenant-pipeline:"): v for key, v in stack_config(tenants, quotas=QUOTAS).items()}
        del values["aws:region"]
        config = load_stack_config(values, environment="test", region="us-east-1")
        assert config.delivery_shards.count == 1
        assert len({plan.pooled_shard for plan in config.plans if plan.pooled_shard is not None}) == 2


def test_onboarding_a_basic_tenant_adds_its_key_and_changes_only_its_pooled_shard_s_trust(base: Declaration) -> None:
    after = declare([*roster(TENANTS), {"id": "newcomer", "tier": "basic"}])
    diff = difference(base, after)
    assert diff["added"] == ["ingestion-api-keys-key-newcomer", "ingestion-api-keys-plan-key-newcomer"]
    assert diff["removed"] == []
    # The published directory gains the tenant's record; the shard's role gains its id in its trust.
    directory, shard_role = sorted(diff["changed"], key=lambda name: name != "tenant-directory-document")
    assert directory == "tenant-directory-document"
    assert shard_role.startswith("pooled-storage-role")
    assert "newcomer" in after.named(shard_role).inputs["assumeRolePolicy"]
    assert diff["outputs"] == ["tenants"]


def test_onboarding_a_premium_tenant_adds_its_own_resources_and_changes_nothing_shared(base: Declaration) -> None:
    after = declare([*roster(TENANTS), {"id": "newprem", "tier": "premium"}])
    diff = difference(base, after)
    assert diff["added"] == [
        "ingestion-api-keys-key-newprem",
        "ingestion-api-keys-plan-key-newprem",
        "tenant-newprem",
        "tenant-newprem-customers",
        "tenant-newprem-keyspace",
        "tenant-newprem-orders",
        "tenant-newprem-role",
        "tenant-newprem-role-analytics",  # its role's analytics: its tier's workgroup, its results prefix
        "tenant-newprem-role-policy",
    ]
    assert (diff["removed"], diff["changed"], diff["outputs"]) == ([], ["tenant-directory-document"], ["tenants"])
