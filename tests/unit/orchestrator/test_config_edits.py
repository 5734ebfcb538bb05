"""Config edits as `pulumi config set --path` makes them, checked before anything is written
(orchestrator/config_edits.py), and the edits each lifecycle command asks for (lifecycle.py, moves.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from orchestrator.changes import affected
from orchestrator.config_edits import ConfigEdit, apply_edits, changed_environment, cli_value
from orchestrator.errors import ChangeRefusedError
from orchestrator.lifecycle import offboard_change, onboard_change
from orchestrator.moves import start_change, step_change
from orchestrator.stacks import Environment
from tests.support.cell_roster import cell_settings
from tiers.cells import suggest_cells
from tiers.model import TenantSpec

TENANTS = "tenant-pipeline:tenants"


@pytest.mark.parametrize(
    ("text", "stored"),
    [("true", True), ("false", False), ("True", "True"), ("12", 12), ("-3", -3), ("0", 0), ("0123", "0123"),
     ("12.5", "12.5"), ("basic-1", "basic-1"), ("1234567890123456", 1234567890123456), ("0123456789abcdef",
     "0123456789abcdef"), ("99999999999999999999", "99999999999999999999")],
)  # fmt: skip
def test_values_are_stored_as_the_cli_stores_them(text: str, stored: object) -> None:
    assert cli_value(text) == stored
    assert type(cli_value(text)) is type(stored)


def test_paths_append_to_lists_create_what_is_missing_and_remove() -> None:
    raw = {TENANTS: [{"id": "acme", "tier": "basic"}], "aws:region": "us-east-1"}
    after = apply_edits(
        raw,
        [
            ConfigEdit(f"{TENANTS}[1].id", "newco"),
            ConfigEdit(f"{TENANTS}[1].tier", "premium"),
            ConfigEdit(f"{TENANTS}[0].migration.state", "copying"),
            ConfigEdit("tenant-pipeline:quotas.apiKeys", "20"),
            ConfigEdit(f"{TENANTS}[0].migration.state", None),
        ],
    )
    assert after[TENANTS] == [{"id": "acme", "tier": "basic", "migration": {}}, {"id": "newco", "tier": "premium"}]
    assert after["tenant-pipeline:quotas"] == {"apiKeys": 20}
    assert raw[TENANTS] == [{"id": "acme", "tier": "basic"}]  # the settings read are left as they were
    with pytest.raises(ValueError, match=r"index 3 is past the end of a list of 1"):
        apply_edits(raw, [ConfigEdit(f"{TENANTS}[3].id", "x")])


def test_a_refused_change_names_every_problem_and_writes_nothing(
    write_environment: Callable[..., Environment],
) -> None:
    environment = write_environment(cell_settings())
    before = environment.settings_file.read_text()
    with pytest.raises(ChangeRefusedError) as refused:
        changed_environment(
            environment, [ConfigEdit(f"{TENANTS}[0].tier", "gold"), ConfigEdit(f"{TENANTS}[1].status", "gone")]
        )
    assert str(refused.value).startswith("nothing written:")
    assert "tenant 'acme': tier 'gold' is not defined" in str(refused.value)
    assert "tenants[1].status must be one of active, offboarded, got 'gone'" in str(refused.value)
    assert environment.settings_file.read_text() == before


def test_onboarding_appends_an_entry_in_the_cell_suggest_cells_picks(
    write_environment: Callable[..., Environment],
) -> None:
    environment = write_environment(cell_settings())
    change = onboard_change(environment, "newco", "basic")
    index = len(environment.config.tenants)
    config = environment.config
    assert config.cells is not None
    expected = suggest_cells([*config.tenants, TenantSpec("newco", "basic", index=index)], config.tiers, config.cells)
    assert change.edits == (
        ConfigEdit(f"{TENANTS}[{index}].id", "newco"),
        ConfigEdit(f"{TENANTS}[{index}].tier", "basic"),
        ConfigEdit(f"{TENANTS}[{index}].cell", expected["newco"]),
    )
    after = changed_environment(environment, change.edits)
    assert [spec.name for spec in affected(environment, after, "newco")] == [f"dev.{expected['newco']}"]


def test_onboarding_a_listed_tenant_writes_nothing_more_or_is_refused(
    write_environment: Callable[..., Environment],
) -> None:
    environment = write_environment(cell_settings())
    assert onboard_change(environment, "acme", "premium").edits == ()  # a re-run: deploy what is left
    with pytest.raises(ChangeRefusedError, match=r"'acme' is already in the roster \(tenants\[0\]: tier premium"):
        onboard_change(environment, "acme", "basic")
    with pytest.raises(ChangeRefusedError, match=r"'vandelay' is already in the roster .* status offboarded"):
        onboard_change(environment, "vandelay", "basic")


def test_offboarding_sets_the_status_once(write_environment: Callable[..., Environment]) -> None:
    environment = write_environment(cell_settings())
    assert offboard_change(environment, "hooli").edits == (ConfigEdit(f"{TENANTS}[3].status", "offboarded"),)
    assert offboard_change(environment, "vandelay").edits == ()
    with pytest.raises(ChangeRefusedError, match=r"'nobody' is not in Pulumi\.dev\.yaml's tenant-pipeline:tenants"):
        offboard_change(environment, "nobody")


def test_a_move_between_storage_models_goes_through_each_state_and_deploys_target_before_source(
    write_environment: Callable[..., Environment],
) -> None:
    environment = write_environment(cell_settings())
    hooli = environment.tenant("hooli")
    assert hooli is not None
    start = start_change(environment, hooli, "premium")
    path = f"{TENANTS}[{hooli.index}]"
    assert start.edits == (
        ConfigEdit(f"{path}.tier", "premium"),
        ConfigEdit(f"{path}.migration.from", "basic"),
        ConfigEdit(f"{path}.migration.state", "copying"),
        ConfigEdit(f"{path}.cell", "premium-1"),  # premium-1 has room (budget 200)
        ConfigEdit(f"{path}.migration.fromCell", "basic-1"),
    )
    states = []
    current = changed_environment(environment, start.edits)
    assert [spec.name for spec in affected(environment, current, "hooli")] == ["dev.premium-1", "dev.basic-1"]
    tenant = current.tenant("hooli")
    while tenant is not None and tenant.migration is not None:
        states.append(tenant.migration.state)
        step = step_change(tenant, "0123456789abcdef")
        after = changed_environment(current, step.edits)
        assert [spec.name for spec in affected(current, after, "hooli")] == ["dev.premium-1", "dev.basic-1"]
        current, tenant = after, after.tenant("hooli")
    assert states == ["copying", "cutover", "done"]
    assert tenant is not None and (tenant.tier, tenant.cell, tenant.migration) == ("premium", "premium-1", None)
    assert current.raw[TENANTS][hooli.index] == {"id": "hooli", "tier": "premium", "cell": "premium-1"}


def test_a_tier_change_within_one_storage_model_is_one_edit_and_keeps_the_cell(
    write_environment: Callable[..., Environment],
) -> None:
    environment = write_environment(cell_settings(tiers={"standard": {"storage": "pooled", "throttle": {
        "rateLimit": 100, "burstLimit": 200, "quotaPerDay": 1000000}}}))  # fmt: skip
    hooli = environment.tenant("hooli")
    assert hooli is not None
    change = start_change(environment, hooli, "standard")
    assert change.edits == (ConfigEdit(f"{TENANTS}[{hooli.index}].tier", "standard"),)
    assert changed_environment(environment, change.edits).tenant("hooli") == TenantSpec(
        "hooli", "standard", index=hooli.index, cell="basic-1"
    )
    with pytest.raises(ChangeRefusedError, match=r"tier 'gold' is not defined \(tiers: basic, premium, standard\)"):
        start_change(environment, hooli, "gold")
