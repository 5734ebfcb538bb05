"""Calling the authorizer in-process exactly as API Gateway's TOKEN authorizer does: for the local demo.

    import os; os.environ.update(USER_POOL_ID=..., APP_CLIENT_IDS=..., AWS_REGION=..., JWKS_URL=...,
                                 API_KEY_SECRET_PARAMETER=..., AWS_ENDPOINT_URL=<moto>)
    from functions.authorizer.local import invoke
    response = invoke("Bearer " + id_token, "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/POST/events")

The environment is read when the handler module is first imported (the cold start), so set it before the
first call. A refused token raises Exception("Unauthorized"), as the Lambda does.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

HANDLER_MODULE = "functions.authorizer.handler"


@dataclass(frozen=True)
class LocalContext:
    """The attributes of the Lambda runtime's context object that Powertools' logger reads."""

    function_name: str = "tenant-pipeline-local-authorizer"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:tenant-pipeline-local-authorizer"
    aws_request_id: str = "00000000-0000-4000-8000-000000000000"


def token_event(authorization: str, method_arn: str) -> dict[str, str]:
    """The event API Gateway sends a TOKEN authorizer whose identity source is the Authorization header."""
    return {"type": "TOKEN", "authorizationToken": authorization, "methodArn": method_arn}


def invoke(authorization: str, method_arn: str, context: Any = None) -> dict[str, Any]:
    """The real handler's response for this Authorization header value; Exception("Unauthorized") if refused."""
    handler = importlib.import_module(HANDLER_MODULE)
    response: dict[str, Any] = handler.handler(token_event(authorization, method_arn), context or LocalContext())
    return response
