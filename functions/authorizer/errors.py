"""The authorizer's errors, one hierarchy: why a request is refused (for the log, never for the caller),
the refusal API Gateway reads, and a configuration the function cannot start with."""

from __future__ import annotations


class AuthorizerError(Exception):
    """Base of every error the authorizer raises on purpose."""


class RefusedError(AuthorizerError):
    """A token or request failed a check. `reason` is logged; the caller only ever sees 401.

    `tenant_id`: the tenant a verified token named, when the refusal comes after it (the directory's verdict):
    logged as `tenantId`, so the log names which tenants are refused (a Contributor Insights rule reads it)."""

    def __init__(self, reason: str, tenant_id: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.tenant_id = tenant_id


# API Gateway turns exactly this error message from a TOKEN authorizer into 401 Unauthorized.
UNAUTHORIZED = "Unauthorized"


class UnauthorizedError(AuthorizerError):
    """What every refusal ends in; the message is the only thing API Gateway reads."""

    def __init__(self) -> None:
        super().__init__(UNAUTHORIZED)


class PackagingError(AuthorizerError):
    """The Lambda's package could not be written (`make authorizer-package`); the message names the path."""


class ConfigurationError(AuthorizerError):
    """The environment does not configure the authorizer; the message names every bad variable."""
