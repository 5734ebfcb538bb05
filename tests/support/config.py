"""Builders for raw stack config, as the YAML parser would hand it over."""

from __future__ import annotations

from typing import Any

import pytest

from tiers.errors import ConfigError
from tiers.load import load_stack_config
from tiers.stack_config import StackConfig


def roster(*tenants: tuple[str, str] | dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(t) if isinstance(t, dict) else {"id": t[0], "tier": t[1]} for t in tenants]


def base_config(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {"tenants": roster(("acme", "premium"), ("globex", "basic"))}
    raw.update(overrides)
    return raw


def load(raw: dict[str, Any], environment: str = "dev", **kwargs: Any) -> StackConfig:
    return load_stack_config(raw, environment=environment, region="us-east-1", **kwargs)


def problems_of(raw: dict[str, Any], **kwargs: Any) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(raw, **kwargs)
    return [str(problem) for problem in caught.value.problems]


def only_problem(raw: dict[str, Any], **kwargs: Any) -> str:
    problems = problems_of(raw, **kwargs)
    assert len(problems) == 1, problems
    return problems[0]
