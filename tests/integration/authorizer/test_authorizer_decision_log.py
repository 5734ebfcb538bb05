"""The authorizer's decision records (functions/contracts/authorizer_log.py), as CloudWatch gets them, are what
the program's Contributor Insights rule reads: its keys and filters, taken from the rule the program declares,
hold on the real records of an allowed and a refused token."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.operations.contributor_insights import authorizer_tenants_rule
from functions.authorizer.authorizer import Authorizer
from functions.authorizer.errors import UnauthorizedError
from functions.contracts.authorizer_log import ALLOWED, REFUSED
from tests.integration.authorizer.conftest import LogLines
from tests.support.authorizer import USERS, CognitoPool, token_event

pytestmark = pytest.mark.moto

RULE = json.loads(authorizer_tenants_rule("/aws/lambda/authorizer"))


def field(record: dict[str, Any], path: str) -> Any:
    assert path.startswith("$."), path
    return record.get(path[2:])


def counted_by_the_rule(record: dict[str, Any]) -> bool:
    """Whether the rule's filters let `record` through (the operators the rule uses: In, IsPresent)."""
    for condition in RULE["Contribution"]["Filters"]:
        value = field(record, condition["Match"])
        if "In" in condition and value not in condition["In"]:
            return False
        if "IsPresent" in condition and (value is not None) != condition["IsPresent"]:
            return False
    return True


def contributor(record: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(field(record, key) for key in RULE["Contribution"]["Keys"])


def test_an_allowed_token_is_counted_for_its_tenant(
    authorizer: Authorizer, cognito: CognitoPool, log_lines: LogLines
) -> None:
    tenant, tier = USERS["alice"]

    authorizer.authorize(token_event(cognito.tokens("alice")["id"]))

    (decision,) = [record for record in log_lines.records if record["message"] == ALLOWED]
    assert (decision["tenantId"], decision["tier"]) == (tenant, tier)
    assert counted_by_the_rule(decision)
    assert contributor(decision) == (tenant,)


def test_a_refused_tenant_is_counted_and_a_token_naming_none_is_not(
    authorizer: Authorizer, cognito: CognitoPool, log_lines: LogLines
) -> None:
    offboarded, _ = USERS["carol"]
    token = cognito.tokens("carol")["id"]
    for presented in (token, token[:-8] + "AAAAAAAA"):  # the second's signature does not verify: no tenant
        with pytest.raises(UnauthorizedError):
            authorizer.authorize(token_event(presented))

    refusals = [record for record in log_lines.records if record["message"] == REFUSED]
    assert [contributor(record) for record in refusals if counted_by_the_rule(record)] == [(offboarded,)]
    assert len(refusals) == 2
