"""Fixtures the integration areas share: one real Apache Cassandra for the whole session.

One node only (the machine is small, and a second would share its run directory): the DAL's and the
lifecycle jobs' tests both use it, each on keyspaces or tenants of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from local.services.cassandra import CassandraNode


@pytest.fixture(scope="session")
def cassandra_node(run_dir: Path) -> Iterator[CassandraNode]:
    """One Apache Cassandra 5.0 node for the session, on free loopback ports; stopped at the end."""
    with CassandraNode(run_dir / "cassandra") as node:
        yield node
