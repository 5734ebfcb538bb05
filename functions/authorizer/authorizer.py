"""The authorizer: a TOKEN event in, an Allow policy out, or Unauthorized for any refusal.

Every refusal ends the same way (API Gateway's 401) and is logged with its reason, never the token.
Faults of our own (the API key secret unreadable, the tenant directory unreadable or invalid, ...) fail
closed the same way and log as errors.

The token names the tenant; the published tenant directory (functions/directory) says whether it is served
and its tier.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerTokenEvent,
)
from aws_lambda_powertools.utilities.parameters import SSMProvider
from botocore.config import Config

from functions.contracts.api_keys import tenant_api_key
from functions.contracts.directory import TenantRecord
from functions.directory.errors import DirectoryUnavailableError
from functions.directory.reader import DirectoryReader

from .config import AuthorizerConfig
from .errors import ConfigurationError, RefusedError, UnauthorizedError
from .jwks import SigningKeys, jwks_fetcher
from .log import logger
from .policy import allow_stage
from .tenancy import served_tenant
from .tokens import TokenVerifier

SECRET_MAX_AGE = 300  # seconds a fetched API key secret is reused (Powertools parameter cache)
# One quick retry, short timeouts: a refusal is better than API Gateway's 10 s authorizer timeout.
_AWS_CLIENT_CONFIG = Config(connect_timeout=2, read_timeout=2, retries={"max_attempts": 2, "mode": "standard"})

Directory = Callable[[], Mapping[str, TenantRecord]]  # every tenant's record; DirectoryUnavailableError if none


class Authorizer:
    def __init__(self, verifier: TokenVerifier, api_key_secret: Callable[[], str], directory: Directory):
        self._verifier = verifier
        self._api_key_secret = api_key_secret
        self._directory = directory

    @classmethod
    def from_config(cls, config: AuthorizerConfig) -> Authorizer:
        keys = SigningKeys(jwks_fetcher(config.jwks_url))
        return cls(
            TokenVerifier(config, keys),
            ssm_secret(config.api_key_secret_parameter, config.region),
            s3_directory(config).records,
        )

    def authorize(self, event: dict[str, Any]) -> dict[str, Any]:
        try:
            return self._allow(event)
        except RefusedError as refusal:
            logger.info("refused", extra={"reason": refusal.reason})
        except DirectoryUnavailableError as error:
            logger.error("refused: tenant directory unavailable", extra={"reason": str(error)})
        except Exception:
            logger.exception("refused: authorizer fault")
        raise UnauthorizedError

    def _allow(self, event: dict[str, Any]) -> dict[str, Any]:
        token_event = _token_event(event)
        identity = self._verifier.verify(token_event.authorization_token)
        tenant = served_tenant(identity.tenant_id, self._directory().get(identity.tenant_id))
        api_key = _api_key(self._api_key_secret(), tenant.tenant_id, tenant.key_cell)
        if logger.log_level <= logging.DEBUG:  # skips Powertools' record building on the hot path
            logger.debug("allowed", extra={"tenantId": tenant.tenant_id, "tokenUse": identity.token_use})
        return allow_stage(token_event.method_arn, identity.subject, tenant, api_key)


def _token_event(event: dict[str, Any]) -> APIGatewayAuthorizerTokenEvent:
    if not isinstance(event, dict) or event.get("type") != "TOKEN":
        raise RefusedError("event is not a TOKEN authorizer event")
    if not isinstance(event.get("authorizationToken"), str):
        raise RefusedError("event has no authorizationToken")
    if not isinstance(event.get("methodArn"), str):
        raise RefusedError("event has no methodArn")
    return APIGatewayAuthorizerTokenEvent(event)


def ssm_secret(parameter: str, region: str) -> Callable[[], str]:
    """The API key secret from an SSM SecureString, decrypted, cached by Powertools for SECRET_MAX_AGE."""
    import boto3

    provider = SSMProvider(boto3_session=boto3.session.Session(region_name=region), boto_config=_AWS_CLIENT_CONFIG)

    def secret() -> str:
        value = provider.get(parameter, decrypt=True, max_age=SECRET_MAX_AGE)
        if not isinstance(value, str) or not value:
            raise ConfigurationError(f"SSM parameter {parameter} holds no API key secret")
        return value

    return secret


def s3_directory(config: AuthorizerConfig) -> DirectoryReader:
    """The published directory's slices, read with the function's role (s3:ListBucket under their prefix,
    s3:GetObject on the objects there)."""
    import boto3

    s3 = boto3.client("s3", region_name=config.region, config=_AWS_CLIENT_CONFIG)
    return DirectoryReader(s3, config.directory_bucket, config.directory_prefix, max_age=config.directory_max_age)


@lru_cache(maxsize=4096)
def _api_key(secret: str, tenant_id: str, key_cell: str | None) -> str:
    """The tenant's API key: salted with its record's keyCell, the cell whose key API Gateway holds for it."""
    return tenant_api_key(secret, tenant_id, key_cell)
