"""The sandbox reads what the program declares for the dev stack, not a second configuration."""

from __future__ import annotations

import pytest

from components.ingestion.api_responses import preflight_response, put_record_responses
from functions.contracts.api_keys import tenant_api_key
from functions.contracts.tables import TENANT_TABLES
from local.environment import read_environment
from local.sandbox.declared import DeclaredStack, read_declaration
from local.sandbox.keyspaces import schema_statements, table_schema
from local.stack_file import project_values, read_stack_config
from tiers.load import load_stack_config


@pytest.fixture(scope="module")
def stack() -> DeclaredStack:
    return read_declaration(read_environment("dev").declaration, "us-east-1")


def test_tenants_and_their_api_keys_come_from_the_declaration(stack: DeclaredStack) -> None:
    served = {t.tenant_id for t in stack.tenants if t.active}
    assert served == {"acme", "globex", "initech", "umbrella-labs", "hooli"}
    assert set(stack.api_keys) == served
    for tenant_id, key in stack.api_keys.items():
        (record,) = [record for record in stack.tenants if record.tenant_id == tenant_id]
        assert key == tenant_api_key(stack.api_key_secret, tenant_id, record.key_cell)  # what the authorizer computes


def test_each_key_carries_its_tiers_usage_plan(stack: DeclaredStack) -> None:
    raw = read_stack_config("dev")
    config = load_stack_config(project_values(raw), "dev", raw["aws:region"])
    for tenant in config.tenants:
        if tenant.id not in stack.api_keys:
            continue  # offboarded: no key
        limits = stack.limits_by_key[stack.api_keys[tenant.id]]
        throttle = config.tiers[tenant.tier].throttle
        assert (limits.rate_limit, limits.burst_limit, limits.quota_per_day) == (
            throttle.rate_limit,
            throttle.burst_limit,
            throttle.quota_per_day,
        )


def test_template_delivery_and_roles(stack: DeclaredStack) -> None:
    assert '"PartitionKey": "$partitionKey"' in stack.mapping_template
    events = stack.event_streams[0]
    assert events.metadata_query and events.prefix.startswith("tenant=!{partitionKeyFromQuery:tenantId}/")
    assert stack.rejects.metadata_query is None and stack.rejects.prefix.startswith("errors/flink/")
    # Each served tenant's role (its own, or its pooled shard's), and no other.
    served_roles = {record.role_arn.rsplit("/", 1)[1] for record in stack.tenants if record.role_arn}
    assert {r.name for r in stack.tenant_roles} == served_roles
    assert any(not record.pooled for record in stack.tenants) and any(record.pooled for record in stack.tenants)
    assert all(role.policies for role in stack.tenant_roles)


def test_declared_tables_read_back_as_the_schema_module_defines_them(stack: DeclaredStack) -> None:
    by_name = {schema.name: schema for schema in TENANT_TABLES}
    for table in stack.tables:
        expected = by_name[table.name].pooled() if table.keyspace == "tenants_pool" else by_name[table.name]
        assert table_schema(table) == expected
    statements = schema_statements(stack)
    assert statements[0].startswith('CREATE KEYSPACE IF NOT EXISTS "tenants_pool"')
    assert any('PRIMARY KEY (("tenant_id", "customer_id"), "order_id")' in s for s in statements)


def test_the_answers_of_post_and_options_events_come_from_the_declaration(stack: DeclaredStack) -> None:
    origins = tuple(read_stack_config("dev")["tenant-pipeline:ingest"]["corsOrigins"])
    assert len(origins) > 1  # the demo exercises choosing the Allow-Origin per request
    assert {(r.status, r.selection_pattern, r.template, tuple(r.headers.items())) for r in stack.responses} == {
        (r.status, r.selection_pattern, r.template, tuple(r.headers.items())) for r in put_record_responses(origins)
    }
    preflight = preflight_response(origins)
    assert stack.preflight_response is not None
    assert (stack.preflight_response.template, stack.preflight_response.headers) == (
        preflight.template,
        preflight.headers,
    )
    assert set(stack.gateway_responses) == {"DEFAULT_4XX", "DEFAULT_5XX", "THROTTLED"}
    assert stack.gateway_responses["DEFAULT_4XX"].headers["Access-Control-Allow-Origin"] == (
        "method.request.header.Origin"
    )
