"""The Lambda entry point: configured from the environment at cold start, Allow or Unauthorized per call,
and loud at init when the configuration is wrong."""

from __future__ import annotations

import importlib
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from functions.authorizer.local import LocalContext, invoke
from functions.authorizer.log import SERVICE
from functions.authorizer.log import logger as authorizer_logger
from functions.authorizer.package import copy_sources
from functions.contracts.api_keys import tenant_api_key
from local.paths import PROJECT_ROOT
from tests.integration.authorizer.conftest import KEY_CELLS
from tests.support.authorizer import METHOD_ARN, STAGE_ARN, CognitoPool, claims_of, token_event

pytestmark = pytest.mark.moto

HANDLER_MODULE = "functions.authorizer.handler"


@pytest.fixture
def handler_module(authorizer_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """A cold start: the handler module imported afresh under the Lambda's environment."""
    for name, value in authorizer_env.items():
        monkeypatch.setenv(name, value)
    sys.modules.pop(HANDLER_MODULE, None)
    yield importlib.import_module(HANDLER_MODULE)
    sys.modules.pop(HANDLER_MODULE, None)


def test_handler_allows_a_valid_id_token(handler_module: ModuleType, cognito: CognitoPool) -> None:
    response = handler_module.handler(token_event(cognito.tokens("bob")["id"]), LocalContext())

    assert response["context"] == {"tenantId": "globex", "tier": "basic"}
    assert response["policyDocument"]["Statement"][0]["Resource"] == [STAGE_ARN]


def test_handler_refusal_is_the_error_api_gateway_maps_to_401(handler_module: ModuleType) -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        handler_module.handler(token_event("not-a-token"), LocalContext())


def test_handler_does_not_log_the_event_even_when_asked_to(
    authorizer_env: dict[str, str], cognito: CognitoPool, tmp_path: Path
) -> None:
    token = cognito.tokens("alice")["id"]
    output = run_in_lambda_layout(
        lambda_layout(tmp_path),
        {**os.environ, **authorizer_env, "POWERTOOLS_LOGGER_LOG_EVENT": "true", "POWERTOOLS_LOG_LEVEL": "DEBUG"},
        [token_event(token), token_event(token[:-4] + "AAAA")],
    )

    assert [outcome["outcome"] for outcome in output["outcomes"]] == ["allowed", "Unauthorized"]
    assert token[:-4] not in output["stdout"]
    assert "refused" in output["stdout"]


def test_refusal_log_line_names_the_reason_and_request_but_not_the_token(
    handler_module: ModuleType, cognito: CognitoPool, caplog: pytest.LogCaptureFixture
) -> None:
    """What CloudWatch receives from the real handler for a refused token: caplog's handler formats the
    records with the Powertools formatter the Lambda writes with (JSON, the Lambda context keys)."""
    caplog.handler.setFormatter(authorizer_logger.registered_formatter)
    caplog.set_level(logging.INFO, logger=SERVICE)
    token = cognito.tokens("alice")["id"]
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[:-8]}AAAAAAAA"

    with pytest.raises(Exception, match=r"^Unauthorized$") as refused:
        handler_module.handler(token_event(forged), LocalContext())

    lines = [json.loads(line) for line in caplog.text.splitlines()]
    refusals = [line for line in lines if line["message"] == "refused"]
    assert len(refusals) == 1
    assert refusals[0]["reason"] == "invalid signature"
    assert refusals[0]["level"] == "INFO"
    assert refusals[0]["function_request_id"] == LocalContext().aws_request_id
    assert all(part not in json.dumps(lines) for part in (payload, signature[:-8]))
    assert "invalid signature" not in str(refused.value)


def test_invoke_runs_the_real_handler_for_the_local_demo(
    authorizer_env: dict[str, str], cognito: CognitoPool, api_key_secret: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in authorizer_env.items():
        monkeypatch.setenv(name, value)
    sys.modules.pop(HANDLER_MODULE, None)
    token = cognito.tokens("bob")["id"]
    try:
        response = invoke(f"Bearer {token}", METHOD_ARN)
        with pytest.raises(Exception, match=r"^Unauthorized$"):
            invoke("Bearer not-a-token", METHOD_ARN)
    finally:
        sys.modules.pop(HANDLER_MODULE, None)

    assert response["principalId"] == claims_of(token)["sub"]
    assert response["context"] == {"tenantId": "globex", "tier": "basic"}
    assert response["usageIdentifierKey"] == tenant_api_key(api_key_secret, "globex", KEY_CELLS["globex"])


@pytest.mark.parametrize(
    "missing",
    [
        "USER_POOL_ID",
        "APP_CLIENT_IDS",
        "AWS_REGION",
        "API_KEY_SECRET_PARAMETER",
        "TENANT_DIRECTORY_BUCKET",
    ],
)
def test_cold_start_fails_loudly_naming_a_missing_variable(authorizer_env: dict[str, str], missing: str) -> None:
    env = {key: value for key, value in {**os.environ, **authorizer_env}.items() if key != missing}
    env["PYTHONPATH"] = str(PROJECT_ROOT)

    result = subprocess.run(
        [sys.executable, "-c", f"import {HANDLER_MODULE}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert f"ConfigurationError: authorizer configuration: {missing} is not set" in result.stderr


def lambda_layout(tmp_path: Path) -> Path:
    """The authorizer's code as `make authorizer-package` lays it out (functions.authorizer.package). The
    dependencies come from the venv here; the test shows nothing else of the project is needed."""
    root = tmp_path / "lambda"
    copy_sources(root)
    return root


def test_the_package_runs_alone_in_its_lambda_layout(
    authorizer_env: dict[str, str], cognito: CognitoPool, tmp_path: Path
) -> None:
    """Without the project on the path: `handler.handler` imports nothing from outside the package and
    serves a real token end to end."""
    output = run_in_lambda_layout(
        lambda_layout(tmp_path), {**os.environ, **authorizer_env}, [token_event(cognito.tokens("alice")["id"])]
    )

    assert output["outcomes"] == [{"outcome": "allowed", "tenantId": "acme"}]
    assert output["outside"] == []


_RUNNER = """
import json, sys
from dataclasses import dataclass
sys.path[:] = [p for p in sys.path if p not in ("", {project!r})]
sys.path.insert(0, {root!r})
import functions.authorizer.handler as handler

@dataclass
class Context:
    function_name: str = "authorizer"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:authorizer"
    aws_request_id: str = "req-1"

outcomes = []
for event in json.loads(sys.stdin.read()):
    try:
        response = handler.handler(event, Context())
        outcomes.append({{"outcome": "allowed", "tenantId": response["context"]["tenantId"]}})
    except Exception as error:
        outcomes.append({{"outcome": str(error)}})
outside = sorted(
    name for name, module in sys.modules.items()
    if (getattr(module, "__file__", None) or "").startswith({project!r})
    and not (getattr(module, "__file__", None) or "").startswith(sys.prefix)  # the venv may live in the project
)
print("RESULT " + json.dumps({{"outcomes": outcomes, "outside": outside}}))
"""


def run_in_lambda_layout(root: Path, env: dict[str, str], events: list[dict[str, object]]) -> dict[str, Any]:
    """Run `handler.handler` in a fresh interpreter with only the package root (and the venv) on the path."""
    env = {key: value for key, value in env.items() if key != "PYTHONPATH"}
    script = _RUNNER.format(project=str(PROJECT_ROOT), root=str(root))
    result = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(events),
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    parsed = json.loads(next(line for line in lines if line.startswith("RESULT "))[len("RESULT ") :])
    return {**parsed, "stdout": result.stdout + result.stderr}
