"""Tenant role assumption through STS (moto's, in server mode): role, session tag, refresh before expiry."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config

from functions.dal import CredentialsError, RoleAssumer
from functions.dal.errors import DalUsageError
from local.services.moto_server import MotoServer
from local.services.ports import free_port
from tests.support.directory_data import DIRECTORY, POOLED_ROLE

pytestmark = pytest.mark.moto


def recording_sts() -> tuple[Any, list[dict[str, Any]]]:
    """An STS client that records the AssumeRole parameters it sends."""
    client = boto3.client("sts", region_name="us-east-1")
    sent: list[dict[str, Any]] = []
    client.meta.events.register("provide-client-params.sts.AssumeRole", lambda params, **_: sent.append(dict(params)))
    return client, sent


def test_premium_tenant_gets_its_own_role_tagged_with_its_id(aws_env: MotoServer) -> None:
    client, sent = recording_sts()
    role = DIRECTORY["acme"]["roleArn"]
    session = RoleAssumer("us-east-1", sts_client=client).session_for("acme", role)
    identity = session.client("sts").get_caller_identity()
    assert identity["Arn"] == "arn:aws:sts::123456789012:assumed-role/tenant-pipeline-test-tenant-acme/dal-acme"
    assert sent == [
        {
            "RoleArn": role,
            "RoleSessionName": "dal-acme",
            "DurationSeconds": 3600,
            "Tags": [{"Key": "TenantId", "Value": "acme"}],
        }
    ]
    assert session.region_name == "us-east-1"


def test_basic_tenants_share_the_pooled_role_with_their_own_tag(aws_env: MotoServer) -> None:
    client, sent = recording_sts()
    assumer = RoleAssumer("us-east-1", sts_client=client)
    globex = assumer.session_for("globex", POOLED_ROLE).get_credentials().get_frozen_credentials()
    initech = assumer.session_for("initech", POOLED_ROLE).get_credentials().get_frozen_credentials()
    assert [(p["RoleArn"], p["Tags"]) for p in sent] == [
        (POOLED_ROLE, [{"Key": "TenantId", "Value": "globex"}]),
        (POOLED_ROLE, [{"Key": "TenantId", "Value": "initech"}]),
    ]
    assert globex.access_key != initech.access_key  # two credential scopes, never one shared


def test_credentials_are_refreshed_before_they_expire(aws_env: MotoServer) -> None:
    # 900 s credentials are already inside the 15-minute advisory window: every read refreshes them.
    client, sent = recording_sts()
    session = RoleAssumer("us-east-1", sts_client=client, duration_seconds=900).session_for(
        "acme", "arn:aws:iam::123456789012:role/r"
    )
    first = session.get_credentials().get_frozen_credentials()
    second = session.get_credentials().get_frozen_credentials()
    assert first.access_key != second.access_key
    assert len(sent) >= 2
    assert all(p["Tags"] == [{"Key": "TenantId", "Value": "acme"}] for p in sent)


def test_fresh_credentials_are_not_refetched(aws_env: MotoServer) -> None:
    client, sent = recording_sts()
    session = RoleAssumer("us-east-1", sts_client=client).session_for("acme", "arn:aws:iam::123456789012:role/r")
    keys = {session.get_credentials().get_frozen_credentials().access_key for _ in range(3)}
    assert len(keys) == 1
    assert len(sent) == 1


def test_an_unreachable_sts_is_a_clear_error() -> None:
    client = boto3.client(
        "sts",
        region_name="us-east-1",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}, connect_timeout=2),
    )
    with pytest.raises(CredentialsError, match=r"tenant 'acme': cannot assume arn:aws:iam::123456789012:role/r"):
        RoleAssumer("us-east-1", sts_client=client).session_for("acme", "arn:aws:iam::123456789012:role/r")


def test_session_durations_outside_sts_limits_are_refused() -> None:
    with pytest.raises(DalUsageError, match="outside 900-43200"):
        RoleAssumer("us-east-1", sts_client=object(), duration_seconds=60)
