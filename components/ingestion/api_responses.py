"""What `POST /events` answers after Kinesis PutRecord, and the OPTIONS preflight's answer.

Kinesis answers 200, 400 for every refusal it explains (throttling, KMS throttling, validation, KMS
access: the error type is in the JSON body's `__type`) or 5xx. For an AWS integration, API Gateway
selects the integration response by matching the selection pattern against the backend's HTTP status
code, so the status alone cannot separate "retry" from "never retry": the `4\\d{2}` response's template
reads `__type` (and the message) and sets `$context.responseOverride.status` (valid for non-proxy
integrations only, which this is). Clients get:

- 429 throttled (ProvisionedThroughputExceeded, KMS throttling, limits): retry after `Retry-After`;
- 413 the record is over Kinesis' record size limit (1 MiB with its envelope): never retry it;
- 400 any other validation refusal: never retry it unchanged;
- 500 the rest (KMS key disabled or not accessible, stream missing, internal failure): retry later.

Kinesis' error body is never echoed: the body is `{"message": ..., "requestId": ...}`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from components.ingestion.cors import (
    ALLOW_ORIGIN,
    allow_origin_override,
    gateway_response_parameters,
    preflight_headers,
    varying_headers,
)

# Error types Kinesis (and its KMS calls) return when a retry after a pause will succeed.
THROTTLING_ERRORS = (
    "ProvisionedThroughputExceededException",
    "KMSThrottlingException",
    "LimitExceededException",
    "ThrottlingException",
)
# Error types of a request Kinesis will never accept as it is.
VALIDATION_ERRORS = ("ValidationException", "InvalidArgumentException", "SerializationException")
# Kinesis' message when the record (data blob) is over the record size limit, e.g.
# "1 validation error detected: Value '...' at 'data' failed to satisfy constraint: Member must have
# length less than or equal to 1048576".
TOO_LARGE_MARKERS = ("data' failed to satisfy constraint", "length less than or equal to")
RETRY_AFTER_SECONDS = 1  # a shard's write limits are per second

THROTTLED_MESSAGE = "the event stream is busy: retry after a short wait"
TOO_LARGE_MESSAGE = "the event is too large for the event stream (1 MiB with its envelope): do not retry it"
INVALID_MESSAGE = "the event stream refused the event: do not retry it unchanged"
FAILED_MESSAGE = "the event could not be accepted: retry later"

# Statuses POST /events answers from its integration (API Gateway's own come from gateway responses).
POST_STATUSES = ("200", "400", "413", "429", "500")
PREFLIGHT_STATUS = "204"
PREFLIGHT_HEADERS = (ALLOW_ORIGIN, *preflight_headers())
# API Gateway's default gateway response body, kept when a gateway response is customized.
GATEWAY_RESPONSE_TEMPLATE = '{"message":$context.error.messageString}'
# The MOCK integration's request template: the status it "returns", which selects the default response.
PREFLIGHT_REQUEST_TEMPLATE = '{"statusCode": 200}'

REFUSED_SELECTION_PATTERN = r"4\d{2}"
FAILED_SELECTION_PATTERN = r"5\d{2}"


@dataclass(frozen=True)
class IntegrationResponseSpec:
    status: str  # the method response it maps to
    selection_pattern: str | None  # None: the default response
    template: str  # application/json
    headers: dict[str, str] = field(default_factory=dict)  # static header values

    def response_parameters(self) -> dict[str, str]:
        return {f"method.response.header.{name}": f"'{value}'" for name, value in self.headers.items()}


@dataclass(frozen=True)
class GatewayResponseSpec:
    response_type: str
    status: str | None  # None: the type's own status
    parameters: dict[str, str]


def post_headers(origins: Sequence[str]) -> tuple[str, ...]:
    """Headers a POST /events answer may carry: Retry-After, and the CORS ones when CORS is on."""
    return ("Retry-After", ALLOW_ORIGIN, *varying_headers(origins)) if origins else ("Retry-After",)


def gateway_responses(origins: Sequence[str]) -> tuple[GatewayResponseSpec, ...]:
    """API Gateway's own answers, customized: the usage plan's 429 says when to retry, and with CORS
    every 4xx/5xx carries Access-Control-Allow-Origin so browsers can read it. A customized type no
    longer inherits DEFAULT_4XX, so THROTTLED carries the CORS parameters itself."""
    cors = gateway_response_parameters(origins)
    throttled = {"gatewayresponse.header.Retry-After": f"'{RETRY_AFTER_SECONDS}'", **cors}
    responses = [GatewayResponseSpec("THROTTLED", "429", throttled)]
    if cors:
        responses += [GatewayResponseSpec("DEFAULT_4XX", None, cors), GatewayResponseSpec("DEFAULT_5XX", None, cors)]
    return tuple(responses)


def _contains_any(variable: str, needles: Sequence[str]) -> str:
    return " || ".join(f'{variable}.contains("{needle}")' for needle in needles)


def _answer(message: str) -> str:
    """The body of every error answer: a message saying whether to retry, and the request id."""
    return '{"message":"' + message + '","requestId":"$context.requestId"}'


def refused_template() -> str:
    """The `4\\d{2}` template without CORS: Kinesis' error type -> status, hint and message."""
    too_large = " && ".join(f'$detail.contains("{marker}")' for marker in TOO_LARGE_MARKERS)
    return (
        "#set($type = \"$!input.path('$.__type')\")\n"
        "#set($detail = \"$!input.path('$.message')$!input.path('$.Message')\")\n"
        f"#if({_contains_any('$type', THROTTLING_ERRORS)})\n"
        "#set($status = 429)\n"
        f'#set($message = "{THROTTLED_MESSAGE}")\n'
        f'#set($context.responseOverride.header.Retry-After = "{RETRY_AFTER_SECONDS}")\n'
        f"#elseif({_contains_any('$type', VALIDATION_ERRORS)})\n"
        f"#if({too_large})\n"
        "#set($status = 413)\n"
        f'#set($message = "{TOO_LARGE_MESSAGE}")\n'
        "#else\n"
        "#set($status = 400)\n"
        f'#set($message = "{INVALID_MESSAGE}")\n'
        "#end\n"
        "#else\n"
        "#set($status = 500)\n"
        f'#set($message = "{FAILED_MESSAGE}")\n'
        "#end\n"
        "#set($context.responseOverride.status = $status)\n" + _answer("$message")
    )


def put_record_responses(origins: Sequence[str]) -> tuple[IntegrationResponseSpec, ...]:
    """The integration responses of POST /events, CORS included when `origins` are configured."""
    cors, vary = allow_origin_override(origins), varying_headers(origins)
    return (
        IntegrationResponseSpec("200", None, cors + '{"requestId":"$context.requestId"}', vary),
        IntegrationResponseSpec("400", REFUSED_SELECTION_PATTERN, cors + refused_template(), vary),
        IntegrationResponseSpec("500", FAILED_SELECTION_PATTERN, cors + _answer(FAILED_MESSAGE), vary),
    )


def preflight_response(origins: Sequence[str]) -> IntegrationResponseSpec:
    """The OPTIONS /events answer (its MOCK integration's default response)."""
    return IntegrationResponseSpec(PREFLIGHT_STATUS, None, allow_origin_override(origins), preflight_headers())
