"""The authorizer ships alone, so it keeps copies of the tenant id rule and the tier names: they must
stay equal to the originals."""

from __future__ import annotations

from components import naming
from functions.authorizer import tenancy
from tiers.defaults import DEFAULT_TIERS


def test_tenant_id_rule_equals_naming() -> None:
    assert tenancy.TENANT_ID_PATTERN.pattern == naming.TENANT_ID_PATTERN.pattern
    assert tenancy.TENANT_ID_PATTERN.flags == naming.TENANT_ID_PATTERN.flags


def test_tier_names_equal_the_product_tiers() -> None:
    assert set(DEFAULT_TIERS) == tenancy.TIERS
