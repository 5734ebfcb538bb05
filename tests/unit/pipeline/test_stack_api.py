"""The ingest API as declared: authorizer, validation, Kinesis integration, usage plans and keys."""

from __future__ import annotations

import json

from components.ingestion.event_model import EVENT_SCHEMA
from components.ingestion.mapping_template import put_record_template
from functions.contracts.api_keys import tenant_api_key
from functions.contracts.cells import DIRECTORY_PREFIX
from functions.contracts.lambda_runtime import LAMBDA_RUNTIME
from local.fake_cloud import ACCOUNT_ID
from tests.support.declared import run
from tiers.naming import Namer

APIGW = "aws:apigateway"


def test_post_events_requires_the_token_authorizer_a_valid_body_and_an_api_key(dev):
    method = dev.one(f"{APIGW}/method:Method", "post-events")
    authorizer = dev.one(f"{APIGW}/authorizer:Authorizer")
    validator = dev.one(f"{APIGW}/requestValidator:RequestValidator")
    model = dev.one(f"{APIGW}/model:Model")
    assert dev.one(f"{APIGW}/resource:Resource").inputs["pathPart"] == "events"
    assert method.inputs["httpMethod"] == "POST"
    assert method.inputs["authorization"] == "CUSTOM"
    assert method.inputs["authorizerId"] == authorizer.outputs["id"]
    assert method.inputs["apiKeyRequired"] is True
    assert method.inputs["requestValidatorId"] == validator.outputs["id"]
    assert validator.inputs["validateRequestBody"] is True
    assert method.inputs["requestModels"] == {"application/json": model.inputs["name"]}
    assert json.loads(model.inputs["schema"]) == EVENT_SCHEMA


def test_authorizer_is_a_token_authorizer_on_the_lambda_with_its_invoke_permission(dev):
    authorizer = dev.one(f"{APIGW}/authorizer:Authorizer")
    function = dev.one("aws:lambda/function:Function")
    api = dev.one(f"{APIGW}/restApi:RestApi")
    assert authorizer.inputs["type"] == "TOKEN"
    assert authorizer.inputs["identitySource"] == "method.request.header.Authorization"
    assert authorizer.inputs["authorizerUri"] == function.outputs["invokeArn"]
    permission = dev.one("aws:lambda/permission:Permission")
    assert permission.inputs["function"] == function.outputs["name"]
    assert permission.inputs["principal"] == "apigateway.amazonaws.com"
    assert permission.inputs["sourceArn"] == f"{api.outputs['executionArn']}/authorizers/{authorizer.outputs['id']}"


def test_api_keys_are_selected_by_the_authorizer(dev):
    assert dev.one(f"{APIGW}/restApi:RestApi").inputs["apiKeySource"] == "AUTHORIZER"


def test_authorizer_lambda_environment_and_package(dev):
    function = dev.one("aws:lambda/function:Function")
    pool = dev.one("aws:cognito/userPool:UserPool")
    client = dev.one("aws:cognito/userPoolClient:UserPoolClient")
    parameter = dev.one("aws:ssm/parameter:Parameter")
    directory_bucket = dev.one("aws:s3/bucket:Bucket", "tenant-directory")
    assert function.inputs["environment"]["variables"] == {
        "USER_POOL_ID": pool.id,
        "APP_CLIENT_IDS": client.outputs["id"],
        "API_KEY_SECRET_PARAMETER": parameter.inputs["name"],
        "TENANT_DIRECTORY_BUCKET": directory_bucket.inputs["bucket"],
        "TENANT_DIRECTORY_PREFIX": DIRECTORY_PREFIX,
    }
    assert function.inputs["handler"] == "functions.authorizer.handler.handler"
    assert function.inputs["runtime"] == LAMBDA_RUNTIME  # what .venv-authorizer runs the authorizer's tests on
    assert function.inputs["code"].path == "build/authorizer"


def test_integration_writes_the_design_record_to_the_declared_stream(dev):
    integration = dev.one(f"{APIGW}/integration:Integration", "put-record")
    stream = dev.one("aws:kinesis/stream:Stream")
    role = dev.one("aws:iam/role:Role", "api-kinesis-role")
    assert integration.inputs["type"] == "AWS"
    assert integration.inputs["integrationHttpMethod"] == "POST"
    assert integration.inputs["uri"] == "arn:aws:apigateway:us-east-1:kinesis:action/PutRecord"
    assert integration.inputs["credentials"] == role.outputs["arn"]
    assert integration.inputs["passthroughBehavior"] == "NEVER"
    assert integration.inputs["requestParameters"] == {
        "integration.request.header.Content-Type": "'application/x-amz-json-1.1'"
    }
    template = integration.inputs["requestTemplates"]["application/json"]
    spreads = {name: tier.partition_keys for name, tier in dev.config.tiers.items()}
    assert template == put_record_template(stream.inputs["name"], spreads)
    assert '"PartitionKey": "$partitionKey"' in template
    # Each tier's spread, from the tier policies: a tier of one key keeps `tenantId` and so needs no line.
    assert {1} < set(spreads.values())  # the dev stack has both kinds
    for name, spread in spreads.items():
        assert (f'#if($context.authorizer.tier == "{name}")#set($spread = {spread})#end' in template) == (spread > 1)
        assert (f'"{name}"' in template) == (spread > 1)
    assert "#set($tenantId = $util.escapeJavaScript($context.authorizer.tenantId))" in template


def test_stage_logs_access_to_its_log_group(dev):
    stage = dev.one(f"{APIGW}/stage:Stage")
    logs = dev.one("aws:cloudwatch/logGroup:LogGroup", "access")
    settings = stage.inputs["accessLogSettings"]
    assert settings["destinationArn"] == logs.outputs["arn"]
    assert "$context.requestId" in settings["format"]
    assert "$context.authorizer.tenantId" in settings["format"]


def test_the_regions_api_gateway_account_setting_is_left_alone_by_default():
    """It is one setting for every REST API of the account in the region: not this stack's to own."""
    default = run("dev", **{"tenant-pipeline:ingest": {}})  # the dev roster without dev's opt-in
    assert default.all(f"{APIGW}/account:Account") == []
    assert [role for role in default.all("aws:iam/role:Role") if "logging" in role.name] == []


def test_a_stack_that_opts_in_sets_a_role_with_the_aws_managed_logging_policy():
    managed = run("dev", **{"tenant-pipeline:ingest": {"manageApiGatewayAccount": True}})
    account = managed.one(f"{APIGW}/account:Account")
    role = managed.one("aws:iam/role:Role", "api-logging-role")
    assert account.inputs["cloudwatchRoleArn"] == role.outputs["arn"]
    (trust,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "apigateway.amazonaws.com"}
    (attachment,) = [
        a for a in managed.all("aws:iam/rolePolicyAttachment:RolePolicyAttachment") if a.inputs["role"] == role.id
    ]
    assert attachment.inputs["policyArn"] == (
        "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
    )
    assert [p for p in managed.all("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == role.id] == []


def test_one_usage_plan_per_tier_with_the_tiers_limits(dev):
    stage = dev.one(f"{APIGW}/stage:Stage")
    api = dev.one(f"{APIGW}/restApi:RestApi")
    plans = {plan.inputs["name"]: plan.inputs for plan in dev.all(f"{APIGW}/usagePlan:UsagePlan")}
    expected = {  # every tier of the catalogue: the defaults (used or not) and the dev stack's own
        f"tenant-pipeline-dev-plan-{name}": (
            tier.throttle.rate_limit,
            tier.throttle.burst_limit,
            tier.throttle.quota_per_day,
        )
        for name, tier in dev.config.tiers.items()
    }
    assert set(plans) == set(expected)
    for name, (rate, burst, quota) in expected.items():
        plan = plans[name]
        assert plan["throttleSettings"] == {"rateLimit": rate, "burstLimit": burst}
        assert plan["quotaSettings"] == {"limit": quota, "period": "DAY"}
        assert plan["apiStages"] == [{"apiId": api.id, "stage": stage.inputs["stageName"]}]


def test_each_served_tenant_has_a_secret_key_on_its_tiers_plan_and_nothing_else(dev, secret_of):
    secret = dev.one("random:index/randomPassword:RandomPassword").outputs["result"]
    plan_of_tier = {
        plan.inputs["name"].rsplit("-", 1)[1]: plan.outputs["id"] for plan in dev.all(f"{APIGW}/usagePlan:UsagePlan")
    }
    keys = {key.inputs["name"]: key for key in dev.all(f"{APIGW}/apiKey:ApiKey")}
    memberships = {m.inputs["keyId"]: m.inputs for m in dev.all(f"{APIGW}/usagePlanKey:UsagePlanKey")}
    served = {tenant.id: tenant.tier for tenant in dev.config.tenants if tenant.status == "active"}
    assert served and len(served) < len(dev.config.tenants)  # the dev roster has an offboarded tenant: no key
    assert set(keys) == {f"tenant-pipeline-dev-key-{tenant}" for tenant in served}
    for tenant, tier in served.items():
        key = keys[f"tenant-pipeline-dev-key-{tenant}"]
        value, is_secret = secret_of(key.inputs["value"])
        assert is_secret
        assert value == tenant_api_key(secret, tenant, dev.outputs["tenants"][tenant]["keyCell"])
        assert key.inputs["tags"]["TenantId"] == tenant
        membership = memberships[key.id]
        assert membership["usagePlanId"] == plan_of_tier[tier]
        assert membership["keyType"] == "API_KEY"


def test_a_tenant_costs_two_resources(dev):
    per_tenant = [resource for resource in dev.declaration.resources if "hooli" in resource.name]
    assert sorted(resource.type for resource in per_tenant if "ingestion" in resource.name) == [
        f"{APIGW}/apiKey:ApiKey",
        f"{APIGW}/usagePlanKey:UsagePlanKey",
    ]
    assert not [
        resource
        for resource in dev.declaration.resources
        if "vandelay" in resource.name and "ingestion" in resource.name
    ]


def test_ingest_bucket_has_the_name_main_derives(dev):
    bucket = dev.one("aws:s3/bucket:Bucket", "ingestion-bucket")
    assert bucket.inputs["bucket"] == Namer("dev").ingest_bucket(ACCOUNT_ID, "us-east-1")


def test_usage_plan_limits_follow_the_tier_config(dev):
    tiers = dev.config_value("tenant-pipeline:tiers")
    raised = run(
        "dev",
        **{
            "tenant-pipeline:tiers": {
                **tiers,
                "basic": {"throttle": {"rateLimit": 75, "burstLimit": 150, "quotaPerDay": 900000}},
            }
        },
    )
    basic = raised.one(f"{APIGW}/usagePlan:UsagePlan", "plan-basic").inputs
    assert basic["throttleSettings"] == {"rateLimit": 75, "burstLimit": 150}
    assert basic["quotaSettings"] == {"limit": 900_000, "period": "DAY"}
