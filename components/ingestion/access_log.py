"""The API stage's access log line: who called, as which tenant, and what came of it (JSON, one line)."""

from __future__ import annotations

import json

ACCESS_LOG_FIELDS: dict[str, str] = {
    "requestId": "$context.requestId",
    "requestTime": "$context.requestTimeEpoch",
    "sourceIp": "$context.identity.sourceIp",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "tenantId": "$context.authorizer.tenantId",
    "tier": "$context.authorizer.tier",
    "authorizerError": "$context.authorizer.error",
    "integrationStatus": "$context.integration.status",
    "integrationError": "$context.integration.error",
    "integrationLatency": "$context.integration.latency",
}


def access_log_format() -> str:
    return json.dumps(ACCESS_LOG_FIELDS, separators=(",", ":"))
