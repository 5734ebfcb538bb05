"""The local Athena over moto's S3: each tenant's SQL, as itself, counts what landed for it; a query naming
another tenant, naming none, writing results elsewhere, or scanning past the workgroup's cutoff is refused."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from local.analytics.athena import LocalAthena
from local.analytics.catalog import DeclaredAnalytics, read_analytics
from local.environment import read_environment
from local.errors import QueryRefusedError
from local.fake_cloud import ACCOUNT_ID
from local.iam.matrix import DeclaredAccess, read_access
from local.sandbox.declared import read_declaration
from local.sandbox.delivery import deliver, object_lines
from local.sandbox.local_cloud import LocalCloud
from local.sandbox.tenant_analytics import count_query, identity, tenant_queries
from local.services.moto_server import MotoServer

pytestmark = [pytest.mark.moto, pytest.mark.iam]
NOV_23_2026 = 1795430400000


@pytest.fixture(scope="module")
def landed(moto_server: MotoServer) -> tuple[LocalCloud, DeclaredAccess, DeclaredAnalytics, Any]:
    declaration = read_environment("dev").declaration
    stack = read_declaration(declaration, "us-east-1")
    cloud = LocalCloud(moto_server.endpoint, "us-east-1", "pool", "client")
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket=stack.bucket)
    records = [
        json.dumps(
            {
                "tenantId": tenant,
                "tier": "t",
                "requestId": f"{tenant}-{n}",
                "receivedAt": 1,
                "payload": {"n": n, "nested": {"a": [1, 2]}},
                "timestamp": NOV_23_2026 + n,
            }
        ).encode()
        for tenant, count in (("acme", 7), ("initech", 5), ("globex", 3))
        for n in range(count)
    ]
    deliver(stack.event_streams[0], records, s3, stack.bucket)
    return cloud, read_access(declaration, "us-east-1"), read_analytics(declaration, "us-east-1", ACCOUNT_ID), stack


def landed_count(s3: Any, bucket: str, tenant_id: str) -> int:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"tenant={tenant_id}/")
    keys = [item["Key"] for page in pages for item in page.get("Contents", [])]
    return sum(len(object_lines(key, s3.get_object(Bucket=bucket, Key=key)["Body"].read())) for key in keys)


def test_each_tenant_counts_its_own_events_and_is_refused_anothers(landed: Any) -> None:
    cloud, access, analytics, stack = landed
    served = [t for t in stack.tenants if t.active]
    counts = {t.tenant_id: landed_count(cloud.client("s3"), stack.bucket, t.tenant_id) for t in served}
    assert counts["acme"] >= 7 and counts["initech"] >= 5
    results = tenant_queries(cloud, access, analytics, served, counts)
    assert {r.tenant_id: (r.queried, r.refused_other) for r in results} == {t: (n, True) for t, n in counts.items()}
    # Refused by the IAM evaluator's decision on listing the other tenant's partition, before any read.
    assert all("s3:ListBucket" in r.refusal for r in results)


def test_a_query_naming_no_tenant_is_refused_by_the_injected_projection(landed: Any) -> None:
    cloud, access, analytics, stack = landed
    acme = next(t for t in stack.tenants if t.tenant_id == "acme")
    athena = LocalAthena(analytics, {})
    with pytest.raises(QueryRefusedError) as refused:
        athena.run(identity(cloud, access, acme), f"SELECT count(*) FROM {analytics.table.qualified}")
    assert refused.value.code == "CONSTRAINT_VIOLATION"


def test_results_go_only_under_the_tenants_own_prefix(landed: Any) -> None:
    cloud, access, analytics, stack = landed
    initech = next(t for t in stack.tenants if t.tenant_id == "initech")
    caller = identity(cloud, access, initech)
    athena = LocalAthena(analytics, {})
    sql = f"SELECT payload FROM {analytics.table.qualified} WHERE tenant = 'initech' AND year = '2026' LIMIT 1"
    answer = athena.run(caller, sql, f"s3://{analytics.results_bucket}/tenant=initech/")
    assert json.loads(answer.rows[0]["payload"])["nested"] == {"a": [1, 2]}  # the payload as its JSON text
    for elsewhere in (f"s3://{analytics.results_bucket}/tenant=acme/", None):  # another's, the workgroup's
        with pytest.raises(QueryRefusedError, match="s3:PutObject"):
            athena.run(caller, count_query(analytics, "initech"), elsewhere)


def test_a_query_past_the_workgroups_cutoff_is_cancelled(landed: Any) -> None:
    cloud, access, analytics, stack = landed
    acme = next(t for t in stack.tenants if t.tenant_id == "acme")
    tiny = {tier: dataclasses.replace(w, bytes_scanned_cutoff=10) for tier, w in analytics.workgroups.items()}
    athena = LocalAthena(dataclasses.replace(analytics, workgroups=tiny), {})
    with pytest.raises(QueryRefusedError) as cancelled:
        athena.run(
            identity(cloud, access, acme),
            count_query(analytics, "acme"),
            f"s3://{analytics.results_bucket}/tenant=acme/",
        )
    assert cancelled.value.code == "QUERY_CANCELLED"
