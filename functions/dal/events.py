"""What the DAL tells the service that embeds it: structured log records and counters.

Every retry through an outage, session opened, eviction and refusal is a record on the `functions.dal`
logger, with `extra` fields a JSON formatter or a log query can use: `dal_event` (retry, outage-gave-up,
session-opened, eviction, refusal), `tenant_id` (None when there is no tenant context), `reason`, and
`attempt` for retries. Never row data, key values, statement text or error messages (which may quote
them): the reason is a fixed name. The same events are counted: TenantDataAccess.metrics().
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from dataclasses import dataclass, field

logger = logging.getLogger("functions.dal")

# Why a session was closed before the DAL was: the least recently used one made room for another
# tenant (max_sessions), or the directory changed the tenant's record (a new credential scope).
EVICTED_FOR_ROOM = "max-sessions"
EVICTED_FOR_NEW_SCOPE = "directory-changed"


@dataclass(frozen=True)
class DalMetrics:
    """Counts since the DAL was created (a snapshot; counters only grow)."""

    sessions_opened: int = 0
    sessions_open: int = 0  # at the time of the snapshot
    retries: int = 0  # statements retried through an outage (each attempt after the first)
    outages_given_up: int = 0  # calls that failed after retrying until the outage deadline
    evictions: dict[str, int] = field(default_factory=dict)  # reason -> sessions closed
    refusals: dict[str, int] = field(default_factory=dict)  # reason (DalError.reason) -> calls refused


class DalEvents:
    """Logs each event and counts it; safe to call from every thread that uses the DAL."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._evictions: Counter[str] = Counter()
        self._refusals: Counter[str] = Counter()

    def session_opened(self, tenant_id: str, pooled: bool) -> None:
        with self._lock:
            self._counts["sessions_opened"] += 1
        _log(logging.INFO, "session-opened", tenant_id, "pooled" if pooled else "own-keyspace")

    def evicted(self, tenant_id: str, reason: str) -> None:
        with self._lock:
            self._evictions[reason] += 1
        _log(logging.INFO, "eviction", tenant_id, reason)

    def retrying(self, tenant_id: str | None, attempt: int, error: BaseException) -> None:
        with self._lock:
            self._counts["retries"] += 1
        _log(logging.WARNING, "retry", tenant_id, type(error).__name__, attempt=attempt)

    def gave_up(self, tenant_id: str | None, attempts: int, error: BaseException) -> None:
        with self._lock:
            self._counts["outages_given_up"] += 1
        _log(logging.ERROR, "outage-gave-up", tenant_id, type(error).__name__, attempt=attempts)

    def refused(self, tenant_id: str | None, reason: str) -> None:
        with self._lock:
            self._refusals[reason] += 1
        _log(logging.WARNING, "refusal", tenant_id, reason)

    def snapshot(self, sessions_open: int) -> DalMetrics:
        with self._lock:
            return DalMetrics(
                sessions_opened=self._counts["sessions_opened"],
                sessions_open=sessions_open,
                retries=self._counts["retries"],
                outages_given_up=self._counts["outages_given_up"],
                evictions=dict(self._evictions),
                refusals=dict(self._refusals),
            )


def _log(level: int, event: str, tenant_id: str | None, reason: str, attempt: int | None = None) -> None:
    extra: dict[str, object] = {"dal_event": event, "tenant_id": tenant_id, "reason": reason}
    if attempt is not None:
        extra["attempt"] = attempt
    suffix = f" (attempt {attempt})" if attempt is not None else ""
    logger.log(level, "dal %s: tenant %s, %s%s", event, tenant_id or "-", reason, suffix, extra=extra)
