"""Retries, only for statements that are safe to run twice.

Two levels: the driver's retry policy retries one request on another host (timeouts, connection
errors); OutageRetry retries the whole call with backoff while no host answers at all (a restart,
a network blip), until a deadline. Every DAL statement is idempotent (upserts and reads with
client-side values); a statement not marked idempotent is never retried.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from cassandra import OperationTimedOut, ReadTimeout, Unavailable, WriteTimeout
from cassandra.cluster import NoHostAvailable
from cassandra.connection import ConnectionException
from cassandra.policies import RetryPolicy

from functions.dal.events import DalEvents

T = TypeVar("T")

# What an outage looks like from the client: nothing to send to, or no answer in time.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    NoHostAvailable,
    OperationTimedOut,
    ConnectionException,
    Unavailable,
    ReadTimeout,
    WriteTimeout,
)


class IdempotentRetryPolicy(RetryPolicy):  # type: ignore[misc]
    """The driver's per-request policy: retry idempotent statements up to `max_retries` times."""

    def __init__(self, max_retries: int = 3):
        self.max_retries = max_retries

    def _may_retry(self, query: Any, retry_num: int) -> bool:
        return bool(getattr(query, "is_idempotent", False)) and retry_num < self.max_retries

    def on_read_timeout(self, query: Any, consistency: Any, *args: Any, retry_num: int, **kwargs: Any) -> Any:
        return (self.RETRY, consistency) if self._may_retry(query, retry_num) else (self.RETHROW, None)

    def on_write_timeout(self, query: Any, consistency: Any, *args: Any, retry_num: int, **kwargs: Any) -> Any:
        return (self.RETRY, consistency) if self._may_retry(query, retry_num) else (self.RETHROW, None)

    def on_unavailable(self, query: Any, consistency: Any, *args: Any, retry_num: int, **kwargs: Any) -> Any:
        return (self.RETRY_NEXT_HOST, None) if self._may_retry(query, retry_num) else (self.RETHROW, None)

    def on_request_error(self, query: Any, consistency: Any, error: Any, retry_num: int) -> Any:
        return (self.RETRY_NEXT_HOST, None) if self._may_retry(query, retry_num) else (self.RETHROW, None)


class OutageRetry:
    """Run a call; on an outage error, retry it with jittered backoff until `deadline` seconds have passed."""

    def __init__(
        self,
        deadline: float = 30.0,
        first_delay: float = 0.1,
        max_delay: float = 2.0,
        events: DalEvents | None = None,
    ):
        self.deadline = deadline
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.events = events or DalEvents()  # each retry and each give-up is logged and counted
        self.retries = 0  # how many retries this instance has made (diagnostics, tests)

    def run(self, call: Callable[[], T], idempotent: bool, tenant_id: str | None = None) -> T:
        try:
            return call()  # the hot path: one call, no bookkeeping
        except OUTAGE_ERRORS as error:
            if not idempotent:
                raise
            first_error = error
        return self._retry(call, tenant_id, first_error)

    def _retry(self, call: Callable[[], T], tenant_id: str | None, error: BaseException) -> T:
        give_up = time.monotonic() + self.deadline
        delay = self.first_delay
        attempt = 1
        while True:
            self.events.retrying(tenant_id, attempt + 1, error)
            # Jitter the delay, not what is left: the last sleep ends at the deadline, so one last try.
            time.sleep(min(delay * random.uniform(0.8, 1.0), max(0.0, give_up - time.monotonic())))
            self.retries += 1
            attempt += 1
            try:
                return call()
            except OUTAGE_ERRORS as failed:
                if time.monotonic() >= give_up:
                    self.events.gave_up(tenant_id, attempt, failed)
                    raise
                error = failed
            delay = min(delay * 2, self.max_delay)
