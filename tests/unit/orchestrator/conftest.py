"""An environment with cells, written as a settings file the way a user writes one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from orchestrator.stacks import Environment, read_environment

CELL_ROSTER = [
    {"id": "acme", "tier": "premium", "cell": "premium-1"},
    {"id": "globex", "tier": "premium", "cell": "premium-1"},
    {"id": "initech", "tier": "basic", "cell": "basic-1"},
    {"id": "hooli", "tier": "basic", "cell": "basic-1"},
    {"id": "umbrella", "tier": "basic", "cell": "basic-2"},
    {"id": "vandelay", "tier": "basic", "cell": "basic-2", "status": "offboarded"},
]


def cell_settings(**extra: Any) -> dict[str, Any]:
    return {
        "aws:region": "us-east-1",
        "tenant-pipeline:cells": {"budget": 200},
        "tenant-pipeline:tenants": [dict(entry) for entry in CELL_ROSTER],
        **{f"tenant-pipeline:{key}": value for key, value in extra.items()},
    }


@pytest.fixture
def write_environment(tmp_path: Path) -> Callable[..., Environment]:
    """Write Pulumi.<name>.yaml with `config` and read it back as an Environment."""

    def write(config: dict[str, Any], name: str = "dev") -> Environment:
        (tmp_path / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump({"config": config}, sort_keys=False))
        return read_environment(name, tmp_path)

    return write
