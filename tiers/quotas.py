"""Service quotas the roster must fit in: Keyspaces keyspaces and tables, API Gateway API keys, and the
IAM role trust policy length that sizes the pooled roles' shards."""

from __future__ import annotations

from typing import Any

from functions.contracts.tables import TENANT_TABLES
from tiers.errors import ConfigProblem
from tiers.fields import Fields
from tiers.model import Quotas
from tiers.plan import TenantPlan
from tiers.pooled_roles import MAX_TRUST_POLICY_LENGTH

_HOW_TO_RAISE = "request a quota increase from AWS, then set tenant-pipeline:quotas.{key}"


def parse_quotas(raw: Any, problems: list[ConfigProblem]) -> Quotas:
    fields = Fields(raw, "tenant-pipeline:quotas", "quotas", problems)
    fields.reject_unknown({"keyspaces", "tables", "apiKeys", "roleTrustPolicyLength"})
    defaults = Quotas()
    quotas = Quotas(
        keyspaces=fields.get("keyspaces", int, defaults.keyspaces),
        tables=fields.get("tables", int, defaults.tables),
        api_keys=fields.get("apiKeys", int, defaults.api_keys),
        role_trust_policy_length=fields.get("roleTrustPolicyLength", int, defaults.role_trust_policy_length),
    )
    for key, value in (
        ("keyspaces", quotas.keyspaces),
        ("tables", quotas.tables),
        ("apiKeys", quotas.api_keys),
        ("roleTrustPolicyLength", quotas.role_trust_policy_length),
    ):
        if value < 1:
            fields.problem(f"quotas.{key} must be at least 1, got {value}")
    if quotas.role_trust_policy_length > MAX_TRUST_POLICY_LENGTH:
        fields.problem(
            f"quotas.roleTrustPolicyLength must be at most {MAX_TRUST_POLICY_LENGTH} (the most AWS grants), "
            f"got {quotas.role_trust_policy_length}"
        )
    return quotas


def check_quotas(plans: list[TenantPlan], quotas: Quotas, problems: list[ConfigProblem]) -> None:
    """Name the first tenant whose resources would go over each quota."""
    tables_per_keyspace = len(TENANT_TABLES)
    keyspaces = 1  # the pooled keyspace
    tables = tables_per_keyspace  # the pooled tables
    api_keys = 0
    over: dict[str, tuple[str, int]] = {}
    for plan in plans:
        if plan.has_own_keyspace:
            keyspaces += 1
            tables += tables_per_keyspace
        if plan.served:
            api_keys += 1
        for key, used, limit in (
            ("keyspaces", keyspaces, quotas.keyspaces),
            ("tables", tables, quotas.tables),
            ("apiKeys", api_keys, quotas.api_keys),
        ):
            if used > limit and key not in over:
                over[key] = (plan.tenant_id, limit)
    totals = {"keyspaces": keyspaces, "tables": tables, "apiKeys": api_keys}
    for key, (tenant_id, limit) in over.items():
        problems.append(
            ConfigProblem(
                f"tenant '{tenant_id}'",
                f"goes over the {key} quota of {limit} in the region "
                f"(the roster needs {totals[key]}); {_HOW_TO_RAISE.format(key=key)}",
            )
        )
