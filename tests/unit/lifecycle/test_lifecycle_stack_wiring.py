"""What `make migrate` / `make offboard` take from the stack: the tenant's config path and its entry."""

from __future__ import annotations

import pytest

from local.errors import StackRefusedError
from local.lifecycle import tenant_spec
from local.stack_file import config_path
from tests.support.config import base_config, load, roster


def test_the_config_path_is_the_tenants_index_in_the_stack_list() -> None:
    config = load(base_config(tenants=roster(("acme", "premium"), ("globex", "basic"), ("initech", "basic"))))
    assert config_path(tenant_spec(config, "initech")) == "tenant-pipeline:tenants[2]"
    assert config_path(tenant_spec(config, "acme")) == "tenant-pipeline:tenants[0]"
    with pytest.raises(StackRefusedError, match="'nobody' is not in the stack config"):
        tenant_spec(config, "nobody")


def test_the_strategy_is_the_tenants_tiers_offboarding() -> None:
    config = load(base_config(tiers={"basic": {"offboarding": "delete"}}))
    assert config.tiers[tenant_spec(config, "globex").tier].offboarding == "delete"
    assert config.tiers[tenant_spec(config, "acme").tier].offboarding == "retain"
