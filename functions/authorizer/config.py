"""The authorizer's configuration, read from the environment once per cold start.

Anything missing or malformed raises ConfigurationError naming the variable, so the function fails
at init (API Gateway answers 500, nothing reaches the caller) instead of refusing every token quietly.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from functions.contracts.aws import REGION_PATTERN, is_bucket_name, is_region
from functions.contracts.cells import DIRECTORY_PREFIX
from functions.directory.reader import DEFAULT_MAX_AGE
from functions.directory.slices import prefix_problem

from .errors import ConfigurationError

__all__ = ["AuthorizerConfig", "ConfigurationError", "load_config"]

# Cognito API patterns: UserPoolIdType `[\w-]+_[0-9a-zA-Z]+` (its prefix is the pool's region),
# ClientIdType `[\w+]+` (1-128), SSM ParameterName `[a-zA-Z0-9_.\-/]` (1-2048).
_USER_POOL_ID = re.compile(rf"(?P<region>{REGION_PATTERN.pattern})_[0-9a-zA-Z]+")
_CLIENT_ID = re.compile(r"[\w+]{1,128}")
_SSM_PARAMETER = re.compile(r"[a-zA-Z0-9_.\-/]{1,2048}")
_LOOPBACK_NAMES = {"localhost"}
# An offboarding must reach every warm authorizer within minutes, not whenever the instance is recycled.
MAX_DIRECTORY_MAX_AGE = 900.0


@dataclass(frozen=True)
class AuthorizerConfig:
    user_pool_id: str
    app_client_ids: frozenset[str]
    region: str
    jwks_url: str
    api_key_secret_parameter: str
    directory_bucket: str
    directory_prefix: str  # the slices' prefix in the directory bucket
    directory_max_age: float  # seconds the directory is served from memory before the slices are listed again

    @property
    def pool_region(self) -> str:
        return self.user_pool_id.split("_", 1)[0]

    @property
    def issuers(self) -> frozenset[str]:
        """The pool's issuer in both Cognito formats (ORIGINAL and UPDATED issuer configuration)."""
        return frozenset(
            {
                f"https://cognito-idp.{self.pool_region}.amazonaws.com/{self.user_pool_id}",
                f"https://issuer-cognito-idp.{self.pool_region}.amazonaws.com/{self.user_pool_id}",
            }
        )


def default_jwks_url(region: str, user_pool_id: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}/.well-known/jwks.json"


def load_config(env: Mapping[str, str]) -> AuthorizerConfig:
    problems: list[str] = []

    def required(name: str) -> str:
        value = env.get(name, "").strip()
        if not value:
            problems.append(f"{name} is not set")
        return value

    user_pool_id = required("USER_POOL_ID")
    if user_pool_id and not _USER_POOL_ID.fullmatch(user_pool_id):
        problems.append(f"USER_POOL_ID {user_pool_id!r} is not a Cognito user pool id (<region>_<id>)")

    raw_clients = required("APP_CLIENT_IDS")
    client_ids = [part.strip() for part in raw_clients.split(",")] if raw_clients else []
    bad_clients = [client for client in client_ids if not _CLIENT_ID.fullmatch(client)]
    if bad_clients:
        problems.append(f"APP_CLIENT_IDS has entries that are not app client ids: {bad_clients}")

    region = required("AWS_REGION")
    if region and not is_region(region):
        problems.append(f"AWS_REGION {region!r} is not an AWS region")

    parameter = required("API_KEY_SECRET_PARAMETER")
    if parameter and not _SSM_PARAMETER.fullmatch(parameter):
        problems.append(f"API_KEY_SECRET_PARAMETER {parameter!r} is not an SSM parameter name")

    directory_bucket = required("TENANT_DIRECTORY_BUCKET")
    if directory_bucket and not is_bucket_name(directory_bucket):
        problems.append(f"TENANT_DIRECTORY_BUCKET {directory_bucket!r} is not an S3 bucket name")
    directory_prefix = env.get("TENANT_DIRECTORY_PREFIX", "").strip() or DIRECTORY_PREFIX
    prefix_refused = prefix_problem(directory_prefix)
    if prefix_refused is not None:
        problems.append(f"TENANT_DIRECTORY_PREFIX {prefix_refused}")

    raw_max_age = env.get("TENANT_DIRECTORY_MAX_AGE", "").strip()
    directory_max_age = DEFAULT_MAX_AGE
    if raw_max_age:
        try:
            directory_max_age = float(raw_max_age)
        except ValueError:
            directory_max_age = -1.0
        if not 0 <= directory_max_age <= MAX_DIRECTORY_MAX_AGE:
            problems.append(
                f"TENANT_DIRECTORY_MAX_AGE {raw_max_age!r} is not a number of seconds from 0 to {MAX_DIRECTORY_MAX_AGE}"
            )

    jwks_url = env.get("JWKS_URL", "").strip()
    if jwks_url:
        problem = _jwks_url_problem(jwks_url)
        if problem:
            problems.append(f"JWKS_URL {jwks_url!r} {problem}")
    elif region and user_pool_id:
        jwks_url = default_jwks_url(region, user_pool_id)

    if problems:
        raise ConfigurationError("authorizer configuration: " + "; ".join(problems))
    return AuthorizerConfig(
        user_pool_id=user_pool_id,
        app_client_ids=frozenset(client_ids),
        region=region,
        jwks_url=jwks_url,
        api_key_secret_parameter=parameter,
        directory_bucket=directory_bucket,
        directory_prefix=directory_prefix,
        directory_max_age=directory_max_age,
    )


def _jwks_url_problem(url: str) -> str | None:
    """Keys fetched over plain HTTP could be swapped in transit: allow http only for a local emulator."""
    parts = urlsplit(url)
    if not parts.hostname:
        return "has no host"
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and _is_loopback(parts.hostname):
        return None
    return "must be https (http only on loopback, for local emulators)"


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
