"""The tenant-id rule. A tenant id becomes a Kinesis partition key, an S3 prefix, a keyspace and IAM names,
so every entry point (config, token claims, DAL context, directory, CQL) checks it with this one rule.

Always `fullmatch`: with `match` and a `$` anchor, "acme\\n" would pass.
"""

from __future__ import annotations

import re

from functions.contracts.errors import ContractError

TENANT_ID_MAX_LENGTH = 32
# Unanchored on purpose: the job's SQL and the config embed it; Python callers use fullmatch.
TENANT_ID_REGEX = r"[a-z][a-z0-9-]{0,31}"
TENANT_ID_PATTERN = re.compile(TENANT_ID_REGEX)
TENANT_ID_RULE = "1-32 characters of lowercase a-z, 0-9 and '-', starting with a letter"


def is_tenant_id(value: object) -> bool:
    return isinstance(value, str) and TENANT_ID_PATTERN.fullmatch(value) is not None


def tenant_id_problem(value: object, what: str = "tenant id") -> str:
    """The one wording of a refused tenant id, for every entry point's own error type."""
    return f"{what} {value!r} does not match the tenant id rule ({TENANT_ID_RULE})"


def check_tenant_id(value: object, what: str = "tenant id") -> str:
    """`value` if it is a tenant id; ContractError naming the rule otherwise."""
    if not is_tenant_id(value):
        raise ContractError(tenant_id_problem(value, what))
    return value  # type: ignore[return-value]
