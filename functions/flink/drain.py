"""Ending a local run for good: the job stopped with a savepoint and drained, as `flink stop --drain` does.

Draining sends MAX_WATERMARK through the job: every event-time window fires (the metering rows of the last,
still open windows are written) and every sink commits in the final savepoint. A run on moto has no traffic to
move the watermark past the last window, so the sandbox ends its runs this way: it creates the checkpoint
directory's drain request (LocalCheckpoints.drain_request), which the driver (main.py) watches for.
On the service the application runs until stopped, and its windows close as traffic moves the watermark.
"""

from __future__ import annotations

import time

from pyflink.table import TableResult

from functions.flink.checkpoints import LocalCheckpoints

TERMINAL = {"FINISHED", "CANCELED", "FAILED"}


def run_until_drained(result: TableResult, checkpoints: LocalCheckpoints, poll_seconds: float = 0.5) -> None:
    """Wait for the job to end, draining it when asked; raise what the job failed with."""
    client = result.get_job_client()
    assert client is not None, "an INSERT's result has a job client"
    while client.get_job_status().result().name not in TERMINAL:
        if checkpoints.drain_request.exists():
            checkpoints.savepoints.mkdir(parents=True, exist_ok=True)
            client.stop_with_savepoint(True, checkpoints.savepoints.resolve().as_uri()).result()
            break
        time.sleep(poll_seconds)
    result.wait()
