"""IAM documents for tenant data access: tenant roles, their trust, and the application role.

A silo tenant's role names its own keyspace, tables and S3 prefix with literal ARNs. The pooled
roles serve the pooled tiers' tenants, sharded (tiers/pooled_roles.py): Keyspaces IAM stops at tables, so they
name the pooled tables (the DAL keys every query by tenant_id), and their S3 access follows the session
tag `TenantId`, which a shard's trust policy accepts only with the id of one of its own served tenants.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from components.errors import ComponentInputError
from functions.contracts.aws import BUCKET_PATTERN, is_account_id, is_region, is_role_arn
from functions.contracts.identity import TENANT_SESSION_TAG
from functions.contracts.keyspaces import KEYSPACE_NAME_PATTERN
from functions.contracts.s3_layout import TENANT_DATA_PREFIX, tenant_s3_prefix
from functions.contracts.tenant_id import is_tenant_id, tenant_id_problem
from tiers.naming import keyspace_arn, keyspace_table_arn
from tiers.pooled_roles import ASSUME_ACTIONS, POLICY_VERSION, shard_trust_policy

# The read-only system keyspaces Amazon Keyspaces documents; drivers read them on connect.
SYSTEM_KEYSPACES = ("system", "system_schema", "system_schema_mcs", "system_multiregion_info")
DATA_ACTIONS = ("cassandra:Select", "cassandra:Modify")
ECS_TASKS = "ecs-tasks.amazonaws.com"
LAMBDA_FUNCTIONS = "lambda.amazonaws.com"
# `tenant=${aws:PrincipalTag/TenantId}/`: resolved by IAM per request, from the session tag.
TAGGED_TENANT_PREFIX = f"{TENANT_DATA_PREFIX}${{aws:PrincipalTag/{TENANT_SESSION_TAG}}}/"

_BUCKET_ARN = re.compile(rf"arn:aws:s3:::{BUCKET_PATTERN.pattern}")


@dataclass(frozen=True)
class AccountScope:
    """Where the Keyspaces ARNs point: one account, one region."""

    region: str
    account_id: str

    def __post_init__(self) -> None:
        if not is_account_id(self.account_id):
            raise ComponentInputError(f"account id must be 12 digits, got {self.account_id!r}")
        if not is_region(self.region):
            raise ComponentInputError(f"region must look like us-east-1, got {self.region!r}")


def silo_tenant_policy(
    scope: AccountScope, *, tenant_id: str, keyspace: str, tables: Sequence[str], bucket_arn: str, s3_prefix: str
) -> dict[str, Any]:
    """A silo tenant's permissions: its keyspace and tables, its prefix; every ARN literal."""
    if not is_tenant_id(tenant_id):
        raise ComponentInputError(tenant_id_problem(tenant_id))
    if s3_prefix != tenant_s3_prefix(tenant_id):
        raise ComponentInputError(
            f"tenant {tenant_id}: S3 prefix must be {tenant_s3_prefix(tenant_id)!r}, got {s3_prefix!r}"
        )
    return _document(
        _keyspace_statement("OwnKeyspaceTables", scope, keyspace, tables),
        _system_keyspaces_statement(scope),
        *_prefix_statements(_checked_bucket(bucket_arn), s3_prefix),
    )


def pooled_tenant_policy(scope: AccountScope, keyspace: str, tables: Sequence[str], bucket_arn: str) -> dict[str, Any]:
    """A pooled role's permissions: the pooled tables; the prefix of the session's TenantId tag."""
    tagged = {"Null": {f"aws:PrincipalTag/{TENANT_SESSION_TAG}": "false"}}
    return _document(
        _keyspace_statement("PooledKeyspaceTables", scope, keyspace, tables),
        _system_keyspaces_statement(scope),
        *_prefix_statements(_checked_bucket(bucket_arn), TAGGED_TENANT_PREFIX, condition=tagged),
    )


def tenant_trust_policy(application_role_arn: str) -> dict[str, Any]:
    """Only the application's role may assume a silo tenant's role (and tag the session)."""
    return _document(
        {
            "Sid": "ApplicationAssumes",
            "Effect": "Allow",
            "Principal": {"AWS": _checked_role(application_role_arn)},
            "Action": list(ASSUME_ACTIONS),
        }
    )


def pooled_trust_policy(application_role_arn: str, tenant_ids: Sequence[str]) -> dict[str, Any]:
    """A pooled shard's trust: the application assumes it only tagged TenantId=<one of `tenant_ids`>.

    The S3 statements resolve `${aws:PrincipalTag/TenantId}`, so the list is what keeps a pooled session
    off every other tenant's prefix: it names the shard's served pooled tenants and nobody else.
    """
    if not tenant_ids:
        raise ComponentInputError("a pooled role must trust at least one tenant id")
    bad = [tenant_id for tenant_id in tenant_ids if not is_tenant_id(tenant_id)]
    if bad:
        raise ComponentInputError(tenant_id_problem(bad[0]))
    if len(set(tenant_ids)) != len(tenant_ids):
        raise ComponentInputError(f"a pooled role's tenant ids are listed more than once: {sorted(tenant_ids)}")
    return shard_trust_policy(_checked_role(application_role_arn), tenant_ids)


def application_trust_policy(scope: AccountScope) -> dict[str, Any]:
    """The application's compute: ECS tasks and Lambda functions of this account only.

    Confused-deputy guards as each service documents them: ECS sends the task's account and ARN
    (`arn:aws:ecs:<region>:<account>:...`), Lambda the function's account.
    """
    account = {"aws:SourceAccount": scope.account_id}
    return _document(
        {
            "Sid": "ApplicationEcsTasks",
            "Effect": "Allow",
            "Principal": {"Service": ECS_TASKS},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": account,
                "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:{scope.region}:{scope.account_id}:*"},
            },
        },
        {
            "Sid": "ApplicationLambdaFunctions",
            "Effect": "Allow",
            "Principal": {"Service": LAMBDA_FUNCTIONS},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": account},
        },
    )


def application_policy(account_id: str, tenant_role_path: str) -> dict[str, Any]:
    """The application may assume exactly the tenant roles: those under the tenant role path.

    A path, not a list: one fixed-size statement for any number of tenants (IAM caps inline role
    policies at 10,240 characters). Only this program creates roles under that path.
    """
    if not is_account_id(account_id):
        raise ComponentInputError(f"account id must be 12 digits, got {account_id!r}")
    if not re.fullmatch(r"/([\x21-\x7e]+/)+", tenant_role_path) or "*" in tenant_role_path:
        raise ComponentInputError(f"tenant role path must be like /a/b/, without wildcards, got {tenant_role_path!r}")
    return _document(
        {
            "Sid": "AssumeTenantRoles",
            "Effect": "Allow",
            "Action": list(ASSUME_ACTIONS),
            "Resource": f"arn:aws:iam::{account_id}:role{tenant_role_path}*",
        }
    )


def _document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": POLICY_VERSION, "Statement": list(statements)}


def _keyspace_statement(sid: str, scope: AccountScope, keyspace: str, tables: Sequence[str]) -> dict[str, Any]:
    if not KEYSPACE_NAME_PATTERN.fullmatch(keyspace):
        raise ComponentInputError(f"keyspace {keyspace!r} does not match {KEYSPACE_NAME_PATTERN.pattern}")
    if not tables:
        raise ComponentInputError(f"keyspace {keyspace}: no tables to grant")
    bad = [table for table in tables if not KEYSPACE_NAME_PATTERN.fullmatch(table)]
    if bad:
        raise ComponentInputError(f"keyspace {keyspace}: table names {bad} are not Keyspaces names")
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": list(DATA_ACTIONS),
        "Resource": [
            keyspace_arn(scope.region, scope.account_id, keyspace),
            *(keyspace_table_arn(scope.region, scope.account_id, keyspace, table) for table in tables),
        ],
    }


def _system_keyspaces_statement(scope: AccountScope) -> dict[str, Any]:
    resources = []
    for keyspace in SYSTEM_KEYSPACES:
        resources.append(keyspace_arn(scope.region, scope.account_id, keyspace))
        resources.append(keyspace_table_arn(scope.region, scope.account_id, keyspace, "*"))
    return {"Sid": "DriverSystemKeyspaces", "Effect": "Allow", "Action": "cassandra:Select", "Resource": resources}


def _prefix_statements(
    bucket_arn: str, prefix: str, condition: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    read: dict[str, Any] = {
        "Sid": "ReadOwnPrefix",
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": f"{bucket_arn}/{prefix}*",
    }
    listing: dict[str, Any] = {
        "Sid": "ListOwnPrefix",
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": bucket_arn,
        "Condition": {"StringLike": {"s3:prefix": [f"{prefix}*"]}},
    }
    if condition:
        read["Condition"] = dict(condition)
        listing["Condition"] = {**listing["Condition"], **condition}
    return read, listing


def _checked_bucket(bucket_arn: str) -> str:
    if not _BUCKET_ARN.fullmatch(bucket_arn):
        raise ComponentInputError(f"bucket ARN must be arn:aws:s3:::<bucket>, got {bucket_arn!r}")
    return bucket_arn


def _checked_role(role_arn: str) -> str:
    if not is_role_arn(role_arn):
        raise ComponentInputError(f"role ARN must be arn:aws:iam::<account>:role/<path><name>, got {role_arn!r}")
    return role_arn
