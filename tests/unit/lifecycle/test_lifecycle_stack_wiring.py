"""What `make migrate` / `make offboard` take from the stack: the tenant's config path and its tier's strategy."""

from __future__ import annotations

import pytest

from local.errors import StackRefusedError
from local.lifecycle import TENANTS_KEY, config_path, offboarding_strategy
from tests.support.config import base_config, load, roster


def test_the_config_path_is_the_tenants_index_in_the_stack_list() -> None:
    raw = {TENANTS_KEY: roster(("acme", "premium"), ("globex", "basic"), ("initech", "basic"))}
    assert config_path(raw, "initech") == "tenant-pipeline:tenants[2]"
    assert config_path(raw, "acme") == "tenant-pipeline:tenants[0]"
    with pytest.raises(StackRefusedError, match="'nobody' is not in the stack config"):
        config_path(raw, "nobody")


def test_the_strategy_is_the_tenants_tiers_offboarding() -> None:
    config = load(base_config(tiers={"basic": {"offboarding": "delete"}}))
    assert offboarding_strategy(config, "globex") == "delete"
    assert offboarding_strategy(config, "acme") == "retain"
    with pytest.raises(StackRefusedError, match="'nobody'"):
        offboarding_strategy(config, "nobody")
