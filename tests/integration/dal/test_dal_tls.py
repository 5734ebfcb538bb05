"""TLS to Amazon Keyspaces: the driver checks the certificate names cassandra.<region>.amazonaws.com.

A real TLS server on loopback plays the endpoint with certificates made here; the DAL's Cluster
(`cluster_for`, as on AWS) connects to its address. The server does not speak CQL: a connection
"passes" when the handshake completes and the driver's first CQL frame arrives over it.
"""

from __future__ import annotations

import datetime
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import pytest
from cassandra.cluster import NoHostAvailable
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from functions.dal.connection import AmazonKeyspaces, cluster_for

REGION = "us-east-1"
RIGHT_NAME = f"cassandra.{REGION}.amazonaws.com"
CQL_V4_REQUEST = 0x04  # the first byte of a protocol v4 request frame


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


@dataclass
class Pki:
    """A CA, and one server certificate per name it issues, as PEM files."""

    directory: Path
    ca_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))

    def __post_init__(self) -> None:
        now = datetime.datetime.now(datetime.UTC)
        self.ca_cert = (
            x509.CertificateBuilder()
            .subject_name(_name("test root"))
            .issuer_name(_name("test root"))
            .public_key(self.ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.ca_key.public_key()), critical=False)
            .sign(self.ca_key, hashes.SHA256())
        )
        self.ca_file = self.directory / "ca.pem"
        self.ca_file.write_bytes(self.ca_cert.public_bytes(serialization.Encoding.PEM))

    def server(self, dns_name: str) -> tuple[Path, Path]:
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(dns_name))
            .issuer_name(self.ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns_name)]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.ca_key.public_key()), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(self.ca_key, hashes.SHA256())
        )
        cert_file, key_file = self.directory / f"{dns_name}.pem", self.directory / f"{dns_name}.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _write_key(key, key_file)
        return cert_file, key_file


class TlsEndpoint:
    """A loopback TLS server: records each connection's handshake outcome and first byte."""

    def __init__(self, cert_file: Path, key_file: Path):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert_file, key_file)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)  # accept() wakes up to notice close()
        self.closed = threading.Event()
        self.port = self.listener.getsockname()[1]
        self.outcomes: list[str] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self.closed.is_set():
            try:
                raw, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:  # closed
                return
            with raw:
                raw.settimeout(5)
                try:
                    with self.context.wrap_socket(raw, server_side=True) as tls:
                        first = tls.recv(1)
                        self.outcomes.append(f"frame {first[0]:#04x}" if first else "closed")
                except (ssl.SSLError, OSError) as error:
                    self.outcomes.append(f"refused: {error}")

    def settled(self, timeout: float = 10.0) -> list[str]:
        """The outcomes once the server has finished with the first connection: the client can give up on a
        handshake before the server thread has recorded its side of it."""
        deadline = time.monotonic() + timeout
        while not self.outcomes and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.outcomes)

    def close(self) -> None:
        self.closed.set()
        self.listener.close()
        self._thread.join(5)


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    return Pki(tmp_path)


@pytest.fixture
def serve(pki: Pki) -> Iterator[list[TlsEndpoint]]:
    servers: list[TlsEndpoint] = []
    yield servers
    for server in servers:
        server.close()


def _connect(endpoint: AmazonKeyspaces) -> str:
    session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION)
    cluster = cluster_for(endpoint, session, request_timeout=5)
    cluster.connect_timeout = 2  # the server never answers the first frame: no need to wait long
    try:
        cluster.connect()
    except NoHostAvailable as error:
        return str(error)
    finally:
        cluster.shutdown()
    return "connected"


def _system_store() -> ssl.SSLContext:
    return ssl.create_default_context()


def _endpoint(ca_file: Path | None, port: int) -> AmazonKeyspaces:
    ca = str(ca_file) if ca_file else None
    return AmazonKeyspaces(REGION, ca_file=ca, contact_points=("127.0.0.1",), port=port)


def test_the_endpoints_name_from_a_trusted_root_passes(pki: Pki, serve: list[TlsEndpoint]) -> None:
    server = TlsEndpoint(*pki.server(RIGHT_NAME))
    serve.append(server)
    _connect(_endpoint(pki.ca_file, server.port))
    # The handshake verified RIGHT_NAME while connecting to 127.0.0.1, and CQL went over it.
    outcomes = server.settled()
    assert outcomes and outcomes[0] == f"frame {CQL_V4_REQUEST:#04x}"


def test_another_name_from_a_trusted_root_is_refused(pki: Pki, serve: list[TlsEndpoint]) -> None:
    server = TlsEndpoint(*pki.server("proxy.example.com"))
    serve.append(server)
    error = _connect(_endpoint(pki.ca_file, server.port))
    assert "certificate verify failed" in error
    assert f"Hostname mismatch, certificate is not valid for '{RIGHT_NAME}'" in error
    outcomes = server.settled()
    assert outcomes and all(outcome.startswith("refused") for outcome in outcomes)


def test_the_right_name_from_a_root_keyspaces_does_not_use_is_refused(
    pki: Pki, serve: list[TlsEndpoint], monkeypatch: pytest.MonkeyPatch
) -> None:
    """By default only the roots the Keyspaces guide names are trusted, not the whole system store."""
    monkeypatch.setenv("SSL_CERT_FILE", str(pki.ca_file))  # the test root as if it were a public CA
    assert any(cert["subject"] == ((("commonName", "test root"),),) for cert in _system_store().get_ca_certs())
    server = TlsEndpoint(*pki.server(RIGHT_NAME))
    serve.append(server)
    error = _connect(_endpoint(None, server.port))
    assert "certificate verify failed" in error
    outcomes = server.settled()
    assert outcomes and all(outcome.startswith("refused") for outcome in outcomes)
