"""Fixtures of the authorizer tests: one Cognito pool and API key secret in the session's moto server,
authorizers configured against them, and the authorizer's log lines as CloudWatch would get them."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from functions.authorizer.authorizer import Authorizer
from functions.authorizer.config import load_config
from functions.authorizer.log import SERVICE, logger
from local.services.moto_server import MotoServer
from tests.support.authorizer import (
    DIRECTORY,
    REGION,
    CognitoPool,
    client,
    create_pool,
    create_secret,
    publish_directory,
)

SECRET_PARAMETER = "/tenant-pipeline/test/authorizer/api-key-secret"
DIRECTORY_BUCKET = "tenant-pipeline-authorizer-tests-directory"
DIRECTORY_KEY = "tenants.json"


@pytest.fixture(scope="session")
def cognito(moto_server: MotoServer) -> CognitoPool:
    return create_pool(moto_server.endpoint, "tenant-pipeline-authorizer-tests")


@pytest.fixture(scope="session")
def api_key_secret(moto_server: MotoServer) -> str:
    return create_secret(moto_server.endpoint, SECRET_PARAMETER)


@pytest.fixture(scope="session")
def directory_bucket(moto_server: MotoServer) -> str:
    """The published tenant directory (DIRECTORY) at DIRECTORY_KEY; tests that change it use keys of their own."""
    client("s3", moto_server.endpoint).create_bucket(Bucket=DIRECTORY_BUCKET)
    publish_directory(moto_server.endpoint, DIRECTORY_BUCKET, DIRECTORY_KEY, DIRECTORY)
    return DIRECTORY_BUCKET


@pytest.fixture
def authorizer_env(
    aws_env: MotoServer, cognito: CognitoPool, api_key_secret: str, directory_bucket: str
) -> dict[str, str]:
    """The Lambda environment as the stack sets it, with JWKS_URL pointing at moto's JWKS."""
    return {
        "USER_POOL_ID": cognito.pool_id,
        "APP_CLIENT_IDS": f"{cognito.client_id}, {cognito.second_client_id}",
        "AWS_REGION": REGION,
        "JWKS_URL": cognito.jwks_url,
        "API_KEY_SECRET_PARAMETER": SECRET_PARAMETER,
        "TENANT_DIRECTORY_BUCKET": directory_bucket,
        "TENANT_DIRECTORY_KEY": DIRECTORY_KEY,
    }


@pytest.fixture
def make_authorizer(authorizer_env: dict[str, str]) -> Callable[..., Authorizer]:
    def make(**overrides: str) -> Authorizer:
        return Authorizer.from_config(load_config({**authorizer_env, **overrides}))

    return make


@pytest.fixture
def authorizer(make_authorizer: Callable[..., Authorizer]) -> Authorizer:
    return make_authorizer()


class LogLines(logging.Handler):
    """The authorizer's log records, formatted by Powertools exactly as they reach CloudWatch."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logger.registered_formatter)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    @property
    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines]

    def reasons(self) -> list[str]:
        return [str(record.get("reason")) for record in self.records if record["message"] == "refused"]


@pytest.fixture
def log_lines() -> Iterator[LogLines]:
    lines = LogLines()
    stdlib_logger = logging.getLogger(SERVICE)
    stdlib_logger.addHandler(lines)
    try:
        yield lines
    finally:
        stdlib_logger.removeHandler(lines)
