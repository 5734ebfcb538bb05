"""moto in server mode: a real HTTP AWS endpoint on loopback, in a process of its own.

Usage: `with MotoServer(log_path) as moto: boto3.client("s3", endpoint_url=moto.endpoint, ...)`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from local.errors import ServiceError
from local.services.ports import LOOPBACK, free_port, wait_for_port

T = TypeVar("T")

# Credentials and region that local clients use against moto; moto accepts any.
LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


# moto's Kinesis shard numbers a record as "the last sequence number + 1" without a lock (moto/kinesis/
# models.py says so: "not safe for concurrency"), so two PutRecords at once on one shard can overwrite each
# other and one record is gone. AWS has no such gap: every local writer to moto's Kinesis goes through here.
_KINESIS_WRITES = threading.Lock()


def kinesis_write(call: Callable[..., T], **request: Any) -> T:
    """A write to moto's Kinesis (`client.put_record`, `client.put_records`), one at a time."""
    with _KINESIS_WRITES:
        return call(**request)


class MotoServer:
    def __init__(self, log_path: Path, port: int | None = None, env: dict[str, str] | None = None):
        self.port = port or free_port()
        self.log_path = log_path
        self.extra_env = env or {}
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> MotoServer:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", LOOPBACK, "-p", str(self.port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **LOCAL_CREDENTIALS, **self.extra_env},
            start_new_session=True,  # its own process group: stop() leaves no strays
        )
        process = self.process
        try:
            wait_for_port(self.port, timeout=60, alive=lambda: process.poll() is None)
        except (TimeoutError, RuntimeError) as error:
            self.stop()
            raise ServiceError(f"the moto server did not start: {error}; see {self.log_path}") from error
        return self

    def reset(self) -> None:
        """Forget every resource (moto's own reset endpoint)."""
        import urllib.request

        urllib.request.urlopen(urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST"), timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(self, *exc: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]) -> None:
        self.stop()
