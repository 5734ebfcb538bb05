"""The CA bundle the DAL trusts for Amazon Keyspaces: exactly the roots the Keyspaces guide names."""

from __future__ import annotations

import hashlib
import ssl
import warnings

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from functions.dal.connection import KEYSPACES_ROOTS, AmazonKeyspaces

# SHA-256 of each root's SubjectPublicKeyInfo, as https://www.amazontrust.com/repository/ publishes them.
AMAZON_ROOT_SPKI = {
    "CN=Amazon Root CA 1,O=Amazon,C=US": "fbe3018031f9586bcbf41727e417b7d1c45c2f47f93be372a17b96b50757d5a2",
    "CN=Amazon Root CA 2,O=Amazon,C=US": "7f4296fc5b6a4e3b35d3c369623e364ab1af381d8fa7121533c9d6c633ea2461",
    "CN=Amazon Root CA 3,O=Amazon,C=US": "36abc32656acfc645c61b71613c4bf21c787f5cabbee48348d58597803d7abc9",
    "CN=Amazon Root CA 4,O=Amazon,C=US": "f7ecded5c66047d28ed6466b543c40e0743abe81d109254dcf845d4c2c7853c5",
}
# sf-class2-root.crt, the Starfield Class 2 root (the certificate's SHA-256 fingerprint, Mozilla's store).
STARFIELD_CLASS_2 = (
    "OU=Starfield Class 2 Certification Authority,O=Starfield Technologies\\, Inc.,C=US",
    "1465fa205397b876faa6f0a9958e5590e40fcc7faa4fb7c2c8677521fb5fb658",
)


def _bundle() -> list[x509.Certificate]:
    with open(KEYSPACES_ROOTS, "rb") as pem, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the Starfield root's serial is 0, which cryptography flags
        return x509.load_pem_x509_certificates(pem.read())


def test_the_bundle_is_the_four_amazon_roots_and_starfield_class_2() -> None:
    certificates = _bundle()
    assert len(certificates) == 5
    spki = {
        cert.subject.rfc4514_string(): hashlib.sha256(
            cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        ).hexdigest()
        for cert in certificates
    }
    assert {name: spki[name] for name in AMAZON_ROOT_SPKI} == AMAZON_ROOT_SPKI
    starfield = [cert for cert in certificates if cert.subject.rfc4514_string() == STARFIELD_CLASS_2[0]]
    assert [cert.fingerprint(hashes.SHA256()).hex() for cert in starfield] == [STARFIELD_CLASS_2[1]]


def test_the_context_trusts_only_the_bundle_and_checks_the_name() -> None:
    endpoint = AmazonKeyspaces("eu-west-1")
    context = endpoint.ssl_context()
    assert context.check_hostname
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert len(context.get_ca_certs()) == 5
    assert endpoint.ssl_options() == {"server_hostname": "cassandra.eu-west-1.amazonaws.com"}
