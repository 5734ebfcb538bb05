"""The storage side of the program under Pulumi mocks: what each tier and offboarding declares."""

from __future__ import annotations

import json
from collections import Counter
from fnmatch import fnmatchcase

import pulumi
import pytest

from functions.contracts.tables import TENANT_ID_COLUMN, TENANT_TABLES
from local.fake_cloud import ACCOUNT_ID
from local.program import run_program
from tests.support.storage_runs import STORAGE_COMPONENTS, recording_registrations, run_roster, stack_config
from tiers.naming import Namer

ROSTER = [
    {"id": "acme", "tier": "premium"},
    {"id": "globex-corp", "tier": "premium"},
    {"id": "initech", "tier": "basic"},
    {"id": "hooli", "tier": "basic"},
]
BUCKET_ARN = f"arn:aws:s3:::tenant-pipeline-test-ingest-{ACCOUNT_ID}-us-east-1"
# Premium is on-demand by default; most tests here run the PROVISIONED option, which adds auto scaling.
PROVISIONED: dict[str, object] = {"capacity": {"mode": "PROVISIONED", "autoScaling": {}}}
TIERS = {"premium": PROVISIONED}
ON_DEMAND_PREMIUM = Counter(
    {
        "tenant-pipeline:storage:SiloTenant": 1,
        "aws:keyspaces/keyspace:Keyspace": 1,
        "aws:keyspaces/table:Table": len(TENANT_TABLES),
        "aws:iam/role:Role": 1,
        "aws:iam/rolePolicy:RolePolicy": 2,  # its tenant data, and its analytics
    }
)
# A tenant role: the role and its two policies (tenant data, analytics).
ROLE = Counter({"aws:iam/role:Role": 1, "aws:iam/rolePolicy:RolePolicy": 2})
ACTIVE_PREMIUM = Counter(
    {
        "tenant-pipeline:storage:SiloTenant": 1,
        "aws:keyspaces/keyspace:Keyspace": 1,
        "aws:keyspaces/table:Table": len(TENANT_TABLES),
        "aws:appautoscaling/target:Target": 2 * len(TENANT_TABLES),
        "aws:appautoscaling/policy:Policy": 2 * len(TENANT_TABLES),
        "aws:iam/role:Role": 1,
        "aws:iam/rolePolicy:RolePolicy": 2,
    }
)


@pytest.fixture(scope="module")
def run():
    return run_roster(ROSTER, tiers=TIERS)


def types_of(resources) -> Counter[str]:
    return Counter(resource.type for resource in resources)


def test_an_active_premium_tenant_gets_its_keyspace_tables_auto_scaling_and_role(run):
    assert types_of(run.tenant_resources("acme")) == ACTIVE_PREMIUM


def test_a_default_premium_tenant_is_on_demand_with_no_scaling_targets():
    """Premium's default capacity: a keyspace, its tables paying per request (recoverable) and its role."""
    run = run_roster(ROSTER)
    assert types_of(run.tenant_resources("acme")) == ON_DEMAND_PREMIUM
    for table in (r for r in run.tenant_resources("acme") if r.type == "aws:keyspaces/table:Table"):
        assert table.inputs["capacitySpecification"] == {"throughputMode": "PAY_PER_REQUEST"}
        assert table.inputs["pointInTimeRecovery"] == {"status": "ENABLED"}
    assert run.declaration.of_type("aws:appautoscaling/target:Target") == []


def test_a_basic_tenant_adds_no_storage_resource_and_a_premium_one_adds_its_own(run):
    more_basic = run_roster([*ROSTER, *({"id": f"basic-{n}", "tier": "basic"} for n in range(5))], tiers=TIERS)
    more_premium = run_roster([*ROSTER, {"id": "umbrella", "tier": "premium"}], tiers=TIERS)
    base = types_of(run.storage_resources())
    assert types_of(more_basic.storage_resources()) == base
    assert types_of(more_premium.storage_resources()) - base == ACTIVE_PREMIUM


def test_the_pooled_keyspace_holds_on_demand_tables_keyed_first_by_tenant_id(run):
    keyspace = run.declaration.named("pooled-storage-keyspace")
    assert keyspace.inputs["name"] == "tenants_pool"
    tables = [t for t in run.declaration.of_type("aws:keyspaces/table:Table") if t.parent == keyspace.parent]
    assert sorted(t.inputs["tableName"] for t in tables) == sorted(s.name for s in TENANT_TABLES)
    for table in tables:
        schema = table.inputs["schemaDefinition"]
        assert table.inputs["keyspaceName"] == "tenants_pool"
        assert schema["partitionKeys"][0] == {"name": TENANT_ID_COLUMN}
        assert {"name": TENANT_ID_COLUMN, "type": "text"} in schema["columns"]
        assert table.inputs["capacitySpecification"] == {"throughputMode": "PAY_PER_REQUEST"}
        assert table.inputs["pointInTimeRecovery"] == {"status": "DISABLED"}


def test_premium_tables_have_no_tenant_id_are_provisioned_auto_scaled_and_recoverable(run):
    tables = [r for r in run.tenant_resources("acme") if r.type == "aws:keyspaces/table:Table"]
    for table in tables:
        schema = table.inputs["schemaDefinition"]
        assert table.inputs["keyspaceName"] == "tenant_acme"
        assert all(column["name"] != TENANT_ID_COLUMN for column in schema["columns"])
        assert table.inputs["capacitySpecification"] == {
            "throughputMode": "PROVISIONED",
            "readCapacityUnits": 5,
            "writeCapacityUnits": 5,
        }
        assert table.inputs["pointInTimeRecovery"] == {"status": "ENABLED"}
        # Pulumi must not undo what auto scaling does to the units.
        assert set(run.ignored(table.name)) == {
            "capacitySpecification.readCapacityUnits",
            "capacitySpecification.writeCapacityUnits",
        }
    targets = [r for r in run.tenant_resources("acme") if r.type == "aws:appautoscaling/target:Target"]
    assert {(t.inputs["resourceId"], t.inputs["scalableDimension"]) for t in targets} == {
        (f"keyspace/tenant_acme/table/{table}", f"cassandra:table:{dimension}CapacityUnits")
        for table in ("customers", "orders")
        for dimension in ("Read", "Write")
    }
    assert {(t.inputs["serviceNamespace"], t.inputs["minCapacity"], t.inputs["maxCapacity"]) for t in targets} == {
        ("cassandra", 5, 1000)
    }
    policies = [r for r in run.tenant_resources("acme") if r.type == "aws:appautoscaling/policy:Policy"]
    assert {p.inputs["targetTrackingScalingPolicyConfiguration"]["targetValue"] for p in policies} == {70}
    assert {p.inputs["policyType"] for p in policies} == {"TargetTrackingScaling"}


def test_tier_overrides_size_the_premium_tables():
    scaling = {"readMin": 10, "readMax": 40, "targetUtilization": 50}
    overrides = {"premium": {"capacity": {"mode": "PROVISIONED", "autoScaling": scaling}}}
    run = run_roster(ROSTER, tiers=overrides)
    targets = [r for r in run.tenant_resources("acme") if r.type == "aws:appautoscaling/target:Target"]
    reads = {
        (t.inputs["minCapacity"], t.inputs["maxCapacity"]) for t in targets if "Read" in t.inputs["scalableDimension"]
    }
    assert reads == {(10, 40)}
    policies = [r for r in run.tenant_resources("acme") if r.type == "aws:appautoscaling/policy:Policy"]
    assert {p.inputs["targetTrackingScalingPolicyConfiguration"]["targetValue"] for p in policies} == {50}


def test_every_tenant_resource_carries_tenant_tier_and_environment_tags(run):
    for tenant_id in ("acme", "globex-corp"):
        taggable = [r for r in run.tenant_resources(tenant_id) if r.custom and "tags" in r.inputs]
        assert len(taggable) == 1 + len(TENANT_TABLES) + 2 * len(TENANT_TABLES) + 1  # keyspace, tables, targets, role
        for resource in taggable:
            assert resource.inputs["tags"] == {
                "Project": "tenant-pipeline",
                "Environment": "test",
                "TenantId": tenant_id,
                "Tier": "premium",
            }, resource.name


def test_each_premium_role_names_only_its_own_keyspace_and_prefix(run):
    for tenant_id, keyspace, other in (
        ("acme", "tenant_acme", "globex"),
        ("globex-corp", "tenant_globex_corp", "acme"),
    ):
        document = run.role_policy(f"tenant-{tenant_id}-role")
        cassandra = [arn for s in document["Statement"] if s["Sid"] == "OwnKeyspaceTables" for arn in s["Resource"]]
        assert cassandra and all(f":/keyspace/{keyspace}/" in arn for arn in cassandra)
        s3 = [s for s in document["Statement"] if str(s["Action"]).startswith("s3:")]
        assert [s["Resource"] for s in s3] == [f"{BUCKET_ARN}/tenant={tenant_id}/*", BUCKET_ARN]
        assert s3[1]["Condition"] == {"StringLike": {"s3:prefix": [f"tenant={tenant_id}/*"]}}
        text = json.dumps(document)
        assert other not in text and "tenants_pool" not in text and "PrincipalTag" not in text


def test_roles_trust_the_application_role_which_may_assume_exactly_them(run):
    app_arn = run.outputs["applicationRoleArn"]
    roles = run.declaration.of_type("aws:iam/role:Role")
    tenant_roles = [r for r in roles if r.inputs.get("path") == Namer("test").tenant_role_path()]
    silo_tenants = [t["id"] for t in ROSTER if t["tier"] == "premium"]
    pooled_shards = {
        entry["roleArn"] for entry in run.outputs["tenants"].values() if entry["keyspace"] == "tenants_pool"
    }
    assert len(tenant_roles) == len(silo_tenants) + len(pooled_shards)
    for role in tenant_roles:
        (trust,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
        assert trust["Principal"] == {"AWS": app_arn}
    app_policies = [
        r
        for r in run.declaration.of_type("aws:iam/rolePolicy:RolePolicy")
        if r.name == "application-role-assume-tenant-roles"
    ]
    (assume,) = json.loads(app_policies[0].inputs["policy"])["Statement"]
    assert all(fnmatchcase(role.outputs["arn"], assume["Resource"]) for role in tenant_roles)
    assert not fnmatchcase(app_arn, assume["Resource"])
    (pooled_trust,) = json.loads(run.declaration.named("pooled-storage-role").inputs["assumeRolePolicy"])["Statement"]
    assert pooled_trust["Condition"]["StringEquals"] == {"aws:RequestTag/TenantId": ["initech", "hooli"]}


def test_the_tenants_output_says_where_each_tenant_lives(run):
    tenants = run.outputs["tenants"]
    roles = {r.name: r.outputs["arn"] for r in run.declaration.of_type("aws:iam/role:Role")}
    assert tenants["acme"] == {
        "tier": "premium",
        "status": "active",
        "keyspace": "tenant_acme",
        "s3Prefix": "tenant=acme/",
        "roleArn": roles["tenant-acme-role"],
        "migration": None,
        "cell": None,  # an environment without cells
        "keyCell": None,
    }
    assert tenants["globex-corp"]["keyspace"] == "tenant_globex_corp"
    assert tenants["hooli"] == {
        "tier": "basic",
        "status": "active",
        "keyspace": "tenants_pool",
        "s3Prefix": "tenant=hooli/",
        "roleArn": roles["pooled-storage-role"],
        "migration": None,
        "cell": None,  # an environment without cells
        "keyCell": None,
    }
    assert run.outputs["pooledKeyspace"] == "tenants_pool"
    assert run.outputs["applicationRoleArn"] == roles["application-role-role"]


def test_stateful_resources_are_protected_and_roles_are_not(run):
    stateful = [
        r for r in run.storage_resources() if r.type in ("aws:keyspaces/keyspace:Keyspace", "aws:keyspaces/table:Table")
    ]
    assert len(stateful) == 3 * (1 + len(TENANT_TABLES))
    assert all(run.protected(r.name) for r in stateful)
    assert not any(run.protected(r.name) for r in run.declaration.of_type("aws:iam/role:Role"))


def offboarded(strategy: str):
    roster = [*ROSTER, {"id": "vandelay", "tier": "premium", "status": "offboarded"}]
    return run_roster(roster, tiers={"premium": {**PROVISIONED, "offboarding": strategy}})


def test_offboarded_premium_tenants_lose_their_role_and_api_access_whatever_the_strategy():
    for strategy in ("retain", "scale-down", "delete"):
        run = offboarded(strategy)
        resources = run.tenant_resources("vandelay")
        assert not [r for r in resources if r.type.startswith("aws:iam/")], strategy
        assert run.outputs["tenants"]["vandelay"]["roleArn"] is None
        assert run.outputs["tenants"]["vandelay"]["status"] == "offboarded"
        assert "tenant-pipeline-test-tenant-vandelay" not in json.dumps(run.outputs["tenants"])


def test_retain_keeps_the_keyspace_as_it_was_and_protected():
    run = offboarded("retain")
    kept = types_of(run.tenant_resources("vandelay"))
    assert kept == ACTIVE_PREMIUM - ROLE
    assert all(run.protected(r.name) for r in run.tenant_resources("vandelay") if r.type.startswith("aws:keyspaces/"))


def test_scale_down_keeps_the_keyspace_protected_at_minimum_capacity_without_auto_scaling():
    run = offboarded("scale-down")
    resources = run.tenant_resources("vandelay")
    assert types_of(resources) == Counter(
        {"tenant-pipeline:storage:SiloTenant": 1, "aws:keyspaces/keyspace:Keyspace": 1, "aws:keyspaces/table:Table": 2}
    )
    for table in (r for r in resources if r.type == "aws:keyspaces/table:Table"):
        assert table.inputs["capacitySpecification"] == {
            "throughputMode": "PROVISIONED",
            "readCapacityUnits": 1,
            "writeCapacityUnits": 1,
        }
        assert table.inputs["pointInTimeRecovery"] == {"status": "ENABLED"}
        assert run.protected(table.name)
        assert run.ignored(table.name) == ()  # the new units must be applied
    # The active premium tenants of the same tier keep auto scaling.
    assert types_of(run.tenant_resources("acme")) == ACTIVE_PREMIUM


def test_delete_drops_the_keyspace_and_leaves_live_data_unprotected():
    run = offboarded("delete")
    assert types_of(run.tenant_resources("vandelay")) == Counter({"tenant-pipeline:storage:SiloTenant": 1})
    assert not any(r.inputs.get("name") == "tenant_vandelay" for r in run.declaration.resources)
    # Under `delete`, an active tenant's keyspace can go when it is offboarded: not protected.
    acme = [r for r in run.tenant_resources("acme") if r.type.startswith("aws:keyspaces/")]
    assert acme and not any(run.protected(r.name) for r in acme)
    # The pooled keyspace is shared: always protected.
    assert run.protected("pooled-storage-keyspace")


def test_an_offboarded_basic_tenant_keeps_its_pooled_data_but_loses_its_role():
    run = run_roster([*ROSTER, {"id": "vandelay", "tier": "basic", "status": "offboarded"}], tiers=TIERS)
    assert run.outputs["tenants"]["vandelay"] == {
        "tier": "basic",
        "status": "offboarded",
        "keyspace": "tenants_pool",
        "s3Prefix": "tenant=vandelay/",
        "roleArn": None,
        "migration": None,
        "cell": None,  # an environment without cells
        "keyCell": None,
    }
    assert run.protected("pooled-storage-orders")


def test_a_roster_over_the_keyspaces_quota_stops_the_program_naming_the_quota_before_any_resource():
    roster = [{"id": f"premium-{n}", "tier": "premium"} for n in range(4)]
    with recording_registrations() as registrations, pytest.raises(pulumi.RunError) as stopped:
        run_program("test", stack_config(roster, quotas={"keyspaces": 4, "tables": 100}))
    assert "tenant-pipeline:quotas.keyspaces: the roster needs 5 keyspaces" in str(stopped.value)
    assert registrations == []


def test_a_roster_over_the_tables_quota_names_the_quota_and_the_need():
    roster = [{"id": f"premium-{n}", "tier": "premium"} for n in range(3)]
    with recording_registrations() as registrations, pytest.raises(pulumi.RunError) as stopped:
        run_program("test", stack_config(roster, quotas={"tables": 7}))
    assert "tenant-pipeline:quotas.tables: the roster needs 8 tables" in str(stopped.value)
    assert registrations == []


def test_an_offboarded_premium_tenant_under_delete_needs_no_quota():
    roster = [
        {"id": "premium-0", "tier": "premium"},
        {"id": "premium-1", "tier": "premium", "status": "offboarded"},
    ]
    run = run_roster(roster, tiers={"premium": {"offboarding": "delete"}}, quotas={"keyspaces": 2, "tables": 4})
    # Registrations complete concurrently: compare names, not the order they were declared in.
    assert sorted(r.inputs["name"] for r in run.declaration.of_type("aws:keyspaces/keyspace:Keyspace")) == [
        "tenant_premium_0",
        "tenants_pool",
    ]


def test_storage_components_use_the_project_type_tokens(run):
    components = {r.type for r in run.declaration.resources if not r.custom}
    assert set(STORAGE_COMPONENTS) <= components


def test_the_pool_is_tagged_as_the_pools_not_any_tiers(run):
    pool = [r for r in run.storage_resources() if r.parent == run.declaration.named("pooled-storage").urn]
    taggable = [r for r in pool if r.custom and "tags" in r.inputs]
    assert {r.type for r in taggable} >= {"aws:keyspaces/keyspace:Keyspace", "aws:keyspaces/table:Table"}
    for resource in taggable:
        assert resource.inputs["tags"] == {"Project": "tenant-pipeline", "Environment": "test", "Storage": "pooled"}


def test_the_pool_setting_sizes_the_pooled_tables_whatever_the_pooled_tiers_are():
    """Two pooled tiers, listed either way round: the pooled tables follow tenant-pipeline:pool alone."""
    free = {"storage": "pooled", "throttle": {"rateLimit": 5, "burstLimit": 10, "quotaPerDay": 1000}}
    pool = {"capacity": {"mode": "PROVISIONED", "autoScaling": {"readMax": 300}}, "pointInTimeRecovery": True}
    roster = [*ROSTER, {"id": "wayne", "tier": "free"}]
    for tiers in ({"free": free}, {"free": free, "basic": {"partitionKeys": 2}}):
        run = run_roster(roster, tiers=tiers, pool=pool)
        pooled = run.declaration.named("pooled-storage")
        tables = [r for r in run.declaration.children_of(pooled.urn) if r.type == "aws:keyspaces/table:Table"]
        assert len(tables) == len(TENANT_TABLES)
        for table in tables:
            assert table.inputs["capacitySpecification"]["throughputMode"] == "PROVISIONED"
            assert table.inputs["pointInTimeRecovery"] == {"status": "ENABLED"}
        targets = [r for r in run.declaration.children_of(pooled.urn) if r.type == "aws:appautoscaling/target:Target"]
        reads = {t.inputs["maxCapacity"] for t in targets if "Read" in t.inputs["scalableDimension"]}
        assert reads == {300}
