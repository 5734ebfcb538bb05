"""What the lifecycle jobs refuse or fail on. Every error names the tenant and the problem; none loses data:
the migration job never touches its source before `done`, and the offboarding job refuses before it deletes."""

from __future__ import annotations


class LifecycleError(Exception):
    """Base of every error the lifecycle jobs raise on purpose."""


class JobUsageError(LifecycleError, ValueError):
    """The job was called wrongly: a tenant the directory does not hold, a missing option."""


class NotMigratingError(LifecycleError):
    """The tenant's record has no migration (or one in a state the job cannot act on)."""


class LedgerError(LifecycleError):
    """The progress ledger cannot be read, or belongs to another migration."""


class VerificationError(LifecycleError):
    """The target is not a copy of the source: the table, its row counts and how many rows differ."""

    def __init__(self, table: str, source_rows: int, target_rows: int, differing: int, tenant_id: str) -> None:
        super().__init__(
            f"tenant {tenant_id!r}: table {table!r} does not match after re-reading: source {source_rows} rows, "
            f"target {target_rows} rows, {differing} rows differ (missing, extra or changed). Nothing was released: "
            "the source is intact"
        )
        self.table = table
        self.source_rows = source_rows
        self.target_rows = target_rows
        self.differing = differing


class OffboardRefusedError(LifecycleError):
    """The tenant is not one to delete: active, unknown, or its tier's offboarding keeps its data."""


class StorageError(LifecycleError):
    """Cassandra / Amazon Keyspaces or S3 could not be reached or refused a request; the message says which."""


class MissingTableError(StorageError):
    """The keyspace or table does not exist (e.g. a silo keyspace the program has already dropped)."""
