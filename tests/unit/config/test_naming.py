"""The naming helper keeps every name within its service's rules, and unique."""

from __future__ import annotations

import re

import pytest

from functions.contracts.keyspaces import silo_keyspace
from functions.contracts.s3_layout import tenant_s3_prefix
from tiers.naming import RULES, Namer, fit

KEYSPACE_RULE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_]{0,47}$")
ROLE_RULE = re.compile(r"^[\w+=,.@-]{1,64}$")
BUCKET_RULE = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")


def test_silo_keyspace_as_the_design_says() -> None:
    assert silo_keyspace("acme-corp") == "tenant_acme_corp"
    assert KEYSPACE_RULE.fullmatch(silo_keyspace("a" * 32))


def test_tenant_prefix() -> None:
    assert tenant_s3_prefix("acme-corp") == "tenant=acme-corp/"


def test_role_names_fit_64_characters_and_stay_unique_after_cutting() -> None:
    namer = Namer("production-eu")
    long_a, long_b = "a" * 31 + "x", "a" * 31 + "y"
    names = {namer.tenant_role(long_a), namer.tenant_role(long_b)}
    assert len(names) == 2
    for name in names:
        assert ROLE_RULE.fullmatch(name), name
        assert len(name) == 64


def test_short_names_are_kept_whole() -> None:
    assert Namer("dev").tenant_role("acme") == "tenant-pipeline-dev-tenant-acme"
    assert Namer("dev").pooled_tenant_role() == "tenant-pipeline-dev-pooled-tenants"


def test_events_delivery_streams_keep_stream_0_s_name_and_number_the_others() -> None:
    namer = Namer("dev")
    assert namer.events_delivery_stream() == namer.events_delivery_stream(0) == "tenant-pipeline-dev-delivery-events"
    assert namer.events_delivery_stream(12) == "tenant-pipeline-dev-delivery-events-12"
    with pytest.raises(ValueError, match="0 or more, got -1"):
        namer.events_delivery_stream(-1)


def test_ingest_bucket_is_a_valid_bucket_name() -> None:
    name = Namer("staging").ingest_bucket("123456789012", "ap-southeast-2")
    assert name == "tenant-pipeline-staging-ingest-123456789012-ap-southeast-2"
    assert BUCKET_RULE.fullmatch(name)


@pytest.mark.parametrize("service", sorted(RULES))
def test_every_rule_cuts_to_its_limit_without_a_trailing_separator(service: str) -> None:
    rule = RULES[service]
    name = fit("x-" * 1000, service)
    assert len(name) <= rule.max_length
    assert not rule.invalid.search(name)
    assert not name.endswith(rule.separator)


def test_invalid_characters_are_replaced() -> None:
    assert fit("tenant_acme-corp", "keyspace") == "tenant_acme_corp"
    assert fit("Tenant Pipeline", "s3-bucket") == "tenant-pipeline"
