"""Schema bootstrap for a local Cassandra, from the table schemas the Pulumi program declares.

On AWS, Pulumi creates the keyspaces and tables. Locally this creates the same: the pooled
keyspace with every table's pooled variant, and each premium tenant's keyspace that the
directory lists, with the tables as defined.

    python -m functions.dal.bootstrap --port 9042 --directory tenants.json
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

from cassandra.cluster import Cluster, Session

from functions.dal.directory import TenantDirectory
from naming import POOLED_KEYSPACE
from schemas import cql
from schemas.tables import TENANT_TABLES, TableSchema


def schema_statements(
    directory: TenantDirectory,
    tables: tuple[TableSchema, ...] = TENANT_TABLES,
    replication: Mapping[str, str | int] = cql.LOCAL_REPLICATION,
) -> list[str]:
    """The DDL, in order: keyspaces before their tables. Idempotent (IF NOT EXISTS)."""
    statements = [cql.create_keyspace(POOLED_KEYSPACE, replication)]
    statements += [cql.create_table(POOLED_KEYSPACE, table.pooled()) for table in tables]
    silo_keyspaces = sorted({record.keyspace for record in directory.records() if not record.pooled})
    for keyspace in silo_keyspaces:
        statements.append(cql.create_keyspace(keyspace, replication))
        statements += [cql.create_table(keyspace, table) for table in tables]
    return statements


def bootstrap(session: Session, directory: TenantDirectory) -> list[str]:
    statements = schema_statements(directory)
    for statement in statements:
        session.execute(statement, timeout=60)
    return statements


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m functions.dal.bootstrap", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--directory", type=Path, required=True, help="JSON: the stack output `tenants`")
    args = parser.parse_args(argv)
    cluster = Cluster([args.host], port=args.port)
    try:
        for statement in bootstrap(cluster.connect(), TenantDirectory.from_file(args.directory)):
            print(statement)
    finally:
        cluster.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
