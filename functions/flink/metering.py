"""Per-tenant metering, beside the enrichment: events accepted, rejected and bytes, per tenant, tier and window of
arrival time, written exactly once (functions/contracts/metering.py says what a row is).

Event time is the record's `receivedAt` (API Gateway's request time), read by the job's Java function
`received_at` in a column of the source table (a watermark needs one), `watermark.delay.seconds` behind the
latest seen. Each enriched or rejected record its tenant can be charged for (the enrichment's `tenant`: every
accepted record; a reject the rule of functions/flink/attribution.py attributes) and that has a receivedAt (an
integer from 1 to MAX_RECEIVED_AT_MS: the API always writes one) is metered:

- on time (after the current watermark): into its tumbling window (`window.seconds`: 3600 deployed), whose row
  is written when the watermark passes the window's end;
- late (at or before the watermark: out of order by more than the delay, or behind a source that went idle and
  came back): a row of its own for its window, `late: true`, counts of 1. Nothing is dropped.

Exactly once: the rows go to files (the `filesystem` connector: S3 on AWS through the S3 file system in the job's
jar, a directory locally) that become visible only when the checkpoint covering them completes. After a crash the
job restores the window state and the source positions of its last checkpoint and the file sink discards what it
wrote since, so every metered record is counted in exactly one visible row, whichever of its runs wrote it, and
whether a run found it on time or late. This needs aligned (exactly-once) checkpoints: the window state must hold
exactly the records before the checkpoint's barrier (functions/flink/pipeline.py).

Idle sources (`table.exec.source.idle-timeout`): a source subtask with nothing to read (more subtasks than shards,
or a quiet shard) is marked idle after `idle.timeout.seconds` so it does not hold back the watermark of the others;
its records after it wakes may be late, and are metered as such. With no traffic at all, the watermark stands
still and the last window stays open until records arrive; a local run ends by draining (functions/flink/drain.py),
which closes every window.
"""

from __future__ import annotations

from dataclasses import dataclass

from functions.contracts.kinesis_record import MAX_RECEIVED_AT_MS, RECEIVED_AT_FIELD
from functions.contracts.metering import COLUMNS, DAY_FORMAT, PARTITION_COLUMN, TIME_FORMAT, WINDOW_SECONDS
from functions.flink.errors import JobConfigurationError
from functions.flink.sql import quote
from functions.flink.tables import EventTime, seconds_interval

FUNCTION = "received_at"
JAVA_CLASS = "tenantpipeline.flink.ReceivedAt"
EVENT_TIME_COLUMN = "received_at"
METERED_VIEW = "metered"
ON_TIME_VIEW = "metered_on_time"
DEFAULT_WATERMARK_DELAY_SECONDS = 60
DEFAULT_IDLE_TIMEOUT_SECONDS = 60
# Part files are closed (and committed at the next checkpoint) this long after their last row: a window's rows
# are written at once, when it closes, so they become visible about a checkpoint interval later.
ROLLOVER_SECONDS = 60
_SECONDS_PER_DAY = 86_400
_FLINK_TYPES = {"string": "STRING", "timestamp": "STRING", "bigint": "BIGINT", "boolean": "BOOLEAN"}


@dataclass(frozen=True)
class MeteringSink:
    """The metering rows' files under `path` (s3a://<bucket>/metering/ on AWS, a directory locally), partitioned
    by the window's day."""

    path: str

    def ddl(self, table: str) -> str:
        # The timestamps are written as text in TIME_FORMAT (what Athena reads as a timestamp).
        columns = ", ".join(f"`{name}` {_FLINK_TYPES[kind]}" for name, kind in COLUMNS)
        options = ", ".join(f"'{key}' = '{value}'" for key, value in self.options().items())
        return (
            f"CREATE TEMPORARY TABLE {table} ({columns}, `{PARTITION_COLUMN}` STRING) "
            f"PARTITIONED BY (`{PARTITION_COLUMN}`) WITH ({options})"
        )

    def options(self) -> dict[str, str]:
        return {
            "connector": "filesystem",
            "path": self.path,
            "format": "json",
            "sink.rolling-policy.rollover-interval": f"{ROLLOVER_SECONDS} s",
            "sink.rolling-policy.inactivity-interval": f"{ROLLOVER_SECONDS} s",
            "sink.rolling-policy.check-interval": "10 s",
        }


@dataclass(frozen=True)
class Metering:
    sink: MeteringSink
    window_seconds: int = WINDOW_SECONDS
    watermark_delay_seconds: int = DEFAULT_WATERMARK_DELAY_SECONDS
    idle_timeout_seconds: int = DEFAULT_IDLE_TIMEOUT_SECONDS

    def __post_init__(self) -> None:
        if not 1 <= self.window_seconds <= _SECONDS_PER_DAY or _SECONDS_PER_DAY % self.window_seconds:
            raise JobConfigurationError(
                f"the metering window must divide a day into whole windows (1-86400 s), got {self.window_seconds}"
            )
        for what, value in (
            ("watermark delay", self.watermark_delay_seconds),
            ("idle timeout", self.idle_timeout_seconds),
        ):
            if value < 0:
                raise JobConfigurationError(f"the metering {what} must be 0 or more seconds, got {value}")

    def event_time(self) -> EventTime:
        return EventTime(EVENT_TIME_COLUMN, received_at_expression(), self.watermark_delay_seconds)


def function_statement() -> str:
    return f"CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS {FUNCTION} AS {quote(JAVA_CLASS)} LANGUAGE JAVA"


# The event time of a record with no receivedAt: the watermark assigner takes no NULL, and this one moves no
# watermark (they follow the latest event time seen). Only a receivedAt after it is metered.
NO_EVENT_TIME = "TO_TIMESTAMP_LTZ(0, 3)"


def received_at_expression(column: str = "line") -> str:
    """SQL: the record's receivedAt as TIMESTAMP_LTZ(3); the epoch (NO_EVENT_TIME) when it has none that is an
    integer."""
    call = f"{FUNCTION}({column}, {quote(RECEIVED_AT_FIELD)}, CAST({MAX_RECEIVED_AT_MS} AS BIGINT))"
    return f"TO_TIMESTAMP_LTZ(COALESCE({call}, 0), 3)"


def view_statements(view: str = "routed") -> list[str]:
    """The records to meter (from `view`: reason, record, tenant, tier, size and the event time), and those on
    time for their window."""
    column = EVENT_TIME_COLUMN
    return [
        f"""CREATE TEMPORARY VIEW {METERED_VIEW} AS SELECT tenant, tier, {column},
            CAST(CASE WHEN reason IS NULL THEN 1 ELSE 0 END AS BIGINT) AS accepted,
            CAST(CASE WHEN reason IS NULL THEN 0 ELSE 1 END AS BIGINT) AS rejected,
            CAST(size AS BIGINT) AS accepted_bytes
            FROM {view} WHERE tenant IS NOT NULL AND {column} > {NO_EVENT_TIME}""",
        f"""CREATE TEMPORARY VIEW {ON_TIME_VIEW} AS SELECT * FROM {METERED_VIEW}
            WHERE CURRENT_WATERMARK({column}) IS NULL OR {column} > CURRENT_WATERMARK({column})""",
    ]


def insert(sink_table: str, window_seconds: int) -> str:
    """The windows' rows, and a row for each late record (its window computed from its event time: epoch seconds
    through its UTC text, as Flink casts no TIMESTAMP_LTZ to a number)."""
    column = EVENT_TIME_COLUMN
    time, day = quote(TIME_FORMAT), quote(DAY_FORMAT)
    names = ", ".join(f"`{name}`" for name, _ in COLUMNS)
    late_start = "TO_TIMESTAMP_LTZ(start_second, 0)"
    late_end = f"TO_TIMESTAMP_LTZ(start_second + {window_seconds}, 0)"
    return f"""INSERT INTO {sink_table} ({names}, `{PARTITION_COLUMN}`)
        SELECT tenant, tier, DATE_FORMAT(window_start, {time}), DATE_FORMAT(window_end, {time}),
            SUM(accepted), SUM(rejected), SUM(accepted_bytes), FALSE, DATE_FORMAT(window_start, {day})
        FROM TABLE(TUMBLE(TABLE {ON_TIME_VIEW}, DESCRIPTOR({column}), {seconds_interval(window_seconds)}))
        GROUP BY tenant, tier, window_start, window_end
        UNION ALL
        SELECT tenant, tier, DATE_FORMAT({late_start}, {time}), DATE_FORMAT({late_end}, {time}),
            accepted, rejected, accepted_bytes, TRUE, DATE_FORMAT({late_start}, {day})
        FROM (SELECT *, epoch_second - MOD(epoch_second, {window_seconds}) AS start_second
              FROM (SELECT *, UNIX_TIMESTAMP(DATE_FORMAT({column}, {time})) AS epoch_second
                    FROM {METERED_VIEW} WHERE {column} <= CURRENT_WATERMARK({column})))"""
