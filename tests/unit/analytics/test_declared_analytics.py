"""The analytics resources as the program declares them for the dev stack, under Pulumi's mocks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.analytics.catalog import EVENT_COLUMNS, FIRST_YEAR
from functions.contracts.s3_layout import EVENT_PARTITIONS, tenant_s3_prefix
from local.fake_cloud import ACCOUNT_ID
from local.sandbox.firehose_prefix import render_prefix
from local.stack_file import read_stack_config
from tests.support.declared import DeclaredPipeline, run
from tiers.load import load_stack_config

TABLE = "aws:glue/catalogTable:CatalogTable"
WORKGROUP = "aws:athena/workgroup:Workgroup"
POLICY = "aws:iam/rolePolicy:RolePolicy"


@pytest.fixture(scope="module")
def dev() -> DeclaredPipeline:
    return run("dev")


def table(dev: DeclaredPipeline) -> dict[str, Any]:
    (declared,) = dev.all(TABLE)
    return declared.inputs


def test_the_events_table_projects_its_partitions_with_the_tenant_injected(dev: DeclaredPipeline) -> None:
    inputs = table(dev)
    parameters = inputs["parameters"]
    assert parameters["projection.enabled"] == "true"
    assert parameters["projection.tenant.type"] == "injected"  # Athena refuses a query that names no tenant
    assert parameters["projection.year.range"] == f"{FIRST_YEAR},NOW"
    assert (parameters["projection.month.range"], parameters["projection.day.range"]) == ("1,12", "1,31")
    assert [key["name"] for key in inputs["partitionKeys"]] == list(EVENT_PARTITIONS)
    assert inputs["databaseName"] == dev.outputs["analyticsDatabase"]


def test_the_location_template_is_where_firehose_puts_a_tenants_day(dev: DeclaredPipeline) -> None:
    """Filled with a tenant's day, the table's template is the declared Firehose prefix of that day."""
    template = table(dev)["parameters"]["storage.location.template"]
    (events,) = [
        r for r in dev.all("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream") if r.name.endswith("events")
    ]
    prefix = events.inputs["extendedS3Configuration"]["prefix"]
    keys = {"tenantId": "acme", "year": "2026", "month": "01", "day": "05"}
    filled = template
    for name, value in {"tenant": "acme", "year": "2026", "month": "01", "day": "05"}.items():
        filled = filled.replace("${" + name + "}", value)
    from datetime import UTC, datetime

    assert filled == f"s3://{dev.outputs['ingestBucket']}/{render_prefix(prefix, keys, datetime.now(UTC))}"
    assert filled.split("/", 3)[3].startswith(tenant_s3_prefix("acme"))


def test_the_columns_are_the_enriched_record_mapped_by_the_openx_serde(dev: DeclaredPipeline) -> None:
    descriptor = table(dev)["storageDescriptor"]
    assert [c["name"] for c in descriptor["columns"]] == [c.name for c in EVENT_COLUMNS]
    serde = descriptor["serDeInfo"]
    assert serde["serializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
    assert {key: value for key, value in serde["parameters"].items() if key.startswith("mapping.")} == {
        f"mapping.{c.name}": c.key for c in EVENT_COLUMNS
    }


def test_one_workgroup_per_tier_with_its_tiers_cutoff(dev: DeclaredPipeline) -> None:
    tiers = load_stack_config(
        {k.removeprefix("tenant-pipeline:"): v for k, v in read_stack_config("dev").items() if k != "aws:region"},
        environment="dev",
        region="us-east-1",
    ).tiers
    workgroups = {w.inputs["name"]: w.inputs["configuration"] for w in dev.all(WORKGROUP)}
    assert sorted(workgroups) == sorted(dev.outputs["analyticsWorkgroups"].values())
    for tier, name in dev.outputs["analyticsWorkgroups"].items():
        configuration = workgroups[name]
        assert configuration["bytesScannedCutoffPerQuery"] == tiers[tier].query_bytes_scanned_cutoff
        # Tenants name their own results prefix; the workgroup's location is one no tenant may write.
        assert configuration["enforceWorkgroupConfiguration"] is False
        assert configuration["enableMinimumEncryptionConfiguration"] is True
        location = configuration["resultConfiguration"]["outputLocation"]
        assert location.startswith(f"s3://{dev.outputs['analyticsResultsBucket']}/")
        assert "tenant=" not in location


def test_a_tiers_cutoff_from_config_reaches_its_workgroup() -> None:
    tiers = read_stack_config("dev")["tenant-pipeline:tiers"]
    cutoff = {"basic": {"analytics": {"bytesScannedCutoffPerQuery": 20_000_000}}}
    changed = run("dev", **{"tenant-pipeline:tiers": {**tiers, **cutoff}})
    name = changed.outputs["analyticsWorkgroups"]["basic"]
    (workgroup,) = [w for w in changed.all(WORKGROUP) if w.inputs["name"] == name]
    assert workgroup.inputs["configuration"]["bytesScannedCutoffPerQuery"] == 20_000_000


def test_every_served_tenants_role_gets_analytics_in_its_tiers_workgroup(dev: DeclaredPipeline) -> None:
    roles = {r.outputs["arn"]: r for r in dev.all("aws:iam/role:Role")}
    analytics = {
        p.inputs["role"]: json.loads(p.inputs["policy"])
        for p in dev.all(POLICY)
        if p.inputs.get("name", "").endswith("-tenant-analytics")
    }
    workgroups = dev.outputs["analyticsWorkgroups"]
    for entry in dev.outputs["tenants"].values():
        if entry.get("roleArn") is None:
            continue
        document = analytics[roles[entry["roleArn"]].inputs["name"]]
        (query,) = [s for s in document["Statement"] if s["Sid"] == "QueryInTierWorkgroup"]
        assert query["Resource"] == [f"arn:aws:athena:us-east-1:{ACCOUNT_ID}:workgroup/{workgroups[entry['tier']]}"]
        assert "athena:ListQueryExecutions" not in query["Action"]
