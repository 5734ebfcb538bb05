"""The DAL against a real Apache Cassandra 5.0: tenants reach their own rows and nothing else."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from cassandra.cluster import Session

from functions.contracts.tables import ORDERS
from functions.dal import (
    CrossTenantAccessError,
    InvalidQueryError,
    NoTenantContextError,
    TenantContext,
    TenantDataAccess,
    TenantDirectory,
    TenantOffboardedError,
    UnknownTenantError,
    tenant_scope,
)
from functions.dal.counts import row_counts
from tests.support.directory_data import ACME, ACME_CORP, GLOBEX, INITECH
from tests.support.tenant_rows import customer, order

pytestmark = pytest.mark.cassandra


def unique(prefix: str) -> str:
    """A customer id of this test only: the node is shared by the whole session."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def write_and_read_back(dal: TenantDataAccess, context: TenantContext) -> tuple[str, list[dict[str, Any]]]:
    customer_id = unique(context.tenant_id)
    orders = [order(customer_id, status=f"s{i}", total=100 * i) for i in range(3)]
    with tenant_scope(context):
        dal.customers.put(customer(customer_id, "Ada"))
        for row in orders:
            dal.orders.put(row)
        assert dal.customers.get(customer_id=customer_id) == customer(customer_id, "Ada")
        assert dal.orders.get(customer_id=customer_id, order_id=orders[1]["order_id"]) == orders[1]
        # Newest first (order_id DESC), as the schema says; limit applies.
        assert dal.orders.find(customer_id=customer_id) == orders[::-1]
        assert dal.orders.find(customer_id=customer_id, limit=2) == orders[:0:-1]
    return customer_id, orders


@pytest.mark.parametrize("context", [ACME, GLOBEX], ids=["premium", "basic"])
def test_tenant_writes_and_reads_its_orders_and_customers(local_dal: TenantDataAccess, context: TenantContext) -> None:
    write_and_read_back(local_dal, context)


def test_premium_rows_live_in_its_own_keyspace(local_dal: TenantDataAccess, cql_session: Session) -> None:
    customer_id, orders = write_and_read_back(local_dal, ACME)
    own = cql_session.execute("SELECT order_id FROM tenant_acme.orders WHERE customer_id = %s", [customer_id])
    assert {row.order_id for row in own} == {row["order_id"] for row in orders}
    pooled = cql_session.execute(
        "SELECT tenant_id FROM tenants_pool.orders WHERE customer_id = %s ALLOW FILTERING", [customer_id]
    )
    assert list(pooled) == []


def test_basic_rows_live_in_the_pool_under_its_tenant_id(local_dal: TenantDataAccess, cql_session: Session) -> None:
    customer_id, orders = write_and_read_back(local_dal, GLOBEX)
    rows = cql_session.execute(
        "SELECT order_id FROM tenants_pool.orders WHERE tenant_id = %s AND customer_id = %s", ["globex", customer_id]
    )
    assert {row.order_id for row in rows} == {row["order_id"] for row in orders}


def test_tenants_with_roles_assumed_in_sts_reach_their_rows(dal: TenantDataAccess) -> None:
    """The Amazon Keyspaces path's credential scopes (moto's STS), on the local node."""
    write_and_read_back(dal, ACME_CORP)
    write_and_read_back(dal, INITECH)
    assert sorted(dal.open_tenants()) == ["acme-corp", "initech"]


def test_a_basic_tenant_never_sees_another_basic_tenants_rows(local_dal: TenantDataAccess) -> None:
    shared_id = unique("same-key")  # both tenants use the same customer id: the pool keeps them apart
    globex_order, initech_order = order(shared_id, status="globex"), order(shared_id, status="initech")
    with tenant_scope(GLOBEX):
        local_dal.customers.put(customer(shared_id, "Globex"))
        local_dal.orders.put(globex_order)
    with tenant_scope(INITECH):
        assert local_dal.customers.get(customer_id=shared_id) is None
        assert local_dal.orders.find(customer_id=shared_id) == []
        assert local_dal.orders.get(customer_id=shared_id, order_id=globex_order["order_id"]) is None
        local_dal.customers.put(customer(shared_id, "Initech"))
        local_dal.orders.put(initech_order)
        assert local_dal.customers.get(customer_id=shared_id) == customer(shared_id, "Initech")
        assert local_dal.orders.find(customer_id=shared_id) == [initech_order]
        # Deleting its own row with the other tenant's order id touches nothing of the other tenant.
        local_dal.orders.delete(customer_id=shared_id, order_id=globex_order["order_id"])
    with tenant_scope(GLOBEX):
        assert local_dal.customers.get(customer_id=shared_id) == customer(shared_id, "Globex")
        assert local_dal.orders.find(customer_id=shared_id) == [globex_order]


def test_premium_tenants_do_not_see_each_others_rows(local_dal: TenantDataAccess) -> None:
    shared_id = unique("same-key")
    with tenant_scope(ACME):
        local_dal.customers.put(customer(shared_id, "Acme"))
    with tenant_scope(ACME_CORP):
        assert local_dal.customers.get(customer_id=shared_id) is None
    with tenant_scope(GLOBEX):
        assert local_dal.customers.get(customer_id=shared_id) is None


@pytest.mark.parametrize("context", [ACME, GLOBEX], ids=["premium", "basic"])
def test_keys_and_rows_naming_another_tenant_are_refused(
    local_dal: TenantDataAccess, cql_session: Session, context: TenantContext
) -> None:
    victim = unique("victim")
    with tenant_scope(INITECH):
        local_dal.customers.put(customer(victim, "Victim"))
    with tenant_scope(context):
        calls: list[Callable[[], object]] = [
            lambda: local_dal.customers.put({**customer(victim, "Mallory"), "tenant_id": "initech"}),
            lambda: local_dal.customers.get(customer_id=victim, tenant_id="initech"),
            lambda: local_dal.orders.find(customer_id=victim, tenant_id="initech"),
            lambda: local_dal.customers.delete(customer_id=victim, tenant_id="initech"),
        ]
        for call in calls:
            with pytest.raises(CrossTenantAccessError, match=r"may not name tenant 'initech'"):
                call()
        # Naming itself is allowed and changes nothing about where the row goes.
        local_dal.customers.put({**customer(victim, "Self"), "tenant_id": context.tenant_id})
        assert local_dal.customers.get(customer_id=victim, tenant_id=context.tenant_id) == customer(victim, "Self")
    stored = cql_session.execute(
        "SELECT name FROM tenants_pool.customers WHERE tenant_id = %s AND customer_id = %s", ["initech", victim]
    ).one()
    assert stored.name == "Victim"


def test_operations_without_a_tenant_context_are_refused(local_dal: TenantDataAccess, cql_session: Session) -> None:
    customer_id = unique("nobody")
    calls: list[Callable[[], object]] = [
        lambda: local_dal.customers.put(customer(customer_id, "Nobody")),
        lambda: local_dal.customers.get(customer_id=customer_id),
        lambda: local_dal.orders.find(customer_id=customer_id),
        lambda: local_dal.orders.delete(customer_id=customer_id, order_id=uuid.uuid1()),
    ]
    for call in calls:
        with pytest.raises(NoTenantContextError, match="no tenant context"):
            call()
    written = cql_session.execute(
        "SELECT customer_id FROM tenants_pool.customers WHERE customer_id = %s ALLOW FILTERING", [customer_id]
    )
    assert list(written) == []
    assert local_dal.open_tenants() == []


@pytest.mark.parametrize(
    ("context", "error"),
    [
        (TenantContext("umbrella", "basic"), TenantOffboardedError),
        (TenantContext("hooli", "premium"), TenantOffboardedError),
        (TenantContext("stark", "basic"), UnknownTenantError),
    ],
    ids=["offboarded-basic", "offboarded-premium", "unknown"],
)
def test_contexts_the_directory_does_not_serve_are_refused(
    local_dal: TenantDataAccess, context: TenantContext, error: type[Exception]
) -> None:
    with tenant_scope(context), pytest.raises(error, match=context.tenant_id):
        local_dal.customers.get(customer_id="c1")
    assert local_dal.open_tenants() == []


def test_statements_are_prepared_once_per_tenant_and_reused(local_dal: TenantDataAccess) -> None:
    customer_id = unique("prepared")
    with tenant_scope(GLOBEX):
        local_dal.orders.put(order(customer_id))
        prepared = local_dal.connection_for(GLOBEX).tables[ORDERS.name]
        for _ in range(3):
            local_dal.orders.put(order(customer_id))
            local_dal.orders.find(customer_id=customer_id)
        assert local_dal.connection_for(GLOBEX).tables[ORDERS.name] is prepared
    assert prepared.insert.query_string.startswith('INSERT INTO "tenants_pool"."orders"')


def test_row_counts_per_tenant_follow_what_each_tenant_wrote(
    local_dal: TenantDataAccess, cql_session: Session, directory: TenantDirectory
) -> None:
    before = row_counts(cql_session, directory)
    assert set(before) == {"acme", "acme-corp", "globex", "initech"}  # active tenants only
    with tenant_scope(ACME):
        customer_id = unique("count")
        for _ in range(4):
            local_dal.orders.put(order(customer_id))
    with tenant_scope(GLOBEX):
        local_dal.customers.put(customer(unique("count"), "Counted"))
        local_dal.orders.put(order(unique("count")))
    after = row_counts(cql_session, directory)
    delta = {
        tenant: {table: after[tenant][table] - before[tenant][table] for table in after[tenant]} for tenant in after
    }
    assert delta == {
        "acme": {"customers": 0, "orders": 4},
        "acme-corp": {"customers": 0, "orders": 0},
        "globex": {"customers": 1, "orders": 1},
        "initech": {"customers": 0, "orders": 0},
    }


def test_sessions_and_refusals_are_logged_and_counted_without_row_data(
    local_dal: TenantDataAccess, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="functions.dal")
    secret_name = f"Secret-{uuid.uuid4().hex}"
    customer_id = unique("observed")
    with tenant_scope(GLOBEX):
        local_dal.customers.put(customer(customer_id, secret_name))
        with pytest.raises(CrossTenantAccessError):
            local_dal.customers.put({**customer(customer_id, secret_name), "tenant_id": "initech"})
        with pytest.raises(InvalidQueryError):
            local_dal.customers.put({**customer(customer_id, secret_name), "shoe_size": 44})
    metrics = local_dal.metrics()
    assert metrics.sessions_opened == metrics.sessions_open == 1
    assert metrics.refusals == {"cross-tenant": 1, "invalid-query": 1}
    events = [
        (r.dal_event, r.tenant_id, r.reason)  # type: ignore[attr-defined]
        for r in caplog.records
        if r.name == "functions.dal"
    ]
    assert events == [
        ("session-opened", "globex", "pooled"),
        ("refusal", "globex", "cross-tenant"),
        ("refusal", "globex", "invalid-query"),
    ]
    for record in caplog.records:
        assert secret_name not in record.getMessage() and customer_id not in str(vars(record))
