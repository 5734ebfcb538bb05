"""The authorizer's decision records, as its JSON log (CloudWatch Logs) carries them and as the program's
Contributor Insights rule reads them (components/operations/contributor_insights.py).

One record per decision: `{"message": "allowed", "tenantId", "tier", ...}` or `{"message": "refused", "reason",
"tenantId" (only when a verified token named the tenant), ...}`; Powertools adds its own keys (level, timestamp,
function_request_id, ...). API Gateway caches a decision per token (the authorizer's TTL), so these count
authorizations, not requests: the API's access log counts requests.
"""

from __future__ import annotations

ALLOWED = "allowed"
REFUSED = "refused"
DECISIONS = (ALLOWED, REFUSED)
MESSAGE_FIELD = "message"
TENANT_FIELD = "tenantId"
TIER_FIELD = "tier"
REASON_FIELD = "reason"
