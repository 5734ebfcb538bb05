"""What the authorizer tests share: a Cognito pool in moto, issuer-signed token forging, a JWKS endpoint
the test controls, and TOKEN events.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.utilities.utils import load_resource

from functions.authorizer import local
from functions.contracts.directory import TenantRecord, directory_document
from functions.contracts.keyspaces import POOLED_KEYSPACE, silo_keyspace
from functions.contracts.s3_layout import tenant_s3_prefix
from local.services.moto_server import LOCAL_CREDENTIALS
from local.services.ports import LOOPBACK

REGION = "us-east-1"
PASSWORD = "Correct-Horse-Battery-9"
METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/POST/events"
STAGE_ARN = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/*/*"
MOTO_KID = "dummy"  # the kid of moto's one signing key (moto/cognitoidp/resources/jwks-public.json)

# username -> (custom:tenantId, custom:tier); None leaves the attribute unset. custom:tier is what users
# created before the directory carry: informational, never read (the directory names the tier).
USERS: dict[str, tuple[str | None, str | None]] = {
    "alice": ("acme", "premium"),
    "bob": ("globex", "basic"),
    "no-tenant": (None, "basic"),
    "bad-tenant": ("Acme_Corp", "basic"),
    "bad-tier": ("initech", "gold"),
    "carol": ("umbrella", "basic"),  # offboarded in DIRECTORY
    "dave": ("hooli", "premium"),  # not in DIRECTORY
    "erin": ("initech", None),  # a user created as users are now: no custom:tier
}
ACCOUNT = "123456789012"


def directory_entry(tenant_id: str, tier: str, status: str = "active") -> dict[str, Any]:
    """A directory entry as the program publishes it (functions/contracts/directory.py)."""
    siloed = tier == "premium"
    return {
        "tier": tier,
        "status": status,
        "keyspace": silo_keyspace(tenant_id) if siloed else POOLED_KEYSPACE,
        "s3Prefix": tenant_s3_prefix(tenant_id),
        "roleArn": None
        if status != "active"
        else f"arn:aws:iam::{ACCOUNT}:role/tenant-pipeline/test/tenants/" + (tenant_id if siloed else "pooled"),
        "migration": None,
    }


# The directory the authorizer tests publish: the users' tenants, one offboarded; `hooli` is not in it.
DIRECTORY: dict[str, dict[str, Any]] = {
    "acme": directory_entry("acme", "premium"),
    "globex": directory_entry("globex", "basic"),
    "initech": directory_entry("initech", "basic"),
    "umbrella": directory_entry("umbrella", "basic", status="offboarded"),
}


def directory_json(entries: dict[str, dict[str, Any]]) -> str:
    """The published document of `entries`, written the way the program writes it."""
    return json.dumps(
        directory_document(TenantRecord.from_entry(tenant_id, entry) for tenant_id, entry in entries.items())
    )


def client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


@dataclass
class CognitoPool:
    """A user pool as the platform configures it: immutable custom tenantId and tier, readable by
    the app clients but never writable by them (users cannot claim another tenant)."""

    endpoint: str
    pool_id: str
    client_id: str
    second_client_id: str  # also configured for the authorizer
    foreign_client_id: str  # an app client of the same pool that the authorizer does not accept
    _tokens: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{REGION}.amazonaws.com/{self.pool_id}"

    @property
    def jwks_url(self) -> str:
        return f"{self.endpoint}/{self.pool_id}/.well-known/jwks.json"

    def tokens(self, username: str, client_id: str | None = None) -> dict[str, str]:
        """IdToken and AccessToken from ADMIN_USER_PASSWORD_AUTH (fresh per user and client)."""
        client_id = client_id or self.client_id
        key = (username, client_id)
        if key not in self._tokens:
            result = client("cognito-idp", self.endpoint).admin_initiate_auth(
                UserPoolId=self.pool_id,
                ClientId=client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
            )["AuthenticationResult"]
            self._tokens[key] = {"id": result["IdToken"], "access": result["AccessToken"]}
        return self._tokens[key]


def create_pool(endpoint: str, name: str) -> CognitoPool:
    idp = client("cognito-idp", endpoint)
    pool_id = idp.create_user_pool(
        PoolName=name,
        Schema=[
            {
                "Name": "tenantId",
                "AttributeDataType": "String",
                "Mutable": False,
                "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "32"},
            },
            {"Name": "tier", "AttributeDataType": "String", "Mutable": False},
        ],
    )["UserPool"]["Id"]

    def app_client(client_name: str) -> str:
        return str(
            idp.create_user_pool_client(
                UserPoolId=pool_id,
                ClientName=client_name,
                ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                ReadAttributes=["email", "custom:tenantId", "custom:tier"],
                WriteAttributes=["email"],
            )["UserPoolClient"]["ClientId"]
        )

    pool = CognitoPool(endpoint, pool_id, app_client("web"), app_client("mobile"), app_client("partner-tool"))
    for username, (tenant_id, tier) in USERS.items():
        attributes = [
            {"Name": name, "Value": value}
            for name, value in (("custom:tenantId", tenant_id), ("custom:tier", tier))
            if value is not None
        ]
        idp.admin_create_user(
            UserPoolId=pool_id, Username=username, UserAttributes=attributes, MessageAction="SUPPRESS"
        )
        idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)
    return pool


def create_secret(endpoint: str, name: str) -> str:
    value = secrets.token_urlsafe(32)
    client("ssm", endpoint).put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)
    return value


# --- tokens -------------------------------------------------------------------------------------


def issuer_private_key() -> rsa.RSAPrivateKey:
    """moto's Cognito signing key: the issuer's own key, to sign tokens with exactly one defect."""
    key = jwt.PyJWK(load_resource("cognitoidp/resources/jwks-private.json")).key
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def claims_of(token: str) -> dict[str, Any]:
    """The claims of a real token, unverified: a template for a forged one."""
    return dict(jwt.decode(token, options={"verify_signature": False}))


def sign(
    claims: dict[str, Any],
    key: Any,
    kid: str | None = MOTO_KID,
    algorithm: str = "RS256",
    extra_headers: dict[str, Any] | None = None,
) -> str:
    headers = {"kid": kid} if kid is not None else {}
    return jwt.encode(claims, key, algorithm=algorithm, headers={**headers, **(extra_headers or {})})


def segments(token: str) -> list[str]:
    return token.split(".")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64_json(value: Any) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode())


def now() -> int:
    return int(time.time())


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


def token_event(token: str, method_arn: str = METHOD_ARN) -> dict[str, Any]:
    return local.token_event(token, method_arn)


# --- a JWKS endpoint the test controls (rotation, counting fetches, outages) ---------------------


def fetch_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=5) as response:
        document = json.load(response)
    assert isinstance(document, dict)
    return document


class JwksEndpoint:
    """An HTTP endpoint on loopback serving a JWKS document; counts GETs; can be stopped mid-test."""

    def __init__(self, document: dict[str, Any]):
        self.document = document
        self.fetches = 0
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                endpoint.fetches += 1
                body = json.dumps(endpoint.document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, pool_id: str) -> str:
        return f"http://{LOOPBACK}:{self.port}/{pool_id}/.well-known/jwks.json"

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def jwks_endpoint(document: dict[str, Any]) -> Iterator[JwksEndpoint]:
    endpoint = JwksEndpoint(document)
    try:
        yield endpoint
    finally:
        endpoint.stop()


class ManualClock:
    """A monotonic clock the test advances, to cross refetch intervals without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
