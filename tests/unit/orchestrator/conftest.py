"""An environment written as a settings file the way a user writes one, read back as the orchestrator reads it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from orchestrator.stacks import Environment, read_environment


@pytest.fixture
def write_environment(tmp_path: Path) -> Callable[..., Environment]:
    """Write Pulumi.<name>.yaml with `config` and read it back as an Environment."""

    def write(config: dict[str, Any], name: str = "dev") -> Environment:
        (tmp_path / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump({"config": config}, sort_keys=False))
        return read_environment(name, tmp_path)

    return write
