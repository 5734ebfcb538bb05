"""Each tenant's API Gateway key value, derived from one stack secret.

The Pulumi program sets every tenant's API key to this value and the authorizer computes the same
value to return as `usageIdentifierKey`. Nothing per tenant has to be stored or looked up, so the
stack needs no per-tenant parameter and the authorizer no per-request lookup.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from functions.contracts.errors import ContractError

# API Gateway API key values are 20-128 characters.
KEY_LENGTH = 40


def tenant_api_key(secret: str, tenant_id: str) -> str:
    if not secret:
        raise ContractError("the API key secret is empty")
    digest = hmac.new(secret.encode(), f"api-key:{tenant_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:KEY_LENGTH]
