"""What the mocked cloud answers: ids and ARNs in AWS's real formats, so policies can be checked."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

ACCOUNT_ID = "123456789012"
PARTITION = "aws"


def _suffix(name: str, length: int = 7) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:length]


def physical_name(logical: str, inputs: dict[str, Any], key: str = "name") -> str:
    """Pulumi auto-naming: the explicit name if one was given, else the logical name plus a suffix."""
    explicit = inputs.get(key)
    return str(explicit) if explicit else f"{logical}-{_suffix(logical)}"


Synth = Callable[[str, dict[str, Any], str], tuple[str, dict[str, Any]]]


def _arn(service: str, region: str, resource: str, *, regional: bool = True, account: bool = True) -> str:
    return f"arn:{PARTITION}:{service}:{region if regional else ''}:{ACCOUNT_ID if account else ''}:{resource}"


def _bucket(logical: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    name = physical_name(logical, inputs, "bucket").lower()
    return name, {
        "bucket": name,
        "arn": _arn("s3", region, name, regional=False, account=False),
        "bucketDomainName": f"{name}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{name}.s3.{region}.amazonaws.com",
        "region": region,
    }


def _named(service: str, pattern: str, key: str = "name") -> Synth:
    def synth(logical: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        name = physical_name(logical, inputs, key)
        regional = service not in ("iam",)
        return name, {key: name, "arn": _arn(service, region, pattern.format(name=name), regional=regional)}

    return synth


def _role(logical: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    name = physical_name(logical, inputs)
    return name, {
        "name": name,
        "arn": _arn("iam", region, f"role{inputs.get('path') or '/'}{name}", regional=False),
        "uniqueId": "AROA" + _suffix(name, 16).upper(),
    }


def _function(logical: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    name = physical_name(logical, inputs)
    arn = _arn("lambda", region, f"function:{name}")
    invoke = f"arn:{PARTITION}:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations"
    return name, {"name": name, "arn": arn, "invokeArn": invoke, "qualifiedArn": f"{arn}:$LATEST"}


def _keyspace(logical: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    name = physical_name(logical, inputs)
    return name, {"name": name, "arn": _arn("cassandra", region, f"/keyspace/{name}/")}


def _table(logical: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    keyspace, table = inputs.get("keyspaceName", "keyspace"), inputs.get("tableName", logical)
    return f"{keyspace}/{table}", {"arn": _arn("cassandra", region, f"/keyspace/{keyspace}/table/{table}")}


def _user_pool(logical: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    pool_id = f"{region}_{_suffix(logical, 9)}"
    return pool_id, {
        "arn": _arn("cognito-idp", region, f"userpool/{pool_id}"),
        "endpoint": f"cognito-idp.{region}.amazonaws.com/{pool_id}",
    }


def _rest_api(logical: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    api_id = _suffix(logical, 10)
    return api_id, {
        "rootResourceId": _suffix(logical + "/", 10),
        "executionArn": _arn("execute-api", region, api_id),
        "arn": f"arn:{PARTITION}:apigateway:{region}::/restapis/{api_id}",
    }


def _kms_key(logical: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    key_id = f"{_suffix(logical, 8)}-0000-4000-8000-{_suffix(logical + 'k', 12)}"
    return key_id, {"keyId": key_id, "arn": _arn("kms", region, f"key/{key_id}")}


def _api_key(logical: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    key_id = _suffix(logical, 10)
    return key_id, {"name": physical_name(logical, inputs), "value": inputs.get("value") or _suffix(logical + "v", 40)}


SYNTHS: dict[str, Synth] = {
    "aws:s3/bucket:Bucket": _bucket,
    "aws:iam/role:Role": _role,
    "aws:iam/policy:Policy": _named("iam", "policy/{name}"),
    "aws:kinesis/stream:Stream": _named("kinesis", "stream/{name}"),
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": _named("firehose", "deliverystream/{name}"),
    "aws:kinesisanalyticsv2/application:Application": _named("kinesisanalytics", "application/{name}"),
    "aws:cloudwatch/logGroup:LogGroup": _named("logs", "log-group:{name}"),
    "aws:ssm/parameter:Parameter": _named("ssm", "parameter/{name}"),
    "aws:lambda/function:Function": _function,
    "aws:keyspaces/keyspace:Keyspace": _keyspace,
    "aws:keyspaces/table:Table": _table,
    "aws:cognito/userPool:UserPool": _user_pool,
    "aws:apigateway/restApi:RestApi": _rest_api,
    "aws:apigateway/apiKey:ApiKey": _api_key,
    "aws:kms/key:Key": _kms_key,
}


def new_resource(type_: str, logical: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    synth = SYNTHS.get(type_)
    if synth is None:
        return f"{logical}-id", dict(inputs)
    resource_id, outputs = synth(logical, inputs, region)
    return resource_id, {**inputs, **outputs}


def call(token: str, args: dict[str, Any], region: str) -> dict[str, Any]:
    """Data sources (invokes) the program may use."""
    if token == "aws:index/getCallerIdentity:getCallerIdentity":
        return {
            "accountId": ACCOUNT_ID,
            "arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:user/offline",
            "userId": "AIDAOFFLINE",
            "id": ACCOUNT_ID,
        }
    if token == "aws:index/getRegion:getRegion":
        return {"name": region, "region": region, "id": region, "endpoint": f"ec2.{region}.amazonaws.com"}
    if token == "aws:index/getPartition:getPartition":
        return {"partition": PARTITION, "dnsSuffix": "amazonaws.com", "id": PARTITION}
    return dict(args)


# --- ingestion pipeline -------------------------------------------------------------------------


def _log_stream(logical: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    name = physical_name(logical, inputs)
    group = inputs.get("logGroupName", "log-group")
    return name, {"name": name, "arn": _arn("logs", region, f"log-group:{group}:log-stream:{name}")}


def _user_pool_client(logical: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    client_id = _suffix(logical, 26)  # app client ids are 26 lowercase alphanumerics
    return client_id, {"id": client_id, "name": physical_name(logical, inputs)}


def _stage(logical: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    api_id, stage = inputs.get("restApi", "api"), inputs.get("stageName", logical)
    return f"ags-{api_id}-{stage}", {
        "invokeUrl": f"https://{api_id}.execute-api.{region}.amazonaws.com/{stage}",
        "executionArn": _arn("execute-api", region, f"{api_id}/{stage}"),
        "arn": f"arn:{PARTITION}:apigateway:{region}::/restapis/{api_id}/stages/{stage}",
    }


def _api_id(logical: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    resource_id = _suffix(logical, 6)
    return resource_id, {"id": resource_id}


def _usage_plan(logical: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    plan_id = _suffix(logical, 6)
    return plan_id, {"id": plan_id, "arn": f"arn:{PARTITION}:apigateway:{region}::/usageplans/{plan_id}"}


def _random_password(logical: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    length = int(inputs.get("length", 32))
    result = (_suffix(logical + "secret", 64) * 2)[:length]
    return "none", {"result": result, "bcryptHash": f"$2a$10${_suffix(result, 53)}"}


def _bucket_object(logical: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    key = str(inputs.get("key", logical))
    return key, {"key": key, "versionId": _suffix(logical + "version", 32), "etag": _suffix(key, 32)}


SYNTHS.update(
    {
        "aws:cloudwatch/logStream:LogStream": _log_stream,
        "aws:cognito/userPoolClient:UserPoolClient": _user_pool_client,
        "aws:apigateway/stage:Stage": _stage,
        "aws:apigateway/authorizer:Authorizer": _api_id,
        "aws:apigateway/resource:Resource": _api_id,
        "aws:apigateway/requestValidator:RequestValidator": _api_id,
        "aws:apigateway/deployment:Deployment": _api_id,
        "aws:apigateway/usagePlan:UsagePlan": _usage_plan,
        "aws:s3/bucketObjectv2:BucketObjectv2": _bucket_object,
        "random:index/randomPassword:RandomPassword": _random_password,
    }
)


# --- operations -----------------------------------------------------------------------------------


def _topic(logical: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    name = physical_name(logical, inputs)
    arn = _arn("sns", region, name)
    return arn, {"name": name, "arn": arn}  # a topic's id is its ARN


def _dashboard(logical: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    name = physical_name(logical, inputs, "dashboardName")
    return name, {"dashboardName": name, "dashboardArn": f"arn:{PARTITION}:cloudwatch::{ACCOUNT_ID}:dashboard/{name}"}


SYNTHS.update(
    {
        "aws:sns/topic:Topic": _topic,
        "aws:cloudwatch/metricAlarm:MetricAlarm": _named("cloudwatch", "alarm:{name}"),
        "aws:cloudwatch/dashboard:Dashboard": _dashboard,
        "aws:cloudwatch/contributorInsightRule:ContributorInsightRule": _named(
            "cloudwatch", "insight-rule/{name}", key="ruleName"
        ),
    }
)
