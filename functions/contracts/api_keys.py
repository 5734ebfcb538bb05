"""Each tenant's API Gateway key value, derived from one stack secret.

The Pulumi program sets every tenant's API key to this value and the authorizer computes the same
value to return as `usageIdentifierKey`. Nothing per tenant has to be stored or looked up, so the
stack needs no per-tenant parameter and the authorizer no per-request lookup.

A key is salted with the cell that declares it (the directory record's `keyCell`): API Gateway refuses two
keys of one value, so while a tenant moves between cells the new cell's key and the old cell's can both
exist, and the authorizer hands API Gateway the one its record names. A key from before cells has no salt
(`keyCell` null) and keeps its value when it is moved into a cell.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from functions.contracts.errors import ContractError

# API Gateway API key values are 20-128 characters.
KEY_LENGTH = 40


def tenant_api_key(secret: str, tenant_id: str, key_cell: str | None = None) -> str:
    if not secret:
        raise ContractError("the API key secret is empty")
    message = f"api-key:{tenant_id}" if key_cell is None else f"api-key:{tenant_id}@{key_cell}"
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:KEY_LENGTH]
