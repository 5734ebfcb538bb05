"""A cached reader of the published tenant directory: every slice under a prefix of the directory bucket.

Each cell publishes its tenants' records as a slice, `<prefix><cell>.json` (functions/directory/slices.py); the
reader serves the records of all of them as one directory. A refresh lists the prefix (ListObjectsV2, paginated:
each slice's key and ETag) and GETs only the slices whose ETag changed since the last refresh (several at once),
keeping the others' records; a slice no longer listed is dropped. Between refreshes, for `max_age` seconds, the
records are served from memory: a tier change or an offboarding a cell publishes reaches every warm reader within
`max_age` seconds, and an unchanged directory costs one LIST per `max_age`.

Fails closed: a listing that fails, a slice that cannot be read or is not a valid slice (not a directory document,
or a record naming another cell than the slice's), or no slice at all under the prefix, raises
DirectoryUnavailableError naming the slice (or prefix) and the reason, on every read until a good state is read.
A bad slice is remembered by its ETag like a good one, so it is not downloaded again on every request; a failed
request is not remembered, so the next read tries again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from functions.contracts.cells import DIRECTORY_PREFIX
from functions.contracts.directory import TenantRecord
from functions.directory.errors import DirectoryError, DirectoryUnavailableError
from functions.directory.slices import ListedSlice, Slice, listed_slices, merge, prefix_problem, read_slice

DEFAULT_MAX_AGE = 60.0  # seconds between refreshes: how long a published change may take to arrive
DOWNLOADS_AT_ONCE = 8  # GETs in flight at once when several slices changed (a cold start reads them all)


@dataclass(frozen=True)
class _State:
    """What the reader serves until `read_at + max_age`: the merged records, or why there are none."""

    records: Mapping[str, TenantRecord] | None
    problem: str | None
    read_at: float
    versions: frozenset[tuple[str, str]] = frozenset()  # (key, ETag) of the slices the records come from


class DirectoryReader:
    """The records of every slice under `s3://bucket/prefix`, refreshed at most every `max_age` seconds
    (`clock`: monotonic)."""

    def __init__(
        self,
        s3: Any,
        bucket: str,
        prefix: str = DIRECTORY_PREFIX,
        max_age: float = DEFAULT_MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
    ):
        if max_age < 0:
            raise DirectoryError(f"the directory's max age must be 0 or more seconds, got {max_age}")
        problem = prefix_problem(prefix)
        if problem is not None:
            raise DirectoryError(f"the directory's prefix {problem}")
        self._s3 = s3
        self.bucket = bucket
        self.prefix = prefix
        self.max_age = max_age
        self._clock = clock
        self._state: _State | None = None
        self._slices: dict[str, Slice] = {}  # by key: the last download of each slice listed
        self._lock = threading.Lock()  # one refresh at a time (the DAL serves threads)
        self.lists = 0  # ListObjectsV2 requests sent (one per page)
        self.fetches = 0  # GETs sent
        self.downloads = 0  # GETs that returned a body (read into a slice, valid or not)

    @property
    def source(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def records(self) -> Mapping[str, TenantRecord]:
        """Every tenant's record; DirectoryUnavailableError when there is no valid directory to serve."""
        state = self._state
        if state is None or self._clock() - state.read_at >= self.max_age:
            with self._lock:
                state = self._state
                if state is None or self._clock() - state.read_at >= self.max_age:
                    state = self._state = self._refresh(state)
        if state.records is None:
            raise DirectoryUnavailableError(str(state.problem))
        return state.records

    def get(self, tenant_id: str) -> TenantRecord | None:
        return self.records().get(tenant_id)

    def _refresh(self, previous: _State | None) -> _State:
        listed, others = self._list()
        if not listed:
            self._slices = {}
            found = f" ({others} other objects there, none a slice)" if others else ""
            problem = f"no tenant directory slice (<cell>.json) found under {self.source}{found}"
            return _State(None, problem, self._clock())
        self._download_changed(listed)
        current = {entry.key for entry in listed}
        self._slices = {key: part for key, part in self._slices.items() if key in current}
        bad = [part for key, part in sorted(self._slices.items()) if part.records is None]
        if bad:
            problems = "; ".join(f"s3://{self.bucket}/{part.key} (ETag {part.etag}) {part.problem}" for part in bad)
            return _State(None, problems, self._clock())
        versions = frozenset((part.key, part.etag) for part in self._slices.values())
        if previous is not None and previous.records is not None and previous.versions == versions:
            return _State(previous.records, None, self._clock(), versions)  # unchanged: not merged again
        return _State(merge(self._slices.values()), None, self._clock(), versions)

    def _download_changed(self, listed: list[ListedSlice]) -> None:
        """GET every listed slice whose ETag is not the one held, up to DOWNLOADS_AT_ONCE at a time (a cold start
        reads every slice: one after another, S3's latency would add up per cell). Each slice read is kept, even
        when another fails; then the first failure (in the listing's order) is raised."""
        changed = [
            entry for entry in listed if (held := self._slices.get(entry.key)) is None or held.etag != entry.etag
        ]
        if not changed:
            return
        self.fetches += len(changed)
        if len(changed) == 1:
            outcomes = [self._download(changed[0])]
        else:
            with ThreadPoolExecutor(max_workers=min(DOWNLOADS_AT_ONCE, len(changed))) as pool:
                outcomes = list(pool.map(self._download, changed))
        failures = []
        for entry, outcome in zip(changed, outcomes, strict=True):
            if isinstance(outcome, DirectoryUnavailableError):
                failures.append(outcome)
            else:
                self._slices[entry.key] = outcome
                self.downloads += 1
        if failures:
            raise failures[0]

    def _list(self) -> tuple[list[ListedSlice], int]:
        """Every slice under the prefix, and the count of other objects there; every page of the listing."""
        request: dict[str, Any] = {"Bucket": self.bucket, "Prefix": self.prefix}
        slices: list[ListedSlice] = []
        others = 0
        while True:
            self.lists += 1
            try:
                page = self._s3.list_objects_v2(**request)
            except (ClientError, BotoCoreError) as error:
                raise DirectoryUnavailableError(f"cannot list {self.source}: {_reason(error)}") from error
            page_slices, page_others = listed_slices(page.get("Contents", ()), self.prefix)
            slices += page_slices
            others += page_others
            if not page.get("IsTruncated"):
                return slices, others
            request["ContinuationToken"] = page["NextContinuationToken"]

    def _download(self, entry: ListedSlice) -> Slice | DirectoryUnavailableError:
        """The slice as it is now (its ETag and LastModified are the GET's, which match the body even when the
        object changed after the listing), or why it cannot be read."""
        source = f"s3://{self.bucket}/{entry.key}"
        try:
            response = self._s3.get_object(Bucket=self.bucket, Key=entry.key)
            body = response["Body"].read()
        except (ClientError, BotoCoreError) as error:
            failure = DirectoryUnavailableError(f"cannot read {source}: {_reason(error)}")
            failure.__cause__ = error
            return failure
        etag, last_modified = str(response["ETag"]), response["LastModified"]
        return read_slice(entry.key, entry.cell, body, etag=etag, last_modified=last_modified, source=source)


def _reason(error: ClientError | BotoCoreError) -> str:
    if isinstance(error, BotoCoreError):
        return str(error)
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return f"{error.response.get('Error', {}).get('Code', '?')} ({status if isinstance(status, int) else None})"
