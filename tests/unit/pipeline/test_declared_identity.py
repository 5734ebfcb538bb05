"""Cognito as declared, and the stack outputs users of the pipeline read."""

from __future__ import annotations

from functions.contracts.identity import TENANT_ATTRIBUTES

POOL = "aws:cognito/userPool:UserPool"
CLIENT = "aws:cognito/userPoolClient:UserPoolClient"


def test_tenant_attributes_are_immutable_custom_attributes(dev):
    schemas = {schema["name"]: schema for schema in dev.one(POOL).inputs["schemas"]}
    assert set(schemas) == {"tenantId", "tier"}
    for schema in schemas.values():
        assert schema["mutable"] is False
        assert schema["attributeDataType"] == "String"


def test_only_administrators_create_users_and_passwords_are_strong(dev):
    pool = dev.one(POOL).inputs
    assert pool["adminCreateUserConfig"] == {"allowAdminCreateUserOnly": True}
    policy = pool["passwordPolicy"]
    assert policy["minimumLength"] >= 12
    assert all(policy[f"require{kind}"] for kind in ("Lowercase", "Uppercase", "Numbers", "Symbols"))


def test_deletion_protection_outside_dev_only(dev, prod):
    assert dev.one(POOL).inputs["deletionProtection"] == "INACTIVE"
    assert prod.one(POOL).inputs["deletionProtection"] == "ACTIVE"


def test_tenant_apps_read_but_never_write_the_tenant_attributes(dev):
    client = dev.one(CLIENT).inputs
    assert client["userPoolId"] == dev.one(POOL).id
    assert client["generateSecret"] is False
    for attribute in TENANT_ATTRIBUTES:
        assert attribute.claim in client["readAttributes"]
        assert attribute.claim not in client["writeAttributes"]
    assert "ALLOW_USER_PASSWORD_AUTH" not in client["explicitAuthFlows"]


def test_stack_outputs_name_the_declared_resources(dev):
    firehose = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
    stage = dev.one("aws:apigateway/stage:Stage")
    expected = {
        "apiUrl": f"{stage.outputs['invokeUrl']}/events",
        "userPoolId": dev.one(POOL).id,
        "appClientId": dev.one(CLIENT).id,
        "ingestBucket": dev.one("aws:s3/bucket:Bucket", "ingestion-bucket").outputs["bucket"],
        "eventStream": dev.one("aws:kinesis/stream:Stream").outputs["name"],
        "eventsDeliveryStream": dev.one(firehose, "delivery-events").outputs["name"],
        "eventsDeliveryStreams": [
            dev.one(firehose, "delivery-events").outputs["name"],
            dev.one(firehose, "delivery-events-1").outputs["name"],
        ],
        "rejectsDeliveryStream": dev.one(firehose, "delivery-rejects").outputs["name"],
        "flinkApplication": dev.one("aws:kinesisanalyticsv2/application:Application").outputs["name"],
    }
    assert {name: dev.outputs.get(name) for name in expected} == expected
