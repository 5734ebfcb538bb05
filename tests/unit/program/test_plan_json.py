"""`make plan JSON=1` (python -m local.plan --json): the documented JSON (README "Machine-readable output")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from local.environment import read_environment
from local.plan import main
from tests.support.commands import run_command
from tiers.quotas import QUOTAS


@pytest.fixture(scope="module")
def printed() -> dict[str, Any]:
    completed = run_command("local.plan", "--stack", "dev", "--json")
    assert completed.returncode == 0, completed.stderr
    document: dict[str, Any] = json.loads(completed.stdout)  # stdout holds the document and nothing else
    return document


def test_the_document_names_the_stack_and_its_tenants_plans(printed: dict[str, Any]) -> None:
    assert (printed["format"], printed["stack"], printed["region"]) == (1, "dev", "us-east-1")
    tenants = {tenant["id"]: tenant for tenant in printed["tenants"]}
    assert list(tenants) == ["acme", "globex", "initech", "umbrella-labs", "hooli", "vandelay"]
    assert tenants["acme"] == {
        "id": "acme",
        "tier": "premium",
        "status": "active",
        "storage": "silo",
        "keyspace": "tenant_acme",
        "s3Prefix": "tenant=acme/",
        "role": "tenant-pipeline-dev-tenant-acme",
        "apiLimits": {"rateLimit": 500.0, "burstLimit": 1000, "quotaPerDay": 5_000_000},
        "offboarding": "retain",
        "cell": "premium-1",
        "migration": None,  # {from, state, sourceKeyspace, fromCell, verified} while it moves between tiers
        "deliveryStream": "tenant-pipeline-dev-delivery-events",  # Pulumi.dev.yaml's quota: two streams
    }
    assert tenants["globex"]["deliveryStream"] == "tenant-pipeline-dev-delivery-events-1"
    assert tenants["initech"]["storage"] == "pooled" and tenants["initech"]["keyspace"] == "tenants_pool"
    # An offboarded tenant is served no more: no role, no API key.
    assert tenants["vandelay"]["status"] == "offboarded"
    assert tenants["vandelay"]["role"] is None and tenants["vandelay"]["apiLimits"] is None
    assert tenants["vandelay"]["deliveryStream"] is None


def test_resource_counts_are_those_the_program_declares(printed: dict[str, Any]) -> None:
    counts = read_environment("dev").declaration.count_by_type()
    assert printed["resources"]["byType"] == dict(counts)
    assert printed["resources"]["total"] == sum(counts.values())
    assert list(printed["resources"]["byType"]) == sorted(counts)


def test_every_quota_shows_its_need_limit_and_headroom(printed: dict[str, Any]) -> None:
    quotas = {quota["key"]: quota for quota in printed["quotas"]}
    assert set(quotas) == {spec.key for spec in QUOTAS}
    declared = read_environment("dev").declaration
    assert quotas["iamRoles"]["need"] == len(declared.of_type("aws:iam/role:Role"))
    assert quotas["apiKeys"] == {
        "key": "apiKeys",
        "setting": True,
        "name": "API Gateway API keys per account per Region",
        "unit": "API keys",
        "need": len(declared.of_type("aws:apigateway/apiKey:ApiKey")),
        "limit": 10_000,
        "headroom": 10_000 - len(declared.of_type("aws:apigateway/apiKey:ApiKey")),
        "adjustable": False,
        "maximum": 10_000,
        "source": "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html",
    }
    for quota in printed["quotas"]:
        assert quota["headroom"] == quota["limit"] - quota["need"] and quota["headroom"] >= 0
        assert quota["source"].startswith("https://docs.aws.amazon.com/")


def test_json_to_a_file_keeps_the_tables_on_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stack", "dev", "--json", str(tmp_path / "plan.json")]) == 0
    assert "Declared resources by type" in capsys.readouterr().out
    assert json.loads((tmp_path / "plan.json").read_text())["stack"] == "dev"


def test_the_stacks_are_the_platform_and_every_cell_each_within_its_budget(printed: dict[str, Any]) -> None:
    stacks = printed["stacks"]
    roster = {tenant["id"]: tenant for tenant in printed["tenants"]}
    cells = {tenant["cell"] for tenant in roster.values()}
    assert [s["kind"] for s in stacks] == ["platform", *["cell"] * len(cells)]
    assert stacks[0]["name"] == "dev" and {s["name"] for s in stacks[1:]} == {f"dev.{cell}" for cell in cells}
    for stack in stacks[1:]:
        budget = stack["budget"]
        assert budget["counted"] == stack["resources"]["total"] + stack["resources"]["stackReferences"]
        assert budget["counted"] <= budget["limit"], stack["name"]
        assert stack["tier"] == stack["name"].split(".", 1)[1].rsplit("-", 1)[0]
    # Every tenant in exactly one cell (its own), and the platform holds none of a tenant's resources.
    held = [tenant for stack in stacks for tenant in stack["tenants"]]
    assert sorted(held) == sorted(roster)
    for stack in stacks[1:]:
        assert all(roster[tenant]["cell"] == stack["name"].split(".", 1)[1] for tenant in stack["tenants"])
    platform = set(stacks[0]["resources"]["byType"])
    assert not platform & {"aws:apigateway/apiKey:ApiKey", "aws:apigateway/usagePlanKey:UsagePlanKey"}
    assert "tenant-pipeline:storage:SiloTenant" not in platform
