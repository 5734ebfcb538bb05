"""Every rule of the tenant roster: each bad config gives a message naming the tenant and the rule."""

from __future__ import annotations

import pytest

from tests.support.config import base_config, load, only_problem, problems_of, roster
from tiers.defaults import DEFAULT_TIERS
from tiers.load import CONFIG_KEYS
from tiers.naming import Namer, tenant_names

DEFAULT_TIER_LIST = ", ".join(sorted(DEFAULT_TIERS))  # what a message lists as the defined tiers


def test_a_valid_roster_loads_with_defaults() -> None:
    config = load(
        base_config(tenants=roster(("acme", "premium"), {"id": "globex", "tier": "basic", "status": "offboarded"}))
    )
    assert [(t.id, t.tier, t.status) for t in config.tenants] == [
        ("acme", "premium", "active"),
        ("globex", "basic", "offboarded"),
    ]


@pytest.mark.parametrize("tenants", [None, [], {"acme": "premium"}])
def test_tenants_are_required_as_a_non_empty_list(tenants: object) -> None:
    raw = base_config()
    if tenants is None:
        del raw["tenants"]
    else:
        raw["tenants"] = tenants
    assert only_problem(raw) == "tenant-pipeline:tenants: is required: a non-empty list of tenants"


def test_an_entry_must_be_a_mapping() -> None:
    raw = base_config(tenants=["acme"])
    assert only_problem(raw) == "tenants[0]: must be a mapping with id and tier, got 'acme'"


def test_id_is_required() -> None:
    assert only_problem(base_config(tenants=[{"tier": "basic"}])) == "tenants[0]: id is required (a string)"


@pytest.mark.parametrize(
    "bad_id",
    ["Acme", "1acme", "-acme", "acme_corp", "acme corp", "a" * 33, "", "acmé"],
)
def test_id_must_follow_the_id_rule(bad_id: str) -> None:
    message = only_problem(base_config(tenants=roster((bad_id, "basic"))))
    assert message == (
        f"tenant '{bad_id}': id must be 1-32 characters of lowercase a-z, 0-9 and '-', starting with a letter"
    )


@pytest.mark.parametrize("good_id", ["a", "acme-corp", "a" * 32, "x9-9"])
def test_ids_within_the_rule_are_accepted(good_id: str) -> None:
    assert load(base_config(tenants=roster((good_id, "basic")))).tenants[0].id == good_id


def test_tier_is_required() -> None:
    assert only_problem(base_config(tenants=[{"id": "acme"}])) == "tenant 'acme': tier is required"


def test_tier_must_be_defined() -> None:
    message = only_problem(base_config(tenants=roster(("acme", "gold"))))
    assert message == f"tenant 'acme': tier 'gold' is not defined (tiers: {DEFAULT_TIER_LIST})"


def test_status_must_be_active_or_offboarded() -> None:
    message = only_problem(base_config(tenants=[{"id": "acme", "tier": "basic", "status": "paused"}]))
    assert message == "tenant 'acme': tenants[0].status must be one of active, offboarded, got 'paused'"


def test_unknown_keys_in_an_entry_are_named() -> None:
    message = only_problem(base_config(tenants=[{"id": "acme", "tier": "basic", "teir": "premium"}]))
    assert message == "tenant 'acme': unknown key 'teir' in tenants[0] (allowed: cell, id, migration, status, tier)"


def test_entries_are_numbered_from_0_as_pulumi_config_set_path_numbers_them() -> None:
    # `pulumi config set --path 'tenant-pipeline:tenants[2].status' offboarded` edits the third entry.
    raw = base_config(tenants=[*roster(("acme", "premium"), ("globex", "basic")), {"tier": "basic"}, "hooli"])
    raw["tenants"][1]["status"] = "paused"
    assert problems_of(raw) == [
        "tenant 'globex': tenants[1].status must be one of active, offboarded, got 'paused'",
        "tenants[2]: id is required (a string)",
        "tenants[3]: must be a mapping with id and tier, got 'hooli'",
    ]


def test_duplicate_ids_are_refused() -> None:
    message = only_problem(base_config(tenants=roster(("acme", "basic"), ("acme", "premium"))))
    assert message == "tenant 'acme': id is listed more than once"


def test_two_ids_that_map_to_the_same_aws_name_are_refused() -> None:
    # With today's naming no two valid ids collide; a lossy naming scheme must still be caught.
    def lossy(tenant_id: str) -> dict[str, str]:
        return {"keyspace": "tenant_" + tenant_id.replace("-", "")}

    message = only_problem(base_config(tenants=roster(("acme-co", "premium"), ("acmeco", "premium"))), names_of=lossy)
    assert message == (
        "tenant 'acmeco': its keyspace name 'tenant_acmeco' is the same as tenant 'acme-co''s; pick another id"
    )


def test_real_naming_keeps_every_valid_id_apart() -> None:
    namer = Namer("dev")
    ids = ["a-b", "ab", "a-b-", "a--b", "a" * 32, "a" * 31 + "b"]
    for kind in tenant_names(namer, "x"):
        names = {tenant_names(namer, tenant_id)[kind] for tenant_id in ids}
        assert len(names) == len(ids), kind


def test_every_problem_is_reported_at_once() -> None:
    raw = base_config(tenants=roster(("Acme", "basic"), ("globex", "gold"), ("initech", "basic"), ("initech", "basic")))
    assert problems_of(raw) == [
        "tenant 'Acme': id must be 1-32 characters of lowercase a-z, 0-9 and '-', starting with a letter",
        f"tenant 'globex': tier 'gold' is not defined (tiers: {DEFAULT_TIER_LIST})",
        "tenant 'initech': id is listed more than once",
    ]


def test_unknown_top_level_settings_are_named() -> None:
    message = only_problem(base_config(tenant={"id": "x"}))
    assert message == f"tenant-pipeline:tenant: is not a setting of this program ({', '.join(CONFIG_KEYS)})"


@pytest.mark.parametrize("stack", ["Dev", "prod_1", "a" * 17, ""])
def test_stack_names_must_fit_aws_names(stack: str) -> None:
    message = only_problem(base_config(), environment=stack)
    assert message.startswith(f"stack '{stack}': name must be 1-16 characters")
