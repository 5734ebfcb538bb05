"""Rows of the tenant tables as tests write them through the DAL (functions/contracts/tables.py)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

CREATED = datetime(2026, 11, 23, 10, 0, 0)  # the driver returns naive UTC datetimes, millisecond precision


def customer(customer_id: str, name: str) -> dict[str, Any]:
    return {"customer_id": customer_id, "name": name, "email": f"{name.lower()}@example.com", "created_at": CREATED}


def order(customer_id: str, status: str = "new", total: int = 1250) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "order_id": uuid.uuid1(),
        "status": status,
        "total_cents": total,
        "currency": "EUR",
        "items": {"sku-1": 2, "sku-2": 1},
        "created_at": CREATED,
    }
