"""Rows and keys into bind values: column order, tenant binding for the pool, refusals."""

from __future__ import annotations

import pytest
from cassandra.query import UNSET_VALUE

from functions.contracts.tables import CUSTOMERS, ORDERS
from functions.dal import CrossTenantAccessError, InvalidQueryError
from functions.dal.errors import DalUsageError
from functions.dal.rows import RowShape, check_limit

ROW = {"customer_id": "c1", "name": "Ada", "email": "ada@example.com"}


def test_pooled_rows_bind_the_tenant_first_and_leave_missing_columns_unset() -> None:
    values = RowShape(CUSTOMERS, pooled=True).insert_values("globex", ROW)
    assert values == ["globex", "c1", "Ada", "ada@example.com", UNSET_VALUE]


def test_silo_rows_bind_only_the_table_columns() -> None:
    assert RowShape(CUSTOMERS, pooled=False).insert_values("acme", ROW) == ["c1", "Ada", "ada@example.com", UNSET_VALUE]


def test_a_row_naming_its_own_tenant_is_accepted_and_the_tenant_bound_once() -> None:
    values = RowShape(CUSTOMERS, pooled=True).insert_values("globex", {**ROW, "tenant_id": "globex"})
    assert values[:2] == ["globex", "c1"]
    assert len(values) == 1 + len(CUSTOMERS.columns)


@pytest.mark.parametrize("pooled", [True, False])
def test_a_row_or_key_naming_another_tenant_is_refused(pooled: bool) -> None:
    shape = RowShape(ORDERS, pooled)
    with pytest.raises(CrossTenantAccessError, match="'globex' may not name tenant 'initech'"):
        shape.insert_values("globex", {**ROW, "tenant_id": "initech"})
    with pytest.raises(CrossTenantAccessError):
        shape.key_values("globex", {"customer_id": "c1", "tenant_id": "initech"}, shape.partition_key)


def test_unknown_columns_missing_keys_and_null_keys_are_refused() -> None:
    shape = RowShape(ORDERS, pooled=True)
    with pytest.raises(InvalidQueryError, match=r"has no columns \['keyspace'\]"):
        shape.insert_values("globex", {"customer_id": "c1", "order_id": "x", "keyspace": "tenant_acme"})
    with pytest.raises(InvalidQueryError, match="key column 'order_id' is missing or null"):
        shape.insert_values("globex", {"customer_id": "c1"})
    with pytest.raises(InvalidQueryError, match="expected exactly the key columns"):
        shape.key_values("globex", {"customer_id": "c1", "status": "new"}, shape.partition_key)
    with pytest.raises(InvalidQueryError, match="must not be null"):
        shape.key_values("globex", {"customer_id": None}, shape.partition_key)


def test_key_values_follow_the_key_order() -> None:
    shape = RowShape(ORDERS, pooled=True)
    assert shape.key_values("globex", {"order_id": "o1", "customer_id": "c1"}, shape.primary_key) == [
        "globex",
        "c1",
        "o1",
    ]


@pytest.mark.parametrize("limit", [0, -1, 10_001, True, 2.5, "10"])
def test_limits_outside_the_range_are_refused(limit: object) -> None:
    with pytest.raises(InvalidQueryError, match="limit"):
        check_limit(limit)  # type: ignore[arg-type]


def test_a_base_schema_with_tenant_id_is_a_programming_error() -> None:
    with pytest.raises(DalUsageError, match="must not hold tenant_id"):
        RowShape(CUSTOMERS.pooled(), pooled=True)
