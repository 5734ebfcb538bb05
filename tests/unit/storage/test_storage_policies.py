"""policies/tenant_access.py: tenant role, pooled role, trust and application role documents."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

import pytest

from components.errors import ComponentInputError
from components.storage.policies import (
    SYSTEM_KEYSPACES,
    AccountScope,
    application_policy,
    application_trust_policy,
    pooled_tenant_policy,
    pooled_trust_policy,
    silo_tenant_policy,
    tenant_trust_policy,
)
from tiers.naming import Namer, iam_role_arn

SCOPE = AccountScope("us-east-1", "123456789012")
BUCKET = "arn:aws:s3:::tenant-pipeline-dev-ingest-123456789012-us-east-1"
APP_ROLE = "arn:aws:iam::123456789012:role/tenant-pipeline-dev-app"
TABLES = ("customers", "orders")


def acme_policy() -> dict[str, Any]:
    return silo_tenant_policy(
        SCOPE, tenant_id="acme", keyspace="tenant_acme", tables=TABLES, bucket_arn=BUCKET, s3_prefix="tenant=acme/"
    )


def statement(document: dict[str, Any], sid: str) -> dict[str, Any]:
    return next(s for s in document["Statement"] if s["Sid"] == sid)


def test_a_premium_role_may_read_and_write_its_keyspace_and_tables_only():
    data = statement(acme_policy(), "OwnKeyspaceTables")
    assert data["Action"] == ["cassandra:Select", "cassandra:Modify"]
    assert data["Resource"] == [
        "arn:aws:cassandra:us-east-1:123456789012:/keyspace/tenant_acme/",
        "arn:aws:cassandra:us-east-1:123456789012:/keyspace/tenant_acme/table/customers",
        "arn:aws:cassandra:us-east-1:123456789012:/keyspace/tenant_acme/table/orders",
    ]


def test_drivers_may_only_select_from_the_system_keyspaces():
    system = statement(acme_policy(), "DriverSystemKeyspaces")
    assert system["Action"] == "cassandra:Select"
    named = {arn.split("/keyspace/")[1].split("/")[0] for arn in system["Resource"]}
    assert named == set(SYSTEM_KEYSPACES)


def test_a_premium_role_reads_and_lists_its_prefix_only():
    document = acme_policy()
    assert statement(document, "ReadOwnPrefix") == {
        "Sid": "ReadOwnPrefix",
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": f"{BUCKET}/tenant=acme/*",
    }
    listing = statement(document, "ListOwnPrefix")
    assert listing["Resource"] == BUCKET
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["tenant=acme/*"]}}
    actions = {
        a for s in document["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert actions == {"cassandra:Select", "cassandra:Modify", "s3:GetObject", "s3:ListBucket"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"s3_prefix": "tenant=globex/"}, r"tenant acme: S3 prefix must be 'tenant=acme/'"),
        ({"s3_prefix": "tenant=acme/*"}, r"S3 prefix must be"),
        ({"tenant_id": "Acme"}, r"tenant id 'Acme' does not match"),
        ({"keyspace": "tenant-acme"}, r"keyspace 'tenant-acme' does not match"),
        ({"tables": ()}, r"keyspace tenant_acme: no tables to grant"),
        ({"tables": ("orders", "*")}, r"table names \['\*'\] are not Keyspaces names"),
        ({"bucket_arn": "arn:aws:s3:::*"}, r"bucket ARN must be arn:aws:s3:::<bucket>"),
    ],
)
def test_bad_input_is_refused_naming_the_problem(change, message):
    arguments = {
        "tenant_id": "acme",
        "keyspace": "tenant_acme",
        "tables": TABLES,
        "bucket_arn": BUCKET,
        "s3_prefix": "tenant=acme/",
        **change,
    }
    with pytest.raises(ComponentInputError, match=message):
        silo_tenant_policy(SCOPE, **arguments)


def test_an_account_scope_checks_account_and_region():
    with pytest.raises(ComponentInputError, match="account id must be 12 digits, got '1234'"):
        AccountScope("us-east-1", "1234")
    with pytest.raises(ComponentInputError, match="region must look like us-east-1, got 'useast1'"):
        AccountScope("useast1", "123456789012")


def test_the_pooled_role_scopes_s3_by_the_tenant_session_tag():
    document = pooled_tenant_policy(SCOPE, "tenants_pool", TABLES, BUCKET)
    read, listing = statement(document, "ReadOwnPrefix"), statement(document, "ListOwnPrefix")
    assert read["Resource"] == f"{BUCKET}/tenant=${{aws:PrincipalTag/TenantId}}/*"
    assert listing["Condition"]["StringLike"] == {"s3:prefix": ["tenant=${aws:PrincipalTag/TenantId}/*"]}
    for scoped in (read, listing):
        assert scoped["Condition"]["Null"] == {"aws:PrincipalTag/TenantId": "false"}
    assert statement(document, "PooledKeyspaceTables")["Resource"] == [
        "arn:aws:cassandra:us-east-1:123456789012:/keyspace/tenants_pool/",
        "arn:aws:cassandra:us-east-1:123456789012:/keyspace/tenants_pool/table/customers",
        "arn:aws:cassandra:us-east-1:123456789012:/keyspace/tenants_pool/table/orders",
    ]


def test_only_the_application_role_may_assume_a_premium_role():
    (trust,) = tenant_trust_policy(APP_ROLE)["Statement"]
    assert trust["Principal"] == {"AWS": APP_ROLE}
    assert trust["Action"] == ["sts:AssumeRole", "sts:TagSession"]
    with pytest.raises(ComponentInputError, match="role ARN must be"):
        tenant_trust_policy("*")


def test_a_pooled_role_can_only_be_assumed_tagged_with_one_of_its_own_tenant_ids_and_no_other_tag():
    (trust,) = pooled_trust_policy(APP_ROLE, ["initech", "hooli"])["Statement"]
    assert trust["Principal"] == {"AWS": APP_ROLE}
    assert trust["Action"] == ["sts:AssumeRole", "sts:TagSession"]
    assert trust["Condition"] == {
        "StringEquals": {"aws:RequestTag/TenantId": ["initech", "hooli"]},
        "ForAllValues:StringEquals": {"aws:TagKeys": ["TenantId"]},
    }


@pytest.mark.parametrize(
    ("tenant_ids", "message"),
    [
        ([], "a pooled role must trust at least one tenant id"),
        (["initech", "*"], r"tenant id '\*' does not match"),
        (["initech", "acme/x"], r"tenant id 'acme/x' does not match"),
        (["hooli", "hooli"], "listed more than once"),
    ],
)
def test_a_pooled_role_trusts_a_non_empty_list_of_distinct_tenant_ids_only(tenant_ids, message):
    with pytest.raises(ComponentInputError, match=message):
        pooled_trust_policy(APP_ROLE, tenant_ids)
    with pytest.raises(ComponentInputError, match="role ARN must be"):
        pooled_trust_policy("*", ["initech"])


def test_the_application_runs_on_this_accounts_ecs_tasks_or_lambda_functions():
    ecs, lambda_ = application_trust_policy(AccountScope("eu-west-1", "123456789012"))["Statement"]
    assert ecs["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert ecs["Action"] == "sts:AssumeRole"
    assert ecs["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws:ecs:eu-west-1:123456789012:*"},
    }
    assert lambda_["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert lambda_["Action"] == "sts:AssumeRole"
    assert lambda_["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_the_application_may_assume_the_tenant_roles_and_nothing_else():
    namer = Namer("dev")
    (assume,) = application_policy("123456789012", namer.tenant_role_path())["Statement"]
    assert assume["Action"] == ["sts:AssumeRole", "sts:TagSession"]
    path = namer.tenant_role_path()
    for role in (namer.tenant_role("acme"), namer.tenant_role("a" * 32), namer.pooled_tenant_role()):
        assert fnmatchcase(iam_role_arn("123456789012", path, role), assume["Resource"])
    assert not fnmatchcase(iam_role_arn("123456789012", "/", namer.application_role()), assume["Resource"])
    other_stack = Namer("prod")
    assert not fnmatchcase(
        iam_role_arn("123456789012", other_stack.tenant_role_path(), other_stack.tenant_role("acme")),
        assume["Resource"],
    )


@pytest.mark.parametrize("path", ["/", "tenants/", "/tenants", "/ten*/"])
def test_a_tenant_role_path_that_would_widen_the_grant_is_refused(path):
    with pytest.raises(ComponentInputError, match="tenant role path must be like /a/b/"):
        application_policy("123456789012", path)
