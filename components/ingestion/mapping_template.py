"""API Gateway -> Kinesis PutRecord: the request mapping template that writes the Kinesis record.

`tenantId` and `tier` come only from the authorizer's context (`$context.authorizer.*`): a `tenantId`
inside the body stays payload data. The partition key is that tenantId for a tier whose spread is 1
(one shard per tenant, today's ordering), and `<tenantId>#<n>` with n in 0..spread-1 otherwise, so one
busy tenant is not pinned to one shard's 1 MiB/s and 1,000 records/s. Nothing downstream reads the
partition key (Flink and Firehose read the record's `tenantId`). The template is per API, so the
spread of every tier is written into its text (`#if($tier == ...)`).

n comes from the last two hex digits of `$context.requestId` (a random UUID): 0..255, deterministic
for one request, then `% spread`. Only `substring`, `indexOf` and integer `*`, `+`, `%` are used:
Java String methods Velocity calls in API Gateway, and methods the sandbox's airspeed renderer has
(no `hashCode`, no `toLowerCase` there), so both render the same key.
The record is JSON built in a VTL string; `$q` holds a double quote so no quote escaping is needed
(valid in every Velocity version), then `$util.base64Encode` makes the Data blob PutRecord expects.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from components.errors import ComponentInputError
from functions.contracts.aws import is_region
from functions.contracts.kinesis_record import RECORD_FIELDS
from functions.contracts.tiers import TIER_NAME_RULE, is_tier_name
from tiers.policy import MAX_PARTITION_KEYS

__all__ = ["RECORD_FIELDS"]

REQUEST_CONTENT_TYPE = "application/json"
# PutRecord is a JSON 1.1 AWS API; API Gateway sends the rendered template with this content type.
KINESIS_CONTENT_TYPE = "application/x-amz-json-1.1"

_STREAM_NAME = re.compile(r"^[a-zA-Z0-9_.-]{1,128}$")
_STREAM_PLACEHOLDER = "__STREAM_NAME__"
_SPREAD_PLACEHOLDER = "__SPREAD_BY_TIER__\n"

_PUT_RECORD_TEMPLATE = """\
## The Kinesis record (docs/design.md). tenantId and tier come from the authorizer only; the body is payload.
#set($q = '"')
#set($tenantId = $util.escapeJavaScript($context.authorizer.tenantId))
#set($tier = $util.escapeJavaScript($context.authorizer.tier))
#set($requestId = $context.requestId)
#set($receivedAt = $context.requestTimeEpoch)
#set($payload = $input.json('$'))
#set($spread = 1)
__SPREAD_BY_TIER__
#if($spread == 1)
#set($partitionKey = $tenantId)
#else
## Both cases of each hex digit, so indexOf(...) % 16 is the digit's value whatever its case.
#set($hex = '0123456789abcdef0123456789ABCDEF')
#set($high = $hex.indexOf($requestId.substring(34, 35)) % 16)
#set($low = $hex.indexOf($requestId.substring(35, 36)) % 16)
#set($slot = ($high * 16 + $low) % $spread)
#set($sep = '#')
#set($partitionKey = "${tenantId}${sep}${slot}")
#end
#set($record = "{${q}tenantId${q}:${q}$tenantId${q}")
#set($record = "$record,${q}tier${q}:${q}$tier${q}")
#set($record = "$record,${q}requestId${q}:${q}$requestId${q}")
#set($record = "$record,${q}receivedAt${q}:$receivedAt")
#set($record = "$record,${q}payload${q}:$payload}")
{
  "StreamName": "__STREAM_NAME__",
  "PartitionKey": "$partitionKey",
  "Data": "$util.base64Encode($record)"
}
"""


def put_record_template(stream_name: str, spread_by_tier: Mapping[str, int] | None = None) -> str:
    """The request template for PutRecord on `stream_name`; each tier's records spread over its partition keys."""
    if not _STREAM_NAME.fullmatch(stream_name):
        raise ComponentInputError(f"not a Kinesis stream name ([a-zA-Z0-9_.-]{{1,128}}): {stream_name!r}")
    lines = []
    for tier, spread in sorted((spread_by_tier or {}).items()):
        if not is_tier_name(tier):
            raise ComponentInputError(f"not a tier name ({TIER_NAME_RULE}): {tier!r}")
        if isinstance(spread, bool) or not isinstance(spread, int) or not 1 <= spread <= MAX_PARTITION_KEYS:
            raise ComponentInputError(
                f"tier '{tier}': partition keys must be a whole number 1..{MAX_PARTITION_KEYS}, got {spread!r}"
            )
        if spread > 1:
            lines.append(f'#if($context.authorizer.tier == "{tier}")#set($spread = {spread})#end\n')
    return _PUT_RECORD_TEMPLATE.replace(_STREAM_PLACEHOLDER, stream_name).replace(_SPREAD_PLACEHOLDER, "".join(lines))


def put_record_uri(region: str) -> str:
    """The AWS-service integration URI of Kinesis PutRecord in `region`."""
    if not is_region(region):
        raise ComponentInputError(f"not an AWS region: {region!r}")
    return f"arn:aws:apigateway:{region}:kinesis:action/PutRecord"
