"""The Allow response: the whole stage of the calling API, the tenant context and its API key.

Why the stage and not just the called method: API Gateway caches a TOKEN authorizer's policy per
token (authorizerResultTtlInSeconds) and applies the cached policy to every method of the API. A policy
naming only the first method would turn the same valid token's next call to another method into 403
until the cache entry expires. The authorizer decides who the tenant is, not which route it may use
(every tenant may call every route, and the tenant id rides in the context), so allowing
apiId/stage/*/* grants nothing more than the token already proves. It stays limited to this API and
this stage: a token's cached policy never opens another API or stage.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerResponse,
    HttpVerb,
)

from .errors import RefusedError
from .tenancy import Tenant

# arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<resource path>
_METHOD_ARN = re.compile(
    r"arn:(?P<partition>aws(?:-[a-z]+)*):execute-api:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<api>[a-z0-9]+)/(?P<stage>[a-zA-Z0-9_-]+)/(?P<method>[A-Z]+|\*)/(?P<resource>.*)"
)


def allow_stage(method_arn: str, principal_id: str, tenant: Tenant, api_key: str) -> dict[str, Any]:
    return {
        "principalId": principal_id,
        "policyDocument": _fresh_copy(_stage_policy(method_arn)),
        "context": tenant.as_context(),
        "usageIdentifierKey": api_key,
    }


def _fresh_copy(document: dict[str, Any]) -> dict[str, Any]:
    """The cached document's containers copied (its strings are immutable): callers may change theirs."""
    return {
        **document,
        "Statement": [{**statement, "Resource": list(statement["Resource"])} for statement in document["Statement"]],
    }


@lru_cache(maxsize=64)
def _stage_policy(method_arn: str) -> dict[str, Any]:
    """The policy allowing the method's stage, built by Powertools once per method ARN (a warm instance
    serves one API's few methods): building it took a fifth of a warm request. Malformed ARNs are not
    cached (the error propagates)."""
    match = _METHOD_ARN.fullmatch(method_arn)
    if match is None:
        raise RefusedError("methodArn is not an execute-api method ARN")
    response = APIGatewayAuthorizerResponse(
        principal_id="-",  # per request, set by allow_stage
        region=match["region"],
        aws_account_id=match["account"],
        api_id=match["api"],
        stage=match["stage"],
        partition=match["partition"],
    )
    response.allow_all_routes(http_method=HttpVerb.ALL.value)
    document: dict[str, Any] = response.asdict()["policyDocument"]
    return document
