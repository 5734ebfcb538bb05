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
        "migration": None,  # {from, state, sourceKeyspace, verified} while it moves between tiers
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
