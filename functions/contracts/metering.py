"""The metering output: per tenant and window of API arrival time (receivedAt), the events accepted and rejected
and the bytes accepted. The Flink job writes it (functions/flink/metering.py); the program declares the table
billing reads (components/analytics/metering_table.py); the sandbox checks it against what landed.

Objects under `s3://<ingest bucket>/metering/dt=<yyyy-MM-dd>/` (the window's UTC day), one JSON object per line.
A row is the totals of a tenant and tier in a window as one of the job's subtasks counted them (`late: false`;
with several subtasks a tenant may have a row from each), or one record that arrived after its subtask had
written its window (`late: true`, counts of 1): a tenant's usage in a window is the SUM of its rows' counts. The
job writes them exactly once (a file becomes visible only with the checkpoint that covers its rows), so the sums
are exact across crashes and restores.
"""

from __future__ import annotations

# (name, type): the JSON fields of a row, in order; types as Glue / Athena (Hive) name them.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("tenantId", "string"),
    ("tier", "string"),  # the tier the record's envelope named (the directory's, via the authorizer)
    ("windowStart", "timestamp"),  # UTC, 'yyyy-MM-dd HH:mm:ss' (TIME_FORMAT)
    ("windowEnd", "timestamp"),
    ("accepted", "bigint"),  # events enriched and delivered
    ("rejected", "bigint"),  # events the job rejected, attributed to the tenant their envelope names
    ("bytes", "bigint"),  # UTF-8 bytes of the accepted events as delivered (the enriched records)
    ("late", "boolean"),
)
PARTITION_COLUMN = "dt"  # yyyy-MM-dd of windowStart, UTC: the objects' prefix (Hive style)
TIME_FORMAT = "yyyy-MM-dd HH:mm:ss"  # Flink's DATE_FORMAT pattern; Hive's default timestamp text
DAY_FORMAT = "yyyy-MM-dd"
WINDOW_SECONDS = 3600  # the contract: usage per hour (local runs may close windows sooner)
COUNTS = ("accepted", "rejected", "bytes")
