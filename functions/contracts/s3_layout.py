"""The ingest bucket's layout: tenants' events under `tenant=<id>/`, failures under `errors/`."""

from __future__ import annotations

from functions.contracts.tenant_id import check_tenant_id

TENANT_DATA_PREFIX = "tenant="
ERRORS_PREFIX = "errors/"
FIREHOSE_ERRORS_PREFIX = f"{ERRORS_PREFIX}firehose/"
FLINK_REJECTS_PREFIX = f"{ERRORS_PREFIX}flink/"


def tenant_s3_prefix(tenant_id: str) -> str:
    """Where a tenant's enriched events land (Firehose dynamic partitioning)."""
    return f"{TENANT_DATA_PREFIX}{check_tenant_id(tenant_id)}/"


# Per-tenant usage, written by the Flink job exactly once per window (docs/design.md "Metering"):
# metering/dt=YYYY-MM-DD/<part files>, JSON lines of functions/contracts/metering.py's columns.
METERING_PREFIX = "metering/"
