"""The pipeline as the program declares it, under Pulumi mocks, for the stacks the tests need."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support.declared import DeclaredPipeline, reveal, run


@pytest.fixture(scope="session")
def dev() -> DeclaredPipeline:
    return run("dev")


@pytest.fixture(scope="session")
def prod() -> DeclaredPipeline:
    """The dev roster declared as a non-dev environment."""
    return run("prod")


@pytest.fixture
def secret_of() -> Callable[[Any], tuple[Any, bool]]:
    return reveal
