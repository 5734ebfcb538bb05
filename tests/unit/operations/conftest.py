"""The platform's operations as the program declares them under Pulumi mocks."""

from __future__ import annotations

import pytest

from tests.support.declared import DeclaredPipeline, run


@pytest.fixture(scope="session")
def dev() -> DeclaredPipeline:
    return run("dev")
