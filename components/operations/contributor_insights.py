"""Contributor Insights rules (CloudWatch Logs, schema CloudWatchLogRule version 1) naming the noisiest tenants,
from the logs that carry the tenant: per tenant, never a per-tenant metric (10,000 tenants would be 10,000 billed
metrics); a rule's report lists the top contributors of the matched log events.

- The authorizer's decisions (functions/contracts/authorizer_log.py): one record per authorization, with the
  tenant a verified token named. API Gateway caches a decision per token, so this counts authorizations.
- The API's access log (components/ingestion/access_log.py): one record per request, with the authorizer's tenant.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from components.errors import ComponentInputError
from components.ingestion.access_log import ACCESS_LOG_FIELDS
from functions.contracts.authorizer_log import DECISIONS, MESSAGE_FIELD, TENANT_FIELD

SCHEMA = {"Name": "CloudWatchLogRule", "Version": 1}
MAX_KEYS = 4  # a rule's Contribution.Keys
ACCESS_LOG_TENANT = "tenantId"


def _path(field: str) -> str:
    return f"$.{field}"


def contributor_rule(log_groups: Sequence[str], keys: Sequence[str], filters: Sequence[dict[str, Any]]) -> str:
    """A rule counting the JSON log events of `log_groups` that pass `filters`, by the values of `keys`."""
    if not log_groups or not all(log_groups):
        raise ComponentInputError("a Contributor Insights rule needs the log groups it reads")
    if not 1 <= len(keys) <= MAX_KEYS:
        raise ComponentInputError(f"a Contributor Insights rule has 1-{MAX_KEYS} keys, got {list(keys)}")
    return json.dumps(
        {
            "Schema": SCHEMA,
            "LogGroupNames": list(log_groups),
            "LogFormat": "JSON",
            "Contribution": {"Keys": [_path(key) for key in keys], "Filters": list(filters)},
            "AggregateOn": "Count",
        },
        separators=(",", ":"),
    )


def authorizer_tenants_rule(log_group: str) -> str:
    """The tenants with the most authorizer decisions (allowed or refused)."""
    return contributor_rule(
        [log_group],
        [TENANT_FIELD],
        [
            {"Match": _path(MESSAGE_FIELD), "In": list(DECISIONS)},
            {"Match": _path(TENANT_FIELD), "IsPresent": True},
        ],
    )


def api_tenants_rule(log_group: str) -> str:
    """The tenants with the most requests to the API, by tenant and answer (429s: who hits their plan)."""
    if ACCESS_LOG_TENANT not in ACCESS_LOG_FIELDS or "status" not in ACCESS_LOG_FIELDS:
        raise ComponentInputError("the API's access log no longer carries tenantId and status")
    return contributor_rule(
        [log_group],
        [ACCESS_LOG_TENANT, "status"],
        [{"Match": _path(ACCESS_LOG_TENANT), "IsPresent": True}],
    )
