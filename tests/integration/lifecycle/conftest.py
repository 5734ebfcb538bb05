"""Lifecycle fixtures: the shared Cassandra node (tests/integration/conftest.py), an operator's session, the
jobs' sessions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cassandra.cluster import Session

from functions.contracts.keyspaces import POOLED_KEYSPACE
from functions.dal.bootstrap import bootstrap_keyspaces
from functions.dal.connection import LocalCassandra
from functions.lifecycle.store import Cassandra
from local.services.cassandra import CassandraNode


@pytest.fixture(scope="session")
def operator(cassandra_node: CassandraNode) -> Iterator[Session]:
    """A bare driver session for looking under the DAL (and altering a row behind its back)."""
    with cassandra_node.cql() as session:
        bootstrap_keyspaces(session, [POOLED_KEYSPACE])
        yield session


@pytest.fixture
def cassandra(cassandra_node: CassandraNode, operator: Session) -> Iterator[Cassandra]:
    """The jobs' sessions on the local node (no roles: local development, as `make migrate` runs it)."""
    with Cassandra(LocalCassandra(cassandra_node.native_port)) as jobs:
        yield jobs
