"""Per-tenant metering, beside the enrichment: events accepted, rejected and bytes, per tenant, tier and window of
arrival time, written exactly once (functions/contracts/metering.py says what a row is).

The metering is a table sink of the job's jar, `'connector' = 'tenant-metering'` (MeteringSinkFactory.java and
MeteringOperator.java), into which the job inserts the enrichment's rows as they are (`routed`: reason, record,
tenant, tier, size, received_at): the enrichment function already decoded each record's tenant, tier, size and
event time, so metering parses nothing. Each enriched or rejected record its tenant can be charged for (every
accepted record; a reject the rule of functions/flink/attribution.py attributes) and that has an event time
(`receivedAt`, API Gateway's request time: an integer from 1 to MAX_RECEIVED_AT_MS) is metered:

- each subtask counts its records per tenant, tier and tumbling window of receivedAt (`window.seconds`: 3600
  deployed), and keeps its own event-time clock, the largest receivedAt it has read less `watermark.delay.seconds`
  (60); a window's row is written when the clock passes the window's end;
- a record of a window its subtask has already written (out of order by more than the delay) is late: a row of
  its own, `late: true`, counts of 1. Nothing is dropped;
- a subtask that reads nothing for `idle.timeout.seconds` (a quiet shard) moves its clock to the wall clock less
  the delay, so its windows close; the end of the input and a drain (MAX_WATERMARK: functions/flink/drain.py)
  close every window.

Several subtasks may each write a row for one tenant and window: a tenant's usage is the sum of its rows.

Exactly once: the open counts are the operator's checkpointed state (exactly the records before each checkpoint's
barrier), and the rows go to Flink's file sink (S3 on AWS through the S3 file system in the job's jar, a directory
locally), whose files become visible only when the checkpoint that covers them completes. After a crash the job
restores the counts and the source positions of its last checkpoint and the uncommitted files are discarded, so
every metered record is in exactly one visible row, whichever run wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass

from functions.contracts.kinesis_record import MAX_RECEIVED_AT_MS
from functions.contracts.metering import COLUMNS, PARTITION_COLUMN, WINDOW_SECONDS
from functions.flink.errors import JobConfigurationError

CONNECTOR = "tenant-metering"
# The sink's columns: the view `routed` as it is (functions/flink/sql.py), so no projection runs per record.
INPUT_COLUMNS = (
    ("reason", "STRING"),
    ("record", "STRING"),
    ("tenant", "STRING"),
    ("tier", "STRING"),
    ("size", "INT"),
    ("received_at", "BIGINT"),
)
DEFAULT_WATERMARK_DELAY_SECONDS = 60
DEFAULT_IDLE_TIMEOUT_SECONDS = 60
# A part file is closed at the next checkpoint, or this long after it opened or got its last row if sooner, and
# committed with that checkpoint (MeteringSinkFactory.RollOnCheckpoint: no file stays in progress across a
# checkpoint, so none is persisted as a temporary object beside the table's files on S3).
ROLLOVER_SECONDS = 60
_SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class MeteringSink:
    """Where the metering rows' files go: s3a://<bucket>/metering/ on AWS, a directory locally."""

    path: str


@dataclass(frozen=True)
class Metering:
    sink: MeteringSink
    window_seconds: int = WINDOW_SECONDS
    watermark_delay_seconds: int = DEFAULT_WATERMARK_DELAY_SECONDS
    idle_timeout_seconds: int = DEFAULT_IDLE_TIMEOUT_SECONDS
    rollover_seconds: int = ROLLOVER_SECONDS

    def __post_init__(self) -> None:
        if not 1 <= self.window_seconds <= _SECONDS_PER_DAY or _SECONDS_PER_DAY % self.window_seconds:
            raise JobConfigurationError(
                f"the metering window must divide a day into whole windows (1-86400 s), got {self.window_seconds}"
            )
        for what, value in (
            ("watermark delay", self.watermark_delay_seconds),
            ("idle timeout", self.idle_timeout_seconds),
            ("rollover", self.rollover_seconds),
        ):
            if value < 0:
                raise JobConfigurationError(f"the metering {what} must be 0 or more seconds, got {value}")

    def options(self) -> dict[str, str]:
        return {
            "connector": CONNECTOR,
            "path": self.sink.path,
            "window.seconds": str(self.window_seconds),
            "watermark.delay.seconds": str(self.watermark_delay_seconds),
            "idle.timeout.seconds": str(self.idle_timeout_seconds),
            "rollover.seconds": str(self.rollover_seconds),
            "max.received.at": str(MAX_RECEIVED_AT_MS),
            "fields": ",".join(name for name, _ in COLUMNS),  # the row's keys, in order: the contract's
            "partition": PARTITION_COLUMN,
        }

    def ddl(self, table: str) -> str:
        columns = ", ".join(f"`{name}` {kind}" for name, kind in INPUT_COLUMNS)
        options = ", ".join(f"'{key}' = '{value}'" for key, value in self.options().items())
        return f"CREATE TEMPORARY TABLE {table} ({columns}) WITH ({options})"

    def insert(self, table: str, view: str = "routed") -> str:
        names = ", ".join(f"`{name}`" for name, _ in INPUT_COLUMNS)
        return f"INSERT INTO {table} SELECT {names} FROM {view}"
