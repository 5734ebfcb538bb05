"""Accounting for every event: what each tenant sent, and what the bucket holds at the end.

Landed events are counted from the objects under each tenant's prefix; pipeline rejects from the
Flink rejects under `errors/`. A reject whose record came through the front door (it carries the
front door's requestId) belongs to that record's tenant; any other to the direct producer.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from functions.contracts.directory import TenantRecord
from local.sandbox.declared import DeclaredStack
from local.sandbox.delivery import object_lines
from local.sandbox.report import TenantOutcome
from local.sandbox.traffic import TenantTraffic

DIRECT_PRODUCER = "(straight to the stream)"


@dataclass
class Landing:
    landed: Counter[str] = field(default_factory=Counter)  # tenant id -> events under its prefix
    rejected: Counter[str] = field(default_factory=Counter)  # tenant id or DIRECT_PRODUCER -> rejects
    sample_keys: dict[str, str] = field(default_factory=dict)  # tenant id -> one of its objects
    misplaced: int = 0  # events under a prefix that is not their envelope's tenant

    @property
    def forged_in_place(self) -> bool:
        return self.misplaced == 0


def _objects(s3: Any, bucket: str, prefix: str) -> list[str]:
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(item["Key"] for item in page.get("Contents", []))
    return keys


def _records(s3: Any, bucket: str, key: str) -> list[dict[str, Any]]:
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    return [json.loads(line) for line in object_lines(key, body)]


def reject_owner(reject: dict[str, Any], tenants: set[str]) -> str:
    try:
        record = json.loads(reject["record"])
    except (TypeError, ValueError):
        return DIRECT_PRODUCER
    if isinstance(record, dict) and record.get("requestId") and record.get("tenantId") in tenants:
        return str(record["tenantId"])
    return DIRECT_PRODUCER


@dataclass
class Ledger:
    traffic: dict[str, TenantTraffic]
    direct: int = 0  # records written straight to the stream

    def on_stream(self) -> int:
        """Records the stream holds: what the front door accepted, and the direct producer's."""
        return sum(traffic.accepted for traffic in self.traffic.values()) + self.direct

    def count_landed(self, s3: Any, stack: DeclaredStack) -> Landing:
        landing = Landing()
        for tenant in stack.tenants:
            for key in _objects(s3, stack.bucket, tenant.s3_prefix):
                records = _records(s3, stack.bucket, key)
                landing.landed[tenant.tenant_id] += len(records)
                landing.misplaced += sum(r.get("tenantId") != tenant.tenant_id for r in records)
                landing.sample_keys.setdefault(tenant.tenant_id, key)
        errors_prefix = stack.rejects.prefix.split("!{", 1)[0]
        for key in _objects(s3, stack.bucket, errors_prefix):
            for reject in _records(s3, stack.bucket, key):
                landing.rejected[reject_owner(reject, set(self.traffic))] += 1
        return landing

    def outcome(self, tenant: TenantRecord, landing: Landing, rows: dict[str, int]) -> TenantOutcome:
        traffic = self.traffic[tenant.tenant_id]
        return TenantOutcome(
            tenant_id=tenant.tenant_id,
            tier=tenant.tier,
            sent=traffic.sent,
            landed=landing.landed[tenant.tenant_id],
            rejected=landing.rejected[tenant.tenant_id],
            refused=traffic.refused,
            s3_prefix=tenant.s3_prefix,
            keyspace=tenant.keyspace,
            rows=rows,
            answers=dict(traffic.answers),
        )

    def direct_outcome(self, landing: Landing) -> TenantOutcome:
        return TenantOutcome(
            tenant_id=DIRECT_PRODUCER, tier="-", sent=self.direct, rejected=landing.rejected[DIRECT_PRODUCER]
        )
