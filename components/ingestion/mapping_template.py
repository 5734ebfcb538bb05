"""API Gateway -> Kinesis PutRecord: the request mapping template that writes the Kinesis record.

`tenantId` and `tier` come only from the authorizer's context (`$context.authorizer.*`), and the
partition key is the tenantId from that context: a `tenantId` inside the body stays payload data.
The record is JSON built in a VTL string; `$q` holds a double quote so no quote escaping is needed
(valid in every Velocity version), then `$util.base64Encode` makes the Data blob PutRecord expects.
"""

from __future__ import annotations

import re

from components.errors import ComponentInputError
from functions.contracts.aws import is_region
from functions.contracts.kinesis_record import RECORD_FIELDS

__all__ = ["RECORD_FIELDS"]

REQUEST_CONTENT_TYPE = "application/json"
# PutRecord is a JSON 1.1 AWS API; API Gateway sends the rendered template with this content type.
KINESIS_CONTENT_TYPE = "application/x-amz-json-1.1"

_STREAM_NAME = re.compile(r"^[a-zA-Z0-9_.-]{1,128}$")
_STREAM_PLACEHOLDER = "__STREAM_NAME__"

_PUT_RECORD_TEMPLATE = """\
## The Kinesis record (docs/design.md). tenantId and tier come from the authorizer only; the body is payload.
#set($q = '"')
#set($tenantId = $util.escapeJavaScript($context.authorizer.tenantId))
#set($tier = $util.escapeJavaScript($context.authorizer.tier))
#set($requestId = $context.requestId)
#set($receivedAt = $context.requestTimeEpoch)
#set($payload = $input.json('$'))
#set($record = "{${q}tenantId${q}:${q}$tenantId${q}")
#set($record = "$record,${q}tier${q}:${q}$tier${q}")
#set($record = "$record,${q}requestId${q}:${q}$requestId${q}")
#set($record = "$record,${q}receivedAt${q}:$receivedAt")
#set($record = "$record,${q}payload${q}:$payload}")
{
  "StreamName": "__STREAM_NAME__",
  "PartitionKey": "$tenantId",
  "Data": "$util.base64Encode($record)"
}
"""


def put_record_template(stream_name: str) -> str:
    """The request template for PutRecord on `stream_name`."""
    if not _STREAM_NAME.fullmatch(stream_name):
        raise ComponentInputError(f"not a Kinesis stream name ([a-zA-Z0-9_.-]{{1,128}}): {stream_name!r}")
    return _PUT_RECORD_TEMPLATE.replace(_STREAM_PLACEHOLDER, stream_name)


def put_record_uri(region: str) -> str:
    """The AWS-service integration URI of Kinesis PutRecord in `region`."""
    if not is_region(region):
        raise ComponentInputError(f"not an AWS region: {region!r}")
    return f"arn:aws:apigateway:{region}:kinesis:action/PutRecord"
