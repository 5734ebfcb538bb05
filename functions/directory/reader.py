"""A cached reader of the published tenant directory (an S3 object: `{"version": 1, "tenants": {...}}`).

The first read GETs the object; for `max_age` seconds after each fetch the records are served from memory;
after that a conditional GET (If-None-Match: the cached ETag) asks S3 whether the object changed: 304 Not
Modified keeps the records (and costs no transfer), 200 replaces them. A tier change or an offboarding
published by `pulumi up` is therefore seen by every warm reader within `max_age` seconds.

Fails closed: a document that does not parse (functions/contracts/directory.py parse_document) or an object
that cannot be read raises DirectoryUnavailableError naming the reason, for every read until a good
document is fetched. A bad document is remembered by its ETag like a good one, so it is not downloaded
again on every request; a failed fetch is not remembered, so the next read tries again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from functions.contracts.directory import TenantRecord, parse_document
from functions.contracts.errors import ContractError
from functions.directory.errors import DirectoryError, DirectoryUnavailableError

DEFAULT_MAX_AGE = 60.0  # seconds between conditional GETs: how long a published change may take to arrive
NOT_MODIFIED = 304


@dataclass(frozen=True)
class _Fetched:
    etag: str
    records: Mapping[str, TenantRecord] | None  # None: the document at this ETag is not a valid directory
    problem: str | None
    fetched_at: float


class DirectoryReader:
    """The records of `s3://bucket/key`, refreshed at most every `max_age` seconds (`clock`: monotonic)."""

    def __init__(
        self,
        s3: Any,
        bucket: str,
        key: str,
        max_age: float = DEFAULT_MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
    ):
        if max_age < 0:
            raise DirectoryError(f"the directory's max age must be 0 or more seconds, got {max_age}")
        self._s3 = s3
        self.bucket = bucket
        self.key = key
        self.max_age = max_age
        self._clock = clock
        self._fetched: _Fetched | None = None
        self._lock = threading.Lock()  # one refresh at a time (the DAL serves threads)
        self.fetches = 0  # GETs sent, conditional or not
        self.downloads = 0  # GETs that returned a body (200)

    @property
    def source(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def records(self) -> Mapping[str, TenantRecord]:
        """Every tenant's record; DirectoryUnavailableError when there is no valid directory to serve."""
        fetched = self._fetched
        if fetched is None or self._clock() - fetched.fetched_at >= self.max_age:
            with self._lock:
                fetched = self._fetched
                if fetched is None or self._clock() - fetched.fetched_at >= self.max_age:
                    fetched = self._fetched = self._refresh(fetched)
        if fetched.records is None:
            raise DirectoryUnavailableError(f"{self.source} (ETag {fetched.etag}) {fetched.problem}")
        return fetched.records

    def get(self, tenant_id: str) -> TenantRecord | None:
        return self.records().get(tenant_id)

    def _refresh(self, previous: _Fetched | None) -> _Fetched:
        request: dict[str, Any] = {"Bucket": self.bucket, "Key": self.key}
        if previous is not None:
            request["IfNoneMatch"] = previous.etag
        self.fetches += 1
        try:
            response = self._s3.get_object(**request)
            body = response["Body"].read()
        except ClientError as error:
            if previous is not None and _status(error) == NOT_MODIFIED:
                return _Fetched(previous.etag, previous.records, previous.problem, self._clock())
            code = error.response.get("Error", {}).get("Code", "?")
            raise DirectoryUnavailableError(f"cannot read {self.source}: {code} ({_status(error)})") from error
        except BotoCoreError as error:
            raise DirectoryUnavailableError(f"cannot read {self.source}: {error}") from error
        self.downloads += 1
        etag = str(response["ETag"])
        try:
            return _Fetched(etag, parse_document(body, source=self.source), None, self._clock())
        except ContractError as error:
            return _Fetched(etag, None, f"is not a valid tenant directory: {error}", self._clock())


def _status(error: ClientError) -> int | None:
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status if isinstance(status, int) else None
