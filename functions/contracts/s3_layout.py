"""The ingest bucket's layout: tenants' events under `tenant=<id>/`, failures under `errors/`.

The events' partitions are written once, here, as data: Firehose's prefix expressions
(components/ingestion/firehose_partitioning.py) and the analytics table's partition projection
(`storage.location.template`, components/analytics/catalog.py) are both `events_prefix` over them, so the
place Firehose writes and the place Athena reads cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping

from functions.contracts.tenant_id import check_tenant_id

TENANT_PARTITION = "tenant"
DATE_PARTITIONS = ("year", "month", "day")  # UTC, of the Flink job's processing time; zero-padded month and day
EVENT_PARTITIONS = (TENANT_PARTITION, *DATE_PARTITIONS)  # path order: tenant=<id>/year=YYYY/month=MM/day=DD/

TENANT_DATA_PREFIX = f"{TENANT_PARTITION}="
ERRORS_PREFIX = "errors/"
FIREHOSE_ERRORS_PREFIX = f"{ERRORS_PREFIX}firehose/"
FLINK_REJECTS_PREFIX = f"{ERRORS_PREFIX}flink/"
# Enriched events land GZIP-compressed, one JSON object per line; Firehose appends this to each object's key.
COMPRESSED_EVENTS_SUFFIX = ".gz"


def events_prefix(values: Mapping[str, str]) -> str:
    """The events' key prefix with each partition's value (or an expression that yields it), in path order."""
    missing = [name for name in EVENT_PARTITIONS if name not in values]
    if missing:
        raise ValueError(f"an events prefix needs a value for every partition, missing {missing}")
    return "".join(f"{name}={values[name]}/" for name in EVENT_PARTITIONS)


def tenant_s3_prefix(tenant_id: str) -> str:
    """Where a tenant's enriched events land (Firehose dynamic partitioning); also its query results' prefix
    in the analytics results bucket."""
    return f"{TENANT_DATA_PREFIX}{check_tenant_id(tenant_id)}/"
