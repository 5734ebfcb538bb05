"""Fixtures every test area shares: the local moto server and a run directory for logs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from local.paths import PROJECT_ROOT
from local.services.moto_server import LOCAL_CREDENTIALS, MotoServer


@pytest.fixture(scope="session")
def run_dir() -> Path:
    path = PROJECT_ROOT / ".run" / "tests"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def moto_server(run_dir: Path) -> Iterator[MotoServer]:
    """One moto server for the session; tests keep to their own resource names."""
    with MotoServer(run_dir / "moto.log") as server:
        yield server


@pytest.fixture
def aws_env(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> MotoServer:
    """boto3 clients created in the test talk to moto (AWS_ENDPOINT_URL) with local credentials."""
    for key, value in LOCAL_CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.endpoint)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    assert os.environ["AWS_ENDPOINT_URL"] == moto_server.endpoint
    return moto_server
