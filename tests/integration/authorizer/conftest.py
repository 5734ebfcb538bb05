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
from functions.contracts.cells import DIRECTORY_PREFIX
from local.services.moto_server import MotoServer
from tests.support.authorizer import (
    DIRECTORY,
    REGION,
    CognitoPool,
    client,
    create_pool,
    create_secret,
)
from tests.support.slices import put_slice

SECRET_PARAMETER = "/tenant-pipeline/test/authorizer/api-key-secret"
DIRECTORY_BUCKET = "tenant-pipeline-authorizer-tests-directory"
# DIRECTORY as two cells publish it. Each tenant's API key salt (keyCell): acme's and initech's keys are their
# cells', globex's and umbrella's from before cells (no salt).
KEY_CELLS = {"acme": "premium-1", "globex": None, "initech": "basic-1", "umbrella": None}
SLICES = {
    cell: {
        tenant_id: {**entry, "keyCell": KEY_CELLS[tenant_id]}
        for tenant_id, entry in DIRECTORY.items()
        if (entry["tier"] == "premium") == (cell == "premium-1")
    }
    for cell in ("premium-1", "basic-1")
}


def publish_slices(s3: Any, prefix: str, slices: dict[str, dict[str, dict[str, Any]]]) -> None:
    for cell, entries in slices.items():
        put_slice(s3, DIRECTORY_BUCKET, prefix, cell, entries)


@pytest.fixture(scope="session")
def cognito(moto_server: MotoServer) -> CognitoPool:
    return create_pool(moto_server.endpoint, "tenant-pipeline-authorizer-tests")


@pytest.fixture(scope="session")
def api_key_secret(moto_server: MotoServer) -> str:
    return create_secret(moto_server.endpoint, SECRET_PARAMETER)


@pytest.fixture(scope="session")
def directory_bucket(moto_server: MotoServer) -> str:
    """The published tenant directory (SLICES) under DIRECTORY_PREFIX; tests that change it use prefixes of
    their own."""
    s3 = client("s3", moto_server.endpoint)
    s3.create_bucket(Bucket=DIRECTORY_BUCKET)
    publish_slices(s3, DIRECTORY_PREFIX, SLICES)
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
        "TENANT_DIRECTORY_PREFIX": DIRECTORY_PREFIX,
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
