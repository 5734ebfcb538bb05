"""Firehose dynamic partitioning: the jq query (run by the jq library) and the prefixes it fills."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import jq
import pytest

from components.ingestion.firehose_partitioning import (
    ERRORS_PREFIX,
    EVENTS_ERROR_PREFIX,
    EVENTS_PREFIX,
    MAX_PARAMETER_LENGTH,
    METADATA_EXTRACTION_QUERY,
    PARTITION_KEYS,
    REJECTS_ERROR_PREFIX,
    REJECTS_PREFIX,
    WRITTEN_PREFIXES,
)
from functions.contracts.s3_layout import tenant_s3_prefix
from local.errors import PrefixError
from local.sandbox.firehose_prefix import render_prefix

ARRIVAL = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # when Firehose receives the record

# 2025-11-22T08:26:40.123Z
ENRICHED = {
    "tenantId": "umbrella-labs",
    "tier": "basic",
    "requestId": "r-1",
    "receivedAt": 1763800000000,
    "payload": {"tenantId": "somebody-else", "timestamp": 0},
    "timestamp": 1763800000123,
}


def extract(record: dict[str, Any]) -> dict[str, Any]:
    keys: dict[str, Any] = jq.compile(METADATA_EXTRACTION_QUERY).input_value(record).first()
    return keys


def test_query_extracts_tenant_and_utc_date_of_the_processing_timestamp():
    assert extract(ENRICHED) == {"tenantId": "umbrella-labs", "year": "2025", "month": "11", "day": "22"}
    assert tuple(extract(ENRICHED)) == PARTITION_KEYS


def test_date_is_utc_and_zero_padded():
    # 2024-02-03T23:59:59.999Z: one millisecond before midnight stays on the 3rd.
    assert extract({**ENRICHED, "timestamp": 1707004799999}) | {"tenantId": None} == {
        "tenantId": None,
        "year": "2024",
        "month": "02",
        "day": "03",
    }


def test_events_land_under_the_tenants_own_prefix():
    prefix = render_prefix(EVENTS_PREFIX, extract(ENRICHED), ARRIVAL)
    assert prefix == "tenant=umbrella-labs/year=2025/month=11/day=22/"
    assert prefix.startswith(tenant_s3_prefix("umbrella-labs"))  # what tenant roles are scoped to


def test_a_record_without_tenant_cannot_be_partitioned():
    keys = extract({key: value for key, value in ENRICHED.items() if key != "tenantId"})
    assert keys["tenantId"] is None
    with pytest.raises(PrefixError, match="tenantId"):
        render_prefix(EVENTS_PREFIX, keys, ARRIVAL)


def test_query_fits_a_firehose_processor_parameter():
    assert len(METADATA_EXTRACTION_QUERY) <= MAX_PARAMETER_LENGTH


def test_failures_and_rejects_go_under_errors_by_kind():
    assert EVENTS_ERROR_PREFIX.startswith("errors/firehose/events/!{firehose:error-output-type}/")
    assert REJECTS_ERROR_PREFIX.startswith("errors/firehose/rejects/!{firehose:error-output-type}/")
    assert REJECTS_PREFIX.startswith("errors/flink/")
    for prefix in (EVENTS_ERROR_PREFIX, REJECTS_ERROR_PREFIX, REJECTS_PREFIX):
        assert prefix.startswith(ERRORS_PREFIX)
        assert prefix.endswith("/")
        assert "partitionKeyFromQuery" not in prefix


def test_firehose_writes_only_tenant_data_and_errors():
    for prefix in (EVENTS_PREFIX, EVENTS_ERROR_PREFIX, REJECTS_PREFIX, REJECTS_ERROR_PREFIX):
        assert any(prefix.startswith(written) for written in WRITTEN_PREFIXES), prefix
