"""What the sandbox brings up, read from the program's own declaration (the same run as `make plan`).

Nothing here is configured twice: names, templates, limits, prefixes, policies and table schemas all
come from the resources the Pulumi program declares for the stack, so the sandbox runs what `pulumi up`
would create.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from functions.contracts.directory import TenantRecord
from functions.dal.directory import TenantDirectory
from local.errors import DeclarationError
from local.program import Declaration, DeclaredResource
from local.sandbox.front_door import GatewayResponse, IntegrationResponse, static_headers
from local.sandbox.throttle import UsagePlanLimits

# Pulumi marks secret values with this signature key when they cross the RPC boundary.
_SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"


def plain(value: Any) -> Any:
    """A declared value with Pulumi's secret wrapper taken off."""
    if isinstance(value, dict) and _SECRET_SIGNATURE in value:
        return value["value"]
    return value


@dataclass(frozen=True)
class DeliveryStream:
    name: str
    prefix: str
    error_prefix: str
    metadata_query: str | None  # the JQ query of dynamic partitioning, if enabled
    append_newline: bool
    compression: str = "UNCOMPRESSED"  # the declared compression_format: UNCOMPRESSED or GZIP


@dataclass(frozen=True)
class DeclaredRole:
    name: str
    path: str
    trust_policy: str
    policies: dict[str, str]  # inline policy name -> document


@dataclass(frozen=True)
class DeclaredTable:
    keyspace: str
    name: str
    schema: dict[str, Any]  # aws:keyspaces/table schemaDefinition


@dataclass(frozen=True)
class DeclaredStack:
    region: str
    directory: TenantDirectory  # the `tenants` output, read as the DAL reads it
    user_pool: dict[str, Any]
    app_client: dict[str, Any]
    stream_name: str
    stream_mode: str  # ON_DEMAND or PROVISIONED
    stream_shards: int  # PROVISIONED only
    bucket: str
    directory_bucket: str  # the published tenant directory: its bucket, prefix, and each slice as declared
    directory_prefix: str
    directory_slices: dict[str, str]  # object key -> the directory document it holds (a cell's, or the platform's)
    mapping_template: str
    request_schema: dict[str, Any]
    responses: tuple[IntegrationResponse, ...]  # POST /events' integration responses
    preflight_response: IntegrationResponse | None  # OPTIONS /events' (None: no CORS)
    gateway_responses: dict[str, GatewayResponse]  # by response type
    api_keys: dict[str, str]  # tenant id -> its API key value
    limits_by_key: dict[str, UsagePlanLimits]  # API key value -> its usage plan's limits
    api_key_secret_parameter: str
    api_key_secret: str
    event_streams: tuple[DeliveryStream, ...]  # the enriched events' delivery streams, by routing index
    rejects: DeliveryStream
    tenant_roles: list[DeclaredRole]
    keyspaces: list[str]
    tables: list[DeclaredTable]
    flink_properties: dict[str, dict[str, str]]  # the Flink application's property groups, by id

    @property
    def tenants(self) -> list[TenantRecord]:
        return self.directory.records()


def _only(declaration: Declaration, type_: str, name_suffix: str = "") -> DeclaredResource:
    matches = [r for r in declaration.of_type(type_) if r.name.endswith(name_suffix)]
    if len(matches) != 1:
        raise DeclarationError(f"expected one {type_} named *{name_suffix}, the stack declares {len(matches)}")
    return matches[0]


def _delivery_stream(resource: DeclaredResource) -> DeliveryStream:
    s3 = resource.inputs["extendedS3Configuration"]
    processors = (s3.get("processingConfiguration") or {}).get("processors") or []
    query = None
    for processor in processors:
        if processor["type"] == "MetadataExtraction":
            parameters = {p["parameterName"]: p["parameterValue"] for p in processor.get("parameters", [])}
            query = parameters["MetadataExtractionQuery"]
    if (s3.get("dynamicPartitioningConfiguration") or {}).get("enabled") and query is None:
        raise DeclarationError(f"{resource.inputs['name']}: dynamic partitioning without a metadata query")
    return DeliveryStream(
        name=resource.inputs["name"],
        prefix=s3.get("prefix", ""),
        error_prefix=s3.get("errorOutputPrefix", ""),
        metadata_query=query,
        append_newline=any(p["type"] == "AppendDelimiterToRecord" for p in processors),
        compression=s3.get("compressionFormat", "UNCOMPRESSED"),
    )


def _integration_responses(declaration: Declaration, method: DeclaredResource) -> tuple[IntegrationResponse, ...]:
    """The integration responses declared on `method` (matched by resource and HTTP method)."""
    inputs = method.inputs
    return tuple(
        IntegrationResponse(
            status=r.inputs["statusCode"],
            selection_pattern=r.inputs.get("selectionPattern") or None,
            template=r.inputs["responseTemplates"]["application/json"],
            headers=static_headers(r.inputs.get("responseParameters")),
        )
        for r in declaration.of_type("aws:apigateway/integrationResponse:IntegrationResponse")
        if (r.inputs["resourceId"], r.inputs["httpMethod"]) == (inputs["resourceId"], inputs["httpMethod"])
    )


def _gateway_responses(declaration: Declaration) -> dict[str, GatewayResponse]:
    return {
        r.inputs["responseType"]: GatewayResponse(
            status=r.inputs.get("statusCode") or None,
            headers={
                key.removeprefix("gatewayresponse.header."): value
                for key, value in (r.inputs.get("responseParameters") or {}).items()
            },
        )
        for r in declaration.of_type("aws:apigateway/response:Response")
    }


def _usage_limits(declaration: Declaration) -> dict[str, UsagePlanLimits]:
    """API key value -> the limits of the usage plan its UsagePlanKey attaches it to."""
    keys = {r.id: plain(r.inputs["value"]) for r in declaration.of_type("aws:apigateway/apiKey:ApiKey")}
    plans = {}
    for plan in declaration.of_type("aws:apigateway/usagePlan:UsagePlan"):
        throttle, quota = plan.inputs["throttleSettings"], plan.inputs["quotaSettings"]
        if quota["period"] != "DAY":
            raise DeclarationError(f"usage plan {plan.inputs['name']}: the sandbox knows daily quotas only")
        plans[plan.id] = UsagePlanLimits(
            rate_limit=float(throttle["rateLimit"]),
            burst_limit=int(throttle["burstLimit"]),
            quota_per_day=int(quota["limit"]),
        )
    return {
        keys[link.inputs["keyId"]]: plans[link.inputs["usagePlanId"]]
        for link in declaration.of_type("aws:apigateway/usagePlanKey:UsagePlanKey")
    }


def _tenant_roles(declaration: Declaration, tenants: list[TenantRecord]) -> list[DeclaredRole]:
    arns = {t.role_arn for t in tenants if t.role_arn}
    policies: dict[str, dict[str, str]] = {}
    for policy in declaration.of_type("aws:iam/rolePolicy:RolePolicy"):
        policies.setdefault(policy.inputs["role"], {})[policy.inputs.get("name", policy.name)] = policy.inputs["policy"]
    roles = []
    for role in declaration.of_type("aws:iam/role:Role"):
        if role.outputs.get("arn") in arns:
            name = role.inputs["name"]
            roles.append(DeclaredRole(name, role.inputs["path"], role.inputs["assumeRolePolicy"], policies[name]))
    return roles


def read_declaration(declaration: Declaration, region: str) -> DeclaredStack:
    outputs = declaration.outputs
    directory = TenantDirectory.from_mapping(outputs["tenants"])
    tenants = directory.records()
    api_keys = {
        r.inputs["tags"]["TenantId"]: plain(r.inputs["value"])
        for r in declaration.of_type("aws:apigateway/apiKey:ApiKey")
    }
    secret = _only(declaration, "aws:ssm/parameter:Parameter", "api-key-secret")
    integration = _only(declaration, "aws:apigateway/integration:Integration", "put-record")
    methods = {m.inputs["httpMethod"]: m for m in declaration.of_type("aws:apigateway/method:Method")}
    preflight = _integration_responses(declaration, methods["OPTIONS"]) if "OPTIONS" in methods else ()
    if len(preflight) > 1:
        raise DeclarationError(
            f"OPTIONS /events declares {len(preflight)} integration responses, the sandbox knows one"
        )
    stream = _only(declaration, "aws:kinesis/stream:Stream")
    model = _only(declaration, "aws:apigateway/model:Model")
    application = _only(declaration, "aws:kinesisanalyticsv2/application:Application")
    groups = application.inputs["applicationConfiguration"]["environmentProperties"]["propertyGroups"]
    streams = {
        r.inputs["name"]: r for r in declaration.of_type("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream")
    }
    return DeclaredStack(
        region=region,
        directory=directory,
        user_pool=_only(declaration, "aws:cognito/userPool:UserPool").inputs,
        app_client=_only(declaration, "aws:cognito/userPoolClient:UserPoolClient").inputs,
        stream_name=outputs["eventStream"],
        stream_mode=stream.inputs["streamModeDetails"]["streamMode"],
        stream_shards=int(stream.inputs.get("shardCount") or 0),
        bucket=outputs["ingestBucket"],
        directory_bucket=outputs["directoryBucket"],
        directory_prefix=outputs["directoryPrefix"],
        directory_slices={
            r.inputs["key"]: r.inputs["content"]
            for r in declaration.of_type("aws:s3/bucketObjectv2:BucketObjectv2")
            if r.inputs["key"].startswith(outputs["directoryPrefix"])
        },
        mapping_template=integration.inputs["requestTemplates"]["application/json"],
        request_schema=json.loads(model.inputs["schema"]),
        responses=_integration_responses(declaration, methods["POST"]),
        preflight_response=preflight[0] if preflight else None,
        gateway_responses=_gateway_responses(declaration),
        api_keys=api_keys,
        limits_by_key=_usage_limits(declaration),
        api_key_secret_parameter=secret.inputs["name"],
        api_key_secret=plain(secret.inputs["value"]),
        event_streams=tuple(_delivery_stream(streams[name]) for name in outputs["eventsDeliveryStreams"]),
        rejects=_delivery_stream(streams[outputs["rejectsDeliveryStream"]]),
        tenant_roles=_tenant_roles(declaration, tenants),
        keyspaces=[r.inputs["name"] for r in declaration.of_type("aws:keyspaces/keyspace:Keyspace")],
        tables=[
            DeclaredTable(r.inputs["keyspaceName"], r.inputs["tableName"], r.inputs["schemaDefinition"])
            for r in declaration.of_type("aws:keyspaces/table:Table")
        ],
        flink_properties={g["propertyGroupId"]: dict(g["propertyMap"]) for g in groups},
    )
