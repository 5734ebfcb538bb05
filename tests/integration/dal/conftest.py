"""DAL fixtures: one real Apache Cassandra per session (marker `cassandra`), a tenant directory, a DAL.

The node (tests/integration/conftest.py) starts on first use, so `pytest -m cassandra` runs alone and
`pytest -m "not cassandra"` never starts it. STS is moto's (the `aws_env` fixture of tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from cassandra.cluster import Session

from functions.dal import RoleAssumer, TenantDataAccess, TenantDirectory
from functions.dal.bootstrap import bootstrap
from local.services.cassandra import CassandraNode
from local.services.moto_server import MotoServer
from tests.support.directory_data import DIRECTORY


@pytest.fixture(scope="session")
def directory() -> TenantDirectory:
    return TenantDirectory.from_mapping(DIRECTORY)


@pytest.fixture(scope="session")
def cql_session(cassandra_node: CassandraNode, directory: TenantDirectory) -> Iterator[Session]:
    """A bare driver session (no DAL) with the tenant schema bootstrapped: for looking under the DAL."""
    with cassandra_node.cql() as session:
        bootstrap(session, directory)
        yield session


@pytest.fixture
def roles(aws_env: MotoServer) -> RoleAssumer:
    return RoleAssumer("us-east-1", sts_client=boto3.client("sts", region_name="us-east-1"))


@pytest.fixture
def dal(
    cassandra_node: CassandraNode, cql_session: Session, directory: TenantDirectory, roles: RoleAssumer
) -> Iterator[TenantDataAccess]:
    """The DAL on the local Cassandra, assuming tenant roles in moto's STS."""
    with TenantDataAccess.local(directory, cassandra_node.native_port, roles, outage_deadline=120.0) as access:
        yield access


@pytest.fixture
def local_dal(
    cassandra_node: CassandraNode, cql_session: Session, directory: TenantDirectory
) -> Iterator[TenantDataAccess]:
    """The DAL as local development (and the demo) uses it: plain connections, no role assumption."""
    with TenantDataAccess.local(directory, cassandra_node.native_port, outage_deadline=120.0) as access:
        yield access
