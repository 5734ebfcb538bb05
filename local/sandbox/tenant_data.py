"""TenantRecord microservice traffic through the DAL: each tenant writes its customers and orders, reads
them back, and tries to reach every other tenant's data (which the DAL must refuse or not show)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from functions.contracts.directory import TenantRecord
from functions.dal import CrossTenantAccessError, TenantContext, TenantDataAccess, tenant_scope
from local.sandbox.report import IsolationCheck


def customer_ids(tenant_id: str, count: int) -> list[str]:
    # Ids carry the tenant so that "another tenant's customer" is a concrete key to try.
    return [f"{tenant_id}-customer-{n}" for n in range(1, count + 1)]


def write_orders(dal: TenantDataAccess, tenant: TenantRecord, customers: int, orders_per_customer: int) -> None:
    now = datetime.now(UTC)
    with tenant_scope(TenantContext(tenant.tenant_id, tenant.tier)):
        for customer_id in customer_ids(tenant.tenant_id, customers):
            dal.customers.put(
                {
                    "customer_id": customer_id,
                    "name": customer_id.title(),
                    "email": f"{customer_id}@example.com",
                    "created_at": now,
                }
            )
            for n in range(orders_per_customer):
                dal.orders.put(
                    {
                        "customer_id": customer_id,
                        "order_id": uuid.uuid1(),
                        "status": "placed",
                        "total_cents": 1000 + n,
                        "currency": "EUR",
                        "items": {"sku-1": n + 1},
                        "created_at": now,
                    }
                )


def row_counts(dal: TenantDataAccess, tenant: TenantRecord, customers: int) -> dict[str, int]:
    """Rows the tenant sees through the DAL, per table."""
    counts = {"customers": 0, "orders": 0}
    with tenant_scope(TenantContext(tenant.tenant_id, tenant.tier)):
        for customer_id in customer_ids(tenant.tenant_id, customers):
            counts["customers"] += dal.customers.get(customer_id=customer_id) is not None
            counts["orders"] += len(dal.orders.find(limit=1000, customer_id=customer_id))
    return counts


def reaches(dal: TenantDataAccess, principal: TenantRecord, target: TenantRecord) -> bool:
    """Whether `principal`'s DAL context can read any of `target`'s data, by its keys or by naming it."""
    target_customer = customer_ids(target.tenant_id, 1)[0]
    with tenant_scope(TenantContext(principal.tenant_id, principal.tier)):
        if dal.customers.get(customer_id=target_customer) is not None:
            return True
        if principal.tenant_id == target.tenant_id:
            return False
        try:
            named = dal.customers.get(tenant_id=target.tenant_id, customer_id=target_customer)
        except CrossTenantAccessError:
            return False
        return named is not None


def dal_isolation(dal: TenantDataAccess, tenants: list[TenantRecord]) -> list[IsolationCheck]:
    return [
        IsolationCheck(principal.tenant_id, target.tenant_id, "dal", reaches(dal, principal, target))
        for principal in tenants
        for target in tenants
    ]
