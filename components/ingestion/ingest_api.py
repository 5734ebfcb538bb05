"""The ingest API: REST `POST /events`, Cognito-token authorizer, straight into Kinesis PutRecord.

No Lambda sits in the data path: API Gateway validates the body, the authorizer names the tenant,
and an AWS-service integration writes the record (ingestion/mapping_template.py) to the stream.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pulumi
import pulumi_aws as aws

from components.ingestion.access_log import access_log_format
from components.ingestion.api_responses import (
    GATEWAY_RESPONSE_TEMPLATE,
    POST_STATUSES,
    PREFLIGHT_HEADERS,
    PREFLIGHT_REQUEST_TEMPLATE,
    IntegrationResponseSpec,
    gateway_responses,
    post_headers,
    preflight_response,
    put_record_responses,
)
from components.ingestion.api_snapshot import deployment_fingerprint
from components.ingestion.event_model import MODEL_NAME, event_schema_json
from components.ingestion.mapping_template import (
    KINESIS_CONTENT_TYPE,
    REQUEST_CONTENT_TYPE,
    put_record_template,
    put_record_uri,
)
from components.ingestion.policies import (
    API_GATEWAY,
    API_GATEWAY_CLOUDWATCH_POLICY,
    api_gateway_put_record_policy,
    assume_role_policy,
)
from components.ingestion.service_role import declare_service_role
from tiers.naming import Namer, logical

STAGE_NAME = "v1"
EVENTS_PATH = "events"
AUTHORIZER_CACHE_SECONDS = 300  # one verification per token and 5 minutes; tokens live 60 minutes
ACCESS_LOG_RETENTION_DAYS = 90

R = TypeVar("R", bound=pulumi.CustomResource)


class DeploymentSnapshot:
    """Declares the API resources a deployment snapshots and keeps the arguments of each."""

    def __init__(self, parent: pulumi.Resource):
        self.parent = parent
        self.arguments: dict[str, dict[str, Any]] = {}
        self.resources: list[pulumi.Resource] = []

    def declare(
        self, kind: Callable[..., R], logical: str, depends_on: list[pulumi.Resource] | None = None, **arguments: Any
    ) -> R:
        resource = kind(logical, **arguments, opts=pulumi.ResourceOptions(parent=self.parent, depends_on=depends_on))
        self.arguments[logical] = arguments
        self.resources.append(resource)
        return resource

    def fingerprint(self) -> pulumi.Output[str]:
        return pulumi.Output.from_input(self.arguments).apply(deployment_fingerprint)  # type: ignore[arg-type]


@dataclass
class IngestApiArgs:
    namer: Namer
    region: str
    stream_name: pulumi.Input[str]
    stream_arn: pulumi.Input[str]
    stream_key_arn: pulumi.Input[str]
    authorizer_function: aws.lambda_.Function
    tags: Mapping[str, str]
    manage_account_logging: bool = False  # tenant-pipeline:ingest manageApiGatewayAccount
    cors_origins: Sequence[str] = ()  # tenant-pipeline:ingest corsOrigins; empty: no CORS resources
    partition_keys_by_tier: Mapping[str, int] = field(default_factory=dict)  # TierPolicy.partition_keys


class IngestApi(pulumi.ComponentResource):
    rest_api: aws.apigateway.RestApi
    stage: aws.apigateway.Stage
    access_logs: aws.cloudwatch.LogGroup  # the stage's access log: one JSON line per request (access_log.py)
    url: pulumi.Output[str]

    def __init__(self, name: str, args: IngestApiArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:ingestion:IngestApi", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        namer, tags = args.namer, dict(args.tags)

        logging_account = self._logging_account(name, args)
        integration_role = self._integration_role(name, args)

        self.rest_api = aws.apigateway.RestApi(
            name,
            name=namer.physical("api", "ingest"),
            description="Tenant event ingestion: POST /events",
            endpoint_configuration={"types": "REGIONAL"},
            # The authorizer returns the tenant's key (usageIdentifierKey): clients send no x-api-key.
            api_key_source="AUTHORIZER",
            tags=tags,
            opts=child,
        )
        api = self.rest_api.id
        # Every resource a deployment snapshots is declared through `snapshot`, which keeps its arguments.
        snapshot = DeploymentSnapshot(self)
        events = snapshot.declare(
            aws.apigateway.Resource,
            logical(name, "events"),
            rest_api=api,
            parent_id=self.rest_api.root_resource_id,
            path_part=EVENTS_PATH,
        )
        model = snapshot.declare(
            aws.apigateway.Model,
            logical(name, "event-model"),
            rest_api=api,
            name=MODEL_NAME,
            content_type=REQUEST_CONTENT_TYPE,
            schema=event_schema_json(),
        )
        validator = snapshot.declare(
            aws.apigateway.RequestValidator,
            logical(name, "validator"),
            rest_api=api,
            name="body-and-parameters",
            validate_request_body=True,
            validate_request_parameters=True,
        )
        function = args.authorizer_function
        authorizer = snapshot.declare(
            aws.apigateway.Authorizer,
            logical(name, "authorizer"),
            rest_api=api,
            name="cognito-id-token",
            type="TOKEN",
            authorizer_uri=function.invoke_arn,
            identity_source="method.request.header.Authorization",
            authorizer_result_ttl_in_seconds=AUTHORIZER_CACHE_SECONDS,
        )
        aws.lambda_.Permission(
            logical(name, "invoke-authorizer"),
            function=function.name,
            action="lambda:InvokeFunction",
            principal=API_GATEWAY,
            source_arn=pulumi.Output.concat(self.rest_api.execution_arn, "/authorizers/", authorizer.id),
            opts=child,
        )
        method = snapshot.declare(
            aws.apigateway.Method,
            logical(name, "post-events"),
            rest_api=api,
            resource_id=events.id,
            http_method="POST",
            authorization="CUSTOM",
            authorizer_id=authorizer.id,
            api_key_required=True,  # requests count against the tenant's usage plan
            request_validator_id=validator.id,
            request_models={REQUEST_CONTENT_TYPE: model.name},
        )
        integration = snapshot.declare(
            aws.apigateway.Integration,
            logical(name, "put-record"),
            rest_api=api,
            resource_id=events.id,
            http_method=method.http_method,
            type="AWS",
            integration_http_method="POST",
            uri=put_record_uri(args.region),
            credentials=integration_role.arn,
            passthrough_behavior="NEVER",  # only application/json, through the template
            request_parameters={"integration.request.header.Content-Type": f"'{KINESIS_CONTENT_TYPE}'"},
            request_templates={
                REQUEST_CONTENT_TYPE: pulumi.Output.from_input(args.stream_name).apply(
                    lambda stream: put_record_template(stream, args.partition_keys_by_tier)
                )
            },
        )
        # Kinesis' answer -> the tenant's: 429 / 413 / 400 / 500 chosen from its error type (api_responses.py).
        for status in POST_STATUSES:
            snapshot.declare(
                aws.apigateway.MethodResponse,
                logical(name, "response", status),
                rest_api=api,
                resource_id=events.id,
                http_method=method.http_method,
                status_code=status,
                response_models={REQUEST_CONTENT_TYPE: "Empty"},
                response_parameters={f"method.response.header.{h}": False for h in post_headers(args.cors_origins)},
            )
        for response in put_record_responses(args.cors_origins):
            self._integration_response(
                snapshot,
                logical(name, "integration-response", response.status),
                response,
                api=api,
                resource=events,
                method=method,
                integration=integration,
            )
        if args.cors_origins:
            self._preflight(name, snapshot, api, events, args.cors_origins)
        for gateway in gateway_responses(args.cors_origins):
            snapshot.declare(
                aws.apigateway.Response,
                logical(name, "gateway-response", gateway.response_type.lower().replace("_", "-")),
                rest_api_id=api,
                response_type=gateway.response_type,
                status_code=gateway.status,
                response_parameters=gateway.parameters,
                response_templates={REQUEST_CONTENT_TYPE: GATEWAY_RESPONSE_TEMPLATE},
            )

        deployment = aws.apigateway.Deployment(
            logical(name, "deployment"),
            rest_api=api,
            description="POST /events",
            triggers={"redeployment": snapshot.fingerprint()},
            opts=pulumi.ResourceOptions(parent=self, depends_on=snapshot.resources),
        )
        self.access_logs = access_logs = aws.cloudwatch.LogGroup(
            logical(name, "access-logs"),
            name=namer.log_group("apigateway", "ingest-access"),
            retention_in_days=ACCESS_LOG_RETENTION_DAYS,
            tags=tags,
            opts=child,
        )
        self.stage = aws.apigateway.Stage(
            logical(name, "stage"),
            rest_api=api,
            deployment=deployment.id,
            stage_name=STAGE_NAME,
            access_log_settings={"destination_arn": access_logs.arn, "format": access_log_format()},
            tags=tags,
            # Access logging needs the region's CloudWatch role in place first (ours, or one set before).
            opts=pulumi.ResourceOptions(parent=self, depends_on=logging_account),
        )
        self.url = pulumi.Output.concat(self.stage.invoke_url, "/", EVENTS_PATH)
        self.register_outputs({"url": self.url, "restApiId": api, "stage": self.stage.stage_name})

    @staticmethod
    def _integration_response(
        snapshot: DeploymentSnapshot,
        logical_name: str,
        response: IntegrationResponseSpec,
        *,
        api: pulumi.Input[str],
        resource: aws.apigateway.Resource,
        method: aws.apigateway.Method,
        integration: aws.apigateway.Integration,
    ) -> None:
        snapshot.declare(
            aws.apigateway.IntegrationResponse,
            logical_name,
            depends_on=[integration],
            rest_api=api,
            resource_id=resource.id,
            http_method=method.http_method,
            status_code=response.status,
            selection_pattern=response.selection_pattern,
            response_parameters=response.response_parameters() or None,
            response_templates={REQUEST_CONTENT_TYPE: response.template},
        )

    def _preflight(
        self,
        name: str,
        snapshot: DeploymentSnapshot,
        api: pulumi.Input[str],
        events: aws.apigateway.Resource,
        origins: Sequence[str],
    ) -> None:
        """OPTIONS /events for browsers' CORS preflight: a MOCK integration, no authorizer, no API key."""
        options = snapshot.declare(
            aws.apigateway.Method,
            logical(name, "options-events"),
            rest_api=api,
            resource_id=events.id,
            http_method="OPTIONS",
            authorization="NONE",
        )
        mock = snapshot.declare(
            aws.apigateway.Integration,
            logical(name, "preflight"),
            rest_api=api,
            resource_id=events.id,
            http_method=options.http_method,
            type="MOCK",
            request_templates={REQUEST_CONTENT_TYPE: PREFLIGHT_REQUEST_TEMPLATE},
        )
        response = preflight_response(origins)
        snapshot.declare(
            aws.apigateway.MethodResponse,
            logical(name, "preflight-response", response.status),
            rest_api=api,
            resource_id=events.id,
            http_method=options.http_method,
            status_code=response.status,
            response_parameters={f"method.response.header.{h}": False for h in PREFLIGHT_HEADERS},
        )
        self._integration_response(
            snapshot,
            logical(name, "preflight-integration-response", response.status),
            response,
            api=api,
            resource=events,
            method=options,
            integration=mock,
        )

    def _integration_role(self, name: str, args: IngestApiArgs) -> aws.iam.Role:
        """The role API Gateway assumes to call PutRecord (the integration's credentials)."""
        return declare_service_role(
            logical(name, "kinesis"),
            name=args.namer.physical("iam-role", "api-put-record"),
            description="API Gateway integration: PutRecord on the event stream",
            trust_policy=json.dumps(assume_role_policy(API_GATEWAY)),
            policy=pulumi.Output.all(args.stream_arn, args.stream_key_arn).apply(
                lambda arns: json.dumps(api_gateway_put_record_policy(arns[0], arns[1]))
            ),
            tags=args.tags,
            parent=self,
        ).role

    def _logging_account(self, name: str, args: IngestApiArgs) -> list[pulumi.Resource]:
        """The region's API Gateway CloudWatch role, if this stack is the one that manages it.

        It is one setting per account and region, shared by every REST API there: so it is opt-in
        (`tenant-pipeline:ingest: manageApiGatewayAccount: true`), uses the AWS-managed policy that
        lets API Gateway write any API's logs, and is retained when the stack is destroyed, so other
        APIs keep logging. Otherwise the setting must already name such a role (README).
        """
        if not args.manage_account_logging:
            return []
        retained = pulumi.ResourceOptions(parent=self, retain_on_delete=True)
        role = aws.iam.Role(
            logical(name, "logging-role"),
            name=args.namer.physical("iam-role", "apigateway-logs"),
            description="API Gateway account setting: push every REST API's logs to CloudWatch Logs",
            assume_role_policy=json.dumps(assume_role_policy(API_GATEWAY)),
            tags=dict(args.tags),
            opts=retained,
        )
        attachment = aws.iam.RolePolicyAttachment(
            logical(name, "logging-policy"),
            role=role.name,
            policy_arn=API_GATEWAY_CLOUDWATCH_POLICY,
            opts=retained,
        )
        account = aws.apigateway.Account(
            logical(name, "account-logging"),
            cloudwatch_role_arn=role.arn,
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True, depends_on=[attachment]),
        )
        return [account]
