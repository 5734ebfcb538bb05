"""The tenant isolation matrix, judged on the declared policies by a real IAM evaluator.

For every role the application may assume (silo tenants' roles, pooled shard roles) and every tenant id
as the session's TenantId tag, whether the role's trust policy accepts that tag or not:
- trust: may the application role assume the role (sts:AssumeRole, sts:TagSession) with that tag? Also
  untagged, and with a second tag next to TenantId;
- s3: may the session read an object under each tenant's prefix (s3:GetObject), and list it
  (s3:ListBucket with s3:prefix)? A session its trust refuses never exists, so it reaches nothing;
- keyspaces: may it Select and Modify each tenant's tables (its keyspace's)?

What each principal should reach: its own tenant's prefix and tables, nothing else. A pooled session is
its tag's tenant only if its shard's trust accepts that tag; the pooled tables hold every pooled tenant's
rows, so Keyspaces IAM lets any pooled session reach them (rows are isolated by the DAL, a matrix of the
demo's own), never a silo tenant's keyspace.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from functions.contracts.directory import TenantRecord
from functions.contracts.identity import TENANT_SESSION_TAG
from functions.contracts.tables import TENANT_TABLES
from local.errors import DeclarationError
from local.iam.evaluator import ALLOWED, IamRequest, evaluate
from local.program import Declaration, DeclaredResource
from tiers.naming import keyspace_table_arn

TRUST_ACTIONS = ("sts:AssumeRole", "sts:TagSession")
S3_ACTIONS = ("s3:GetObject", "s3:ListBucket")
KEYSPACES_ACTIONS = ("cassandra:Select", "cassandra:Modify")
UNTAGGED = "(no tag)"  # trust probes besides the tenant ids: no session tag at all ...
EXTRA_TAG = "(+ other tag)"  # ... and TenantId of a served tenant of the role, plus another tag
_OBJECT_KEY = "year=2026/month=01/day=01/hour=00/events-1.json"


@dataclass(frozen=True)
class AssumableRole:
    name: str
    arn: str
    trust: dict[str, Any]
    policies: dict[str, dict[str, Any]]  # inline policy name -> document
    tenants: tuple[str, ...]  # the tenants whose directory record names this role


@dataclass(frozen=True)
class DeclaredAccess:
    """What the program declared about tenant data access, as the matrix reads it."""

    region: str
    account: str
    bucket: str
    bucket_policy: dict[str, Any] | None
    application_role_arn: str
    application_policies: dict[str, dict[str, Any]]
    roles: tuple[AssumableRole, ...]
    tenants: tuple[TenantRecord, ...]  # the directory, in roster order

    def record(self, tenant_id: str) -> TenantRecord:
        return next(t for t in self.tenants if t.tenant_id == tenant_id)


@dataclass(frozen=True)
class Cell:
    role: str  # the role's name
    tag: str  # the session's TenantId tag (trust: the probe)
    target: str  # whose data (trust: the probe again)
    kind: str  # "trust", "s3" or "keyspaces"
    decisions: dict[str, bool]  # action -> allowed (for data: only if the trust allows the session at all)
    expected: bool

    @property
    def allowed(self) -> bool:
        return any(self.decisions.values())

    @property
    def holds(self) -> bool:
        return all(allowed == self.expected for allowed in self.decisions.values())


def read_access(declaration: Declaration, region: str) -> DeclaredAccess:
    """The roles the application may assume, their policies, the bucket and the directory."""
    outputs = declaration.outputs
    app_arn = str(outputs["applicationRoleArn"])
    roles = declaration.of_type("aws:iam/role:Role")
    (app,) = [r for r in roles if r.outputs.get("arn") == app_arn]
    inline = _inline_policies(declaration)
    app_policies = inline.get(app.id, {})
    patterns = [
        resource
        for document in app_policies.values()
        for statement in document["Statement"]
        if statement["Effect"] == "Allow" and "sts:AssumeRole" in _listed(statement["Action"])
        for resource in _listed(statement["Resource"])
    ]
    tenants = tuple(TenantRecord.from_entry(tenant_id, entry) for tenant_id, entry in outputs["tenants"].items())
    assumable = tuple(
        AssumableRole(
            name=role.inputs["name"],
            arn=role.outputs["arn"],
            trust=json.loads(role.inputs["assumeRolePolicy"]),
            policies=inline.get(role.id, {}),
            tenants=tuple(t.tenant_id for t in tenants if t.role_arn == role.outputs["arn"]),
        )
        for role in roles
        if role is not app and any(fnmatch.fnmatchcase(role.outputs["arn"], p) for p in patterns)
    )
    if not assumable:
        raise DeclarationError("the application role may assume no declared role")
    bucket = str(outputs["ingestBucket"])
    return DeclaredAccess(
        region=region,
        account=app_arn.split(":")[4],
        bucket=bucket,
        bucket_policy=_bucket_policy(declaration, bucket),
        application_role_arn=app_arn,
        application_policies=app_policies,
        roles=assumable,
        tenants=tenants,
    )


def isolation_matrix(
    access: DeclaredAccess,
    roles: Callable[[AssumableRole], bool] = lambda role: True,
    judge: Callable[[dict[str, dict[str, Any]], Sequence[IamRequest]], list[str]] = evaluate,
) -> list[Cell]:
    """Every cell of the matrix for the roles `roles` selects, judged in one batch."""
    policies: dict[str, dict[str, Any]] = {f"app/{name}": doc for name, doc in access.application_policies.items()}
    if access.bucket_policy is not None:
        policies["bucket"] = access.bucket_policy
    plan: list[tuple[str, str, str, str, str]] = []  # (role, tag, target, kind, action) per request
    requests: list[IamRequest] = []

    def ask(role: AssumableRole, tag: str, target: str, kind: str, request: IamRequest) -> None:
        plan.append((role.name, tag, target, kind, request.action))
        requests.append(request)

    ids = [t.tenant_id for t in access.tenants]
    selected = [role for role in access.roles if roles(role)]
    for role in selected:
        policies[f"trust/{role.name}"] = role.trust
        for name, document in role.policies.items():
            policies[f"role/{role.name}/{name}"] = document
        for probe in [*ids, UNTAGGED, EXTRA_TAG]:
            for action in TRUST_ACTIONS:
                ask(role, probe, probe, "trust", _trust_request(access, role, probe, action))
        for tag in ids:
            for record in access.tenants:
                for request in _data_requests(access, role, tag, record):
                    ask(role, tag, record.tenant_id, _kind(request.action), request)

    decisions = [result == ALLOWED for result in judge(policies, requests)]
    trusted: dict[tuple[str, str], bool] = {}  # (role, tag) -> may the application open that session
    for (role_name, tag, _, kind, _), allowed in zip(plan, decisions, strict=True):
        if kind == "trust":
            trusted[(role_name, tag)] = trusted.get((role_name, tag), True) and allowed
    cells: dict[tuple[str, str, str, str], dict[str, bool]] = {}
    for (role_name, tag, target, kind, action), allowed in zip(plan, decisions, strict=True):
        effective = allowed if kind == "trust" else allowed and trusted[(role_name, tag)]
        cells.setdefault((role_name, tag, target, kind), {})[action] = effective
    by_name = {role.name: role for role in selected}
    return [
        Cell(name, tag, target, kind, actions, expected(access, by_name[name], tag, target, kind))
        for (name, tag, target, kind), actions in cells.items()
    ]


def expected(access: DeclaredAccess, role: AssumableRole, tag: str, target: str, kind: str) -> bool:
    """What the matrix should say: each principal reaches its own tenant, and nobody else's."""
    if kind == "trust":
        # A silo role's policies name its tenant literally (the tag scopes nothing); a pooled role's
        # trust must accept exactly the tenants the directory sends to it.
        return tag in role.tenants if is_pooled(access, role) else True
    tenant = session_tenant(access, role, tag)
    if tenant is None:
        return False  # a session the trust policy refuses, or a role no tenant uses
    if kind == "s3":
        return target == tenant
    return access.record(target).keyspace == access.record(tenant).keyspace


def is_pooled(access: DeclaredAccess, role: AssumableRole) -> bool:
    """A pooled role serves pooled tenants only; a silo role, its one tenant. Anything else is a bug."""
    kinds = {access.record(tenant_id).pooled for tenant_id in role.tenants}
    if len(kinds) > 1 or (kinds == {False} and len(role.tenants) > 1):
        raise DeclarationError(f"role {role.name} is the directory's role of {role.tenants}: mixed or shared")
    return kinds == {True}


def session_tenant(access: DeclaredAccess, role: AssumableRole, tag: str) -> str | None:
    """Whose session (role, tag) is: a pooled role's tag, if its trust should accept it; a silo role's own."""
    if is_pooled(access, role):
        return tag if tag in role.tenants else None
    return role.tenants[0] if role.tenants else None


def _trust_request(access: DeclaredAccess, role: AssumableRole, probe: str, action: str) -> IamRequest:
    if probe == UNTAGGED:
        context: dict[str, str | list[str]] = {}
    elif probe == EXTRA_TAG:
        tag = role.tenants[0] if role.tenants else access.tenants[0].tenant_id
        context = {f"aws:RequestTag/{TENANT_SESSION_TAG}": tag, "aws:RequestTag/Team": "ops"}
        context["aws:TagKeys"] = [TENANT_SESSION_TAG, "Team"]
    else:
        context = {f"aws:RequestTag/{TENANT_SESSION_TAG}": probe, "aws:TagKeys": [TENANT_SESSION_TAG]}
    app_name = access.application_role_arn.rsplit("/", 1)[1]
    return IamRequest(
        principal=f"arn:aws:sts::{access.account}:assumed-role/{app_name}/task",
        action=action,
        resource=role.arn,
        account=access.account,
        identity_policies=tuple(f"app/{name}" for name in access.application_policies),
        resource_policy=f"trust/{role.name}",
        context={**context, "aws:PrincipalArn": access.application_role_arn},
    )


def session_request(
    access: DeclaredAccess,
    role: AssumableRole,
    action: str,
    resource: str,
    *,
    session: str,
    tag: str,
    on_bucket: bool,
    extra: dict[str, str] | None = None,
) -> IamRequest:
    """A request made with `role`'s session `session` tagged with tenant `tag`, over TLS: the role's inline
    policies, and the ingest bucket's policy too when `on_bucket` (and the stack declares one)."""
    return IamRequest(
        principal=f"arn:aws:sts::{access.account}:assumed-role/{role.name}/{session}",
        action=action,
        resource=resource,
        account=access.account,
        identity_policies=tuple(f"role/{role.name}/{name}" for name in role.policies),
        resource_policy="bucket" if on_bucket and access.bucket_policy is not None else None,
        context={
            f"aws:PrincipalTag/{TENANT_SESSION_TAG}": tag,
            "aws:PrincipalArn": role.arn,
            "aws:SecureTransport": "true",
            **(extra or {}),
        },
    )


def _data_requests(access: DeclaredAccess, role: AssumableRole, tag: str, target: TenantRecord) -> list[IamRequest]:
    def request(action: str, resource: str, extra: dict[str, str] | None = None) -> IamRequest:
        return session_request(
            access, role, action, resource, session=f"dal-{tag}", tag=tag, on_bucket=action in S3_ACTIONS, extra=extra
        )

    bucket_arn = f"arn:aws:s3:::{access.bucket}"
    requests = [
        request("s3:GetObject", f"{bucket_arn}/{target.s3_prefix}{_OBJECT_KEY}"),
        request("s3:ListBucket", bucket_arn, {"s3:prefix": target.s3_prefix}),
    ]
    for table in TENANT_TABLES:
        arn = keyspace_table_arn(access.region, access.account, target.keyspace, table.name)
        requests += [request(action, arn) for action in KEYSPACES_ACTIONS]
    return requests


def _kind(action: str) -> str:
    return "s3" if action in S3_ACTIONS else "keyspaces"


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _inline_policies(declaration: Declaration) -> dict[str, dict[str, dict[str, Any]]]:
    """Role id -> inline policy name -> document."""
    policies: dict[str, dict[str, dict[str, Any]]] = {}
    for policy in declaration.of_type("aws:iam/rolePolicy:RolePolicy"):
        name = policy.inputs.get("name", policy.name)
        policies.setdefault(policy.inputs["role"], {})[name] = json.loads(policy.inputs["policy"])
    return policies


def _bucket_policy(declaration: Declaration, bucket: str) -> dict[str, Any] | None:
    arn = f"arn:aws:s3:::{bucket}"

    def names_bucket(policy: DeclaredResource) -> bool:
        statements = json.loads(policy.inputs["policy"])["Statement"]
        return any(arn in _listed(statement.get("Resource", [])) for statement in statements)

    matches = [p for p in declaration.of_type("aws:s3/bucketPolicy:BucketPolicy") if names_bucket(p)]
    if len(matches) > 1:
        raise DeclarationError(f"{len(matches)} bucket policies name {bucket}")
    return dict(json.loads(matches[0].inputs["policy"])) if matches else None
