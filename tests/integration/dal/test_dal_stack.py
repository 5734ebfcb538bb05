"""The demo's path on the real Cassandra: the dev stack's declared keyspaces and its `tenants` output.

The Pulumi program runs under mocks; its Keyspaces keyspaces are bootstrapped locally, the tables
come out as its Table resources declare them, and every active tenant writes through the DAL.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from cassandra.cluster import Session

from functions.dal import TenantContext, TenantDataAccess, TenantDirectory, tenant_scope
from functions.dal.bootstrap import bootstrap_keyspaces
from functions.dal.counts import row_counts
from local.environment import read_environment
from local.program import Declaration
from local.services.cassandra import CassandraNode

pytestmark = pytest.mark.cassandra


@pytest.fixture(scope="module")
def dev_stack() -> Declaration:
    return read_environment("dev").declaration


@pytest.fixture(scope="module")
def declared_schema(dev_stack: Declaration, cql_session: Session) -> list[str]:
    keyspaces = [r.inputs["name"] for r in dev_stack.of_type("aws:keyspaces/keyspace:Keyspace")]
    bootstrap_keyspaces(cql_session, keyspaces)
    return keyspaces


def local_table(session: Session, keyspace: str, table: str) -> dict[str, Any]:
    """A table's schema as Cassandra holds it, in the shape of Keyspaces' schemaDefinition."""
    rows = list(
        session.execute(
            "SELECT column_name, kind, position, type, clustering_order FROM system_schema.columns "
            "WHERE keyspace_name = %s AND table_name = %s",
            [keyspace, table],
        )
    )

    def keys(kind: str) -> list[Any]:
        return [r for r in sorted(rows, key=lambda r: r.position) if r.kind == kind]

    return {
        "columns": {r.column_name: r.type.replace(" ", "") for r in rows},
        "partitionKeys": [r.column_name for r in keys("partition_key")],
        "clusteringKeys": [(r.column_name, r.clustering_order.upper()) for r in keys("clustering")],
    }


def test_bootstrapped_tables_are_the_tables_the_program_declares(
    dev_stack: Declaration, declared_schema: list[str], cql_session: Session
) -> None:
    tables = dev_stack.of_type("aws:keyspaces/table:Table")
    assert len(tables) == 2 * len(declared_schema) >= 6  # customers and orders in the pool and each silo
    assert {t.inputs["keyspaceName"] for t in tables} == set(declared_schema)
    for table in tables:
        declared = table.inputs["schemaDefinition"]
        local = local_table(cql_session, table.inputs["keyspaceName"], table.inputs["tableName"])
        assert local == {
            "columns": {c["name"]: c["type"].replace(" ", "") for c in declared["columns"]},
            "partitionKeys": [k["name"] for k in declared["partitionKeys"]],
            "clusteringKeys": [(k["name"], k["orderBy"]) for k in declared.get("clusteringKeys", [])],
        }, f"{table.inputs['keyspaceName']}.{table.inputs['tableName']}"


def test_every_active_tenant_of_the_stack_writes_through_the_dal(
    dev_stack: Declaration, declared_schema: list[str], cassandra_node: CassandraNode, cql_session: Session
) -> None:
    directory = TenantDirectory.from_mapping(dev_stack.outputs["tenants"])
    served = sorted(r.tenant_id for r in directory.records() if r.status == "active")
    before = row_counts(cql_session, directory)
    with TenantDataAccess.local(directory, cassandra_node.native_port) as dal:
        for n, record in enumerate(directory.records(), start=1):
            if record.status != "active":
                continue
            with tenant_scope(TenantContext(record.tenant_id, record.tier)):
                customer_id = f"demo-{uuid.uuid4().hex[:8]}"
                dal.customers.put({"customer_id": customer_id, "name": record.tenant_id})
                for _ in range(n):
                    dal.orders.put({"customer_id": customer_id, "order_id": uuid.uuid1(), "status": "new"})
    after = row_counts(cql_session, directory)
    assert sorted(after) == served  # the offboarded tenant is not counted
    order = [r.tenant_id for r in directory.records()]
    assert {t: after[t]["orders"] - before[t]["orders"] for t in served} == {t: order.index(t) + 1 for t in served}
    assert {t: after[t]["customers"] - before[t]["customers"] for t in served} == dict.fromkeys(served, 1)
