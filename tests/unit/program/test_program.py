"""The Pulumi program under mocks: structure, and bad config stopping it before any resource."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from local.environment import run_settings
from local.program import ProgramStopped, run_program
from local.stack_file import project_values, read_stack_config
from tiers.defaults import DEFAULT_TIERS
from tiers.load import load_stack_config


@pytest.fixture(scope="module")
def dev_config() -> dict[str, Any]:
    return read_stack_config("dev")


def test_dev_roster_is_realistic(dev_config: dict[str, Any]) -> None:
    tenants = dev_config["tenant-pipeline:tenants"]
    catalogue = load_stack_config(project_values(dev_config), "dev", dev_config["aws:region"]).tiers
    storage = [catalogue[tenant["tier"]].storage for tenant in tenants]
    assert storage.count("silo") >= 2 and storage.count("pooled") >= 3
    # A tier of the stack's own, with tenants: the demo moves one of them (issue 20).
    assert {tenant["tier"] for tenant in tenants} - set(DEFAULT_TIERS)
    assert any("-" in tenant["id"] for tenant in tenants)


def test_structure_config_to_platform_to_cells_to_tenant_components(dev_config: dict[str, Any]) -> None:
    environment = run_settings("dev", dev_config)
    platform = environment.platform.declaration.count_by_type()
    assert platform["tenant-pipeline:ingestion:IngestionPipeline"] == 1
    assert platform["tenant-pipeline:storage:PooledStorage"] == 1
    assert platform["tenant-pipeline:storage:SiloTenant"] == 0  # with cells, the cells declare the tenants
    assert [run.cell for run in environment.cells()] == list(environment.config.cell_loads)
    silo_tenants = {t.id for t in environment.config.tenants if environment.config.tiers[t.tier].siloed}
    for run in environment.cells():
        silo = {r.name for r in run.declaration.of_type("tenant-pipeline:storage:SiloTenant")}
        assert silo == {f"tenant-{t.id}" for t in environment.config.tenants if t.cell == run.cell} & {
            f"tenant-{tenant}" for tenant in silo_tenants
        }


def test_bad_config_stops_the_program_before_any_resource(dev_config: dict[str, Any]) -> None:
    config = copy.deepcopy(dev_config)
    config["tenant-pipeline:tenants"].append({"id": "Bad_Id", "tier": "premium"})
    config["tenant-pipeline:tenants"].append({"id": "acme", "tier": "basic"})
    with pytest.raises(ProgramStopped) as stopped:
        run_program("dev", config)
    message = str(stopped.value)
    assert "tenant 'Bad_Id': id must be 1-32 characters" in message
    assert "tenant 'acme': id is listed more than once" in message
    assert stopped.value.declared == []


def test_a_good_run_after_a_bad_one_is_unaffected(dev_config: dict[str, Any]) -> None:
    with pytest.raises(ProgramStopped):
        run_program("dev", {**dev_config, "tenant-pipeline:tenants": []})
    assert run_program("dev", dev_config).count_by_type()["tenant-pipeline:ingestion:IngestionPipeline"] == 1


def test_an_unknown_key_in_the_projects_namespace_stops_the_program(dev_config: dict[str, Any]) -> None:
    # A typo of `tiers`: what `pulumi up` runs must refuse it, not only `make plan`.
    config = {**dev_config, "tenant-pipeline:teirs": {"premium": {"pointInTimeRecovery": False}}}
    with pytest.raises(ProgramStopped) as stopped:
        run_program("dev", config)
    assert "tenant-pipeline:teirs: is not a setting of this program" in str(stopped.value)
    assert stopped.value.declared == []


def test_an_unknown_plain_string_key_is_refused_too(dev_config: dict[str, Any]) -> None:
    # `pulumi config set tenant-pipeline:tenant acme`: a top-level value is a plain string, not JSON.
    with pytest.raises(ProgramStopped) as stopped:
        run_program("dev", {**dev_config, "tenant-pipeline:tenant": "acme"})
    assert "tenant-pipeline:tenant: is not a setting of this program" in str(stopped.value)


def test_unknown_keys_the_language_host_passes_in_pulumi_config_are_refused(
    dev_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `pulumi up`'s Python language host hands the program the stack's config as PULUMI_CONFIG (JSON).
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"tenant-pipeline:quota": '{"keyspaces": 300}'}))
    with pytest.raises(ProgramStopped) as stopped:
        run_program("dev", dev_config)
    assert "tenant-pipeline:quota: is not a setting of this program" in str(stopped.value)


def test_keys_of_other_namespaces_are_left_alone(dev_config: dict[str, Any]) -> None:
    config = {**dev_config, "aws:profile": "dev", "other-project:tiers": "{}"}
    assert run_program("dev", config).count_by_type()["tenant-pipeline:ingestion:IngestionPipeline"] == 1


def test_values_set_with_path_reach_the_declared_resources(dev_config: dict[str, Any]) -> None:
    # `pulumi config set --path 'tenant-pipeline:tiers.premium.throttle.rateLimit' 12.5` stores "12.5".
    tiers = dev_config["tenant-pipeline:tiers"]
    config = {**dev_config, "tenant-pipeline:tiers": {**tiers, "premium": {"throttle": {"rateLimit": "12.5"}}}}
    plans = run_program("dev", config).of_type("aws:apigateway/usagePlan:UsagePlan")
    rates = {plan.inputs["tags"]["Tier"]: plan.inputs["throttleSettings"]["rateLimit"] for plan in plans}
    assert rates["premium"] == 12.5
