"""The Lambda entry point: configured from the environment at cold start, Allow or Unauthorized per call,
and loud at init when the configuration is wrong."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.authorizer.support import STAGE_ARN, CognitoPool, LambdaContext, token_event

pytestmark = pytest.mark.moto

PROJECT_ROOT = Path(__file__).resolve().parents[2]
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
    response = handler_module.handler(token_event(cognito.tokens("bob")["id"]), LambdaContext())

    assert response["context"] == {"tenantId": "globex", "tier": "basic"}
    assert response["policyDocument"]["Statement"][0]["Resource"] == [STAGE_ARN]


def test_handler_refusal_is_the_error_api_gateway_maps_to_401(handler_module: ModuleType) -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        handler_module.handler(token_event("not-a-token"), LambdaContext())


def test_handler_does_not_log_the_event_even_when_asked_to(
    authorizer_env: dict[str, str], cognito: CognitoPool
) -> None:
    token = cognito.tokens("alice")["id"]
    output = run_in_lambda_layout(
        PROJECT_ROOT / "functions" / "authorizer",
        {**os.environ, **authorizer_env, "POWERTOOLS_LOGGER_LOG_EVENT": "true", "POWERTOOLS_LOG_LEVEL": "DEBUG"},
        [token_event(token), token_event(token[:-4] + "AAAA")],
    )

    assert [outcome["outcome"] for outcome in output["outcomes"]] == ["allowed", "Unauthorized"]
    assert token[:-4] not in output["stdout"]
    assert "refused" in output["stdout"]


@pytest.mark.parametrize("missing", ["USER_POOL_ID", "APP_CLIENT_IDS", "AWS_REGION", "API_KEY_SECRET_PARAMETER"])
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


def test_the_package_runs_alone_in_its_lambda_layout(
    authorizer_env: dict[str, str], cognito: CognitoPool, tmp_path: Path
) -> None:
    """functions/authorizer copied as the zip's `authorizer/` package, without the project on the
    path: it imports nothing from outside itself and serves a real token end to end."""
    package = tmp_path / "authorizer"
    shutil.copytree(PROJECT_ROOT / "functions" / "authorizer", package, ignore=shutil.ignore_patterns("__pycache__"))
    output = run_in_lambda_layout(
        package, {**os.environ, **authorizer_env}, [token_event(cognito.tokens("alice")["id"])]
    )

    assert output["outcomes"] == [{"outcome": "allowed", "tenantId": "acme"}]
    assert output["outside"] == []


_RUNNER = """
import json, sys
from dataclasses import dataclass
sys.path[:] = [p for p in sys.path if p not in ("", {project!r})]
sys.path.insert(0, {root!r})
import {package}.handler as handler

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
)
print("RESULT " + json.dumps({{"outcomes": outcomes, "outside": outside}}))
"""


def run_in_lambda_layout(package_dir: Path, env: dict[str, str], events: list[dict[str, object]]) -> dict[str, Any]:
    """Run the handler in a fresh interpreter with only `package_dir`'s parent on the path."""
    env = {key: value for key, value in env.items() if key != "PYTHONPATH"}
    script = _RUNNER.format(project=str(PROJECT_ROOT), root=str(package_dir.parent), package=package_dir.name)
    result = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(events),
        env=env,
        cwd=package_dir.parent,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    parsed = json.loads(next(line for line in lines if line.startswith("RESULT "))[len("RESULT ") :])
    return {**parsed, "stdout": result.stdout + result.stderr}
