"""The orchestrator's errors, one hierarchy: each names what failed and what to do about it.

`tenant-pipeline` prints an expected failure's message alone (functions.contracts.cli.run_command) and exits 2: its
own errors, and those of the tooling it drives (a refused stack, bad config, no Pulumi CLI): EXPECTED_FAILURES."""

from __future__ import annotations

from local.errors import EXPECTED_FAILURES as LOCAL_FAILURES


class OrchestratorError(Exception):
    """Base of every error the orchestrator raises on purpose."""


class EngineError(OrchestratorError):
    """The Pulumi CLI refused an operation (a stack that cannot be selected or created, a config edit); the message
    carries the CLI's own error lines."""


class ChangeRefusedError(OrchestratorError, ValueError):
    """A lifecycle command's config change would be refused: nothing was written."""


class DeployFailedError(OrchestratorError):
    """Stacks failed to deploy; the others were deployed and stay so. A re-run resumes."""


class MigrationJobError(OrchestratorError):
    """The migration job failed or gave no result; the move stays at its step and a re-run resumes there."""


EXPECTED_FAILURES: tuple[type[Exception], ...] = (OrchestratorError, *LOCAL_FAILURES)
