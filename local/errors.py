"""The errors of local runs (make plan, make demo, the local services), one hierarchy: each names what failed.

User-facing commands catch LocalError and print its message alone (no traceback)."""

from __future__ import annotations


class LocalError(Exception):
    """Base of every error the local tooling raises on purpose."""


class StackFileError(LocalError, ValueError):
    """Pulumi.<stack>.yaml is missing or malformed."""


class DeclarationError(LocalError, ValueError):
    """The stack does not declare something the sandbox needs; the message says what."""


class TemplateError(LocalError, ValueError):
    """The request body or the template could not be rendered (API Gateway answers 400/500)."""


class PrefixError(LocalError, ValueError):
    """A Firehose prefix expression that cannot be evaluated for a record."""


class FlinkJobError(LocalError, RuntimeError):
    """The local Flink job could not be started or stopped."""


class CassandraError(LocalError, RuntimeError):
    """The local Cassandra could not be installed, started or reached."""


class IamEvaluatorError(LocalError, RuntimeError):
    """The IAM evaluator (node, local/iam) is not installed, failed, or could not evaluate a request."""
