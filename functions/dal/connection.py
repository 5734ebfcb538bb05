"""Where the DAL connects: Amazon Keyspaces (TLS 9142, SigV4) or a local Cassandra (plain), same API.

Both get the same execution profile: LOCAL_QUORUM, dict rows, the idempotent retry policy,
protocol v4 (what Amazon Keyspaces speaks), and a short reconnection backoff so a restarted
node is found again within seconds.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from cassandra import ConsistencyLevel, ProtocolVersion
from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile, Session
from cassandra.policies import DCAwareRoundRobinPolicy, ExponentialReconnectionPolicy
from cassandra.query import dict_factory
from cassandra_sigv4.auth import SigV4AuthProvider

from functions.dal.errors import DalUsageError
from functions.dal.retry import IdempotentRetryPolicy

KEYSPACES_PORT = 9142
REQUEST_TIMEOUT = 10.0


# The roots the Amazon Keyspaces developer guide names (Amazon Root CA 1-4, Starfield Class 2),
# shipped with the DAL: the system store would also trust every other public CA for this name.
KEYSPACES_ROOTS = str(Path(__file__).with_name("keyspaces-roots.pem"))


@dataclass(frozen=True)
class AmazonKeyspaces:
    """The regional Amazon Keyspaces endpoint: TLS verified against `ca_file` for the name `host`.

    `ca_file` defaults to the roots the Keyspaces guide names. `contact_points` replaces the
    public DNS name as the address connected to (e.g. an interface VPC endpoint's DNS name); the
    certificate must name `host` whatever address the driver reaches.
    """

    region: str
    ca_file: str | None = None
    contact_points: tuple[str, ...] = ()
    port: int = KEYSPACES_PORT

    @property
    def host(self) -> str:
        return f"cassandra.{self.region}.amazonaws.com"

    def ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=self.ca_file or KEYSPACES_ROOTS)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.check_hostname = True
        context.verify_mode = ssl.CERT_REQUIRED
        return context

    def ssl_options(self) -> dict[str, str]:
        """The name every connection verifies: the driver reaches peers by their IP addresses
        (system.peers), and with `check_hostname` it would check those addresses without this."""
        return {"server_hostname": self.host}


@dataclass(frozen=True)
class LocalCassandra:
    """A local Apache Cassandra (tests, development): no TLS, no authentication."""

    port: int
    hosts: tuple[str, ...] = ("127.0.0.1",)


Endpoint = AmazonKeyspaces | LocalCassandra


def execution_profile(request_timeout: float = REQUEST_TIMEOUT) -> ExecutionProfile:
    return ExecutionProfile(
        load_balancing_policy=DCAwareRoundRobinPolicy(),  # local DC taken from the contact point
        retry_policy=IdempotentRetryPolicy(),
        consistency_level=ConsistencyLevel.LOCAL_QUORUM,
        request_timeout=request_timeout,
        row_factory=dict_factory,
    )


def cluster_for(
    endpoint: Endpoint, aws_session: boto3.Session | None, request_timeout: float = REQUEST_TIMEOUT
) -> Cluster:
    """A driver Cluster for one credential scope (not yet connected)."""
    options: dict[str, Any] = {
        "protocol_version": ProtocolVersion.V4,
        "execution_profiles": {EXEC_PROFILE_DEFAULT: execution_profile(request_timeout)},
        "reconnection_policy": ExponentialReconnectionPolicy(base_delay=0.5, max_delay=10.0),
        # The DAL reads no schema metadata (prepared statements carry their own): faster connects.
        "schema_metadata_enabled": False,
        "token_metadata_enabled": False,
        "connect_timeout": 10,
    }
    if isinstance(endpoint, AmazonKeyspaces):
        if aws_session is None:
            raise DalUsageError("Amazon Keyspaces needs credentials: pass a RoleAssumer to the DAL")
        return Cluster(
            list(endpoint.contact_points or (endpoint.host,)),
            port=endpoint.port,
            ssl_context=endpoint.ssl_context(),
            ssl_options=endpoint.ssl_options(),
            auth_provider=SigV4AuthProvider(aws_session),
            **options,
        )
    # Local Cassandra: the tenant's credentials were resolved the same way, but the session is plain.
    return Cluster(list(endpoint.hosts), port=endpoint.port, **options)


def connect(
    endpoint: Endpoint, aws_session: boto3.Session | None, request_timeout: float = REQUEST_TIMEOUT
) -> tuple[Cluster, Session]:
    cluster = cluster_for(endpoint, aws_session, request_timeout)
    try:
        return cluster, cluster.connect()
    except BaseException:
        cluster.shutdown()
        raise
