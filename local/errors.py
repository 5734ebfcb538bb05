"""The errors of local runs (make plan, make demo, the local services), one hierarchy: each names what failed.

User-facing commands print its message alone, with no traceback (functions.contracts.cli.run_command), as they
do a tiers ConfigError and a ContractError: EXPECTED_FAILURES."""

from __future__ import annotations

from functions.contracts.errors import ContractError
from tiers.errors import ConfigError


class LocalError(Exception):
    """Base of every error the local tooling raises on purpose."""


class StackFileError(LocalError, ValueError):
    """Pulumi.<stack>.yaml is missing or malformed."""


class StackRefusedError(LocalError, ValueError):
    """The stack cannot be planned or run: its file, its config or the program refused it (the message says why)."""


class DeclarationError(LocalError, ValueError):
    """The stack does not declare something the sandbox needs; the message says what."""


class TemplateError(LocalError, ValueError):
    """The request body or the template could not be rendered (API Gateway answers 400/500)."""


class PrefixError(LocalError, ValueError):
    """A Firehose prefix expression that cannot be evaluated for a record."""


class FlinkJobError(LocalError, RuntimeError):
    """The local Flink job could not be started or stopped."""


class ServiceError(LocalError, RuntimeError):
    """A local service (the moto server) could not start; the message names its log."""


class CassandraError(LocalError, RuntimeError):
    """The local Cassandra could not be installed, started or reached."""


class IamEvaluatorError(LocalError, RuntimeError):
    """The IAM evaluator (node, local/iam) is not installed, failed, or could not evaluate a request."""


# What the local commands (make plan, make demo, the local services) report as their message alone.
class QueryRefusedError(LocalError, RuntimeError):
    """The local Athena fails a query as Athena would: `code` is Athena's error category (local/analytics)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code


EXPECTED_FAILURES: tuple[type[Exception], ...] = (LocalError, ConfigError, ContractError)
