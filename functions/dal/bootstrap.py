"""Schema bootstrap for a local Cassandra, from the table schemas the Pulumi program declares.

On AWS, Pulumi creates the keyspaces and tables. Locally this creates the same: the pooled
keyspace with every table's pooled variant, and each silo tenant's keyspace that the
directory lists, with the tables as defined.

    python -m functions.dal.bootstrap --port 9042 --directory tenants.json
    python -m functions.dal.bootstrap --port 9042 --keyspace tenants_pool --keyspace tenant_acme
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping
from pathlib import Path

from cassandra.cluster import Cluster, NoHostAvailable, Session

from functions.contracts.cli import run_command
from functions.contracts.errors import ContractError
from functions.contracts.keyspaces import POOLED_KEYSPACE
from functions.contracts.tables import TENANT_TABLES, TableSchema
from functions.dal import cql
from functions.dal.directory import TenantDirectory
from functions.dal.errors import DalError, UnreachableError


def keyspace_statements(
    keyspaces: Iterable[str],
    tables: tuple[TableSchema, ...] = TENANT_TABLES,
    replication: Mapping[str, str | int] = cql.LOCAL_REPLICATION,
) -> list[str]:
    """The DDL for these keyspaces, in order: each keyspace before its tables. Idempotent (IF NOT EXISTS).

    The pooled keyspace gets every table's pooled variant (tenant_id leads the partition key); any
    other keyspace is a silo tenant's and gets the tables as defined.
    """
    statements: list[str] = []
    for keyspace in dict.fromkeys(keyspaces):  # unique, in the caller's order
        statements.append(cql.create_keyspace(keyspace, replication))
        pooled = keyspace == POOLED_KEYSPACE
        statements += [cql.create_table(keyspace, table.pooled() if pooled else table) for table in tables]
    return statements


def directory_keyspaces(directory: TenantDirectory) -> list[str]:
    """The pooled keyspace, then each tenant keyspace the directory lists: a silo tenant's, and a migrating
    tenant's source or target (both storages exist while it moves)."""
    named: set[str] = set()
    for record in directory.records():
        named.add(record.keyspace)
        if record.migration is not None:
            named.add(record.migration.keyspace)
    silos = sorted(named - {POOLED_KEYSPACE})
    return [POOLED_KEYSPACE, *silos]


def schema_statements(
    directory: TenantDirectory,
    tables: tuple[TableSchema, ...] = TENANT_TABLES,
    replication: Mapping[str, str | int] = cql.LOCAL_REPLICATION,
) -> list[str]:
    """The DDL for every keyspace the directory names."""
    return keyspace_statements(directory_keyspaces(directory), tables, replication)


def bootstrap_keyspaces(session: Session, keyspaces: Iterable[str]) -> list[str]:
    """Create these keyspaces and their tables (e.g. the keyspaces the Pulumi program declares)."""
    statements = keyspace_statements(keyspaces)
    for statement in statements:
        session.execute(statement, timeout=60)
    return statements


def bootstrap(session: Session, directory: TenantDirectory) -> list[str]:
    """Create every keyspace the directory names, and their tables."""
    return bootstrap_keyspaces(session, directory_keyspaces(directory))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m functions.dal.bootstrap", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--directory", type=Path, help="JSON: the stack output `tenants`")
    source.add_argument("--keyspace", action="append", help="a keyspace to create (repeat for more)")
    args = parser.parse_args(argv)
    keyspaces = directory_keyspaces(TenantDirectory.from_file(args.directory)) if args.directory else args.keyspace
    statements = keyspace_statements(keyspaces)  # checked before anything is connected to
    cluster = Cluster([args.host], port=args.port, connect_timeout=10)
    try:
        try:
            session = cluster.connect()
        except NoHostAvailable as error:
            raise UnreachableError(f"cannot reach Cassandra at {args.host}:{args.port}: is it running?") from error
        for statement in statements:
            session.execute(statement, timeout=60)
            print(statement)
    finally:
        cluster.shutdown()
    return 0


if __name__ == "__main__":
    run_command(main, (DalError, ContractError))
