"""The job's per-tenant metering (functions/flink/metering.py), run on a file by the real local job: every case
of the job's tests, then records out of order, so that a window closes before records of it arrive (late).

What must come out (functions/contracts/metering.py): per tenant, the rows' sums equal the tenant's enriched
records (and their bytes as delivered) and the rejects attributed to it, each counted once, for every record
with an event time; a window's row when the watermark passes its end; a late record a row of its own, in the
window of its own event time, `late: true`.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import pytest

from functions.contracts.metering import COLUMNS, DAY_FORMAT, PARTITION_COLUMN
from functions.flink.attribution import event_time
from functions.flink.local import ENRICHED_DIR, METERING_DIR, REJECTED_DIR, read_output, run_local
from tests.integration.flink.cases import CASES, envelope

pytestmark = pytest.mark.flink

WINDOW_SECONDS = 3600
HOUR = WINDOW_SECONDS * 1000
CASES_TIME = 1763800000000  # the cases' receivedAt: 2025-11-22 08:26:40 UTC


def _line(request_id: str, tenant: str, received_at: object, **fields: object) -> str:
    return json.dumps(envelope(request_id, tenantId=tenant, receivedAt=received_at, **fields))


# After the cases: a record two hours on moves the watermark past the end of the cases' window (which closes);
# records of that window then arrive late. Delay 0: anything at or before the latest event time is late.
OUT_OF_ORDER = [
    _line("later-1", "globex", CASES_TIME + 2 * HOUR),
    _line("late-accepted", "acme", CASES_TIME + 5_000),
    json.dumps({"tenantId": "initech", "tier": "pooled", "requestId": "late-reject", "receivedAt": CASES_TIME + 6_000}),
    _line("later-2", "acme", CASES_TIME + 2 * HOUR + 1_000),
    _line("no-event-time", "acme", str(CASES_TIME)),  # enriched, not metered: its receivedAt is no integer
    "not json at all",  # rejected, counts for no tenant
]


@dataclass(frozen=True)
class MeteringRun:
    enriched: list[str]  # the delivered lines
    rejected: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    partitions: list[str]  # each row's dt directory


@pytest.fixture(scope="module")
def metering_run(tmp_path_factory: pytest.TempPathFactory) -> MeteringRun:
    work = tmp_path_factory.mktemp("flink-metering")
    source = work / "records.ndjson"
    source.write_text("".join(line + "\n" for line in [*(c.line for c in CASES), *OUT_OF_ORDER]), encoding="utf-8")
    run_local(source, work / "out", metering_window_seconds=WINDOW_SECONDS, watermark_delay_seconds=0)
    rows, partitions = [], []
    for part in sorted((work / "out" / METERING_DIR).rglob("*")):
        if part.is_file() and not part.name.startswith("."):
            for line in part.read_text(encoding="utf-8").splitlines():
                rows.append(json.loads(line))
                partitions.append(part.parent.name)
    return MeteringRun(
        read_output(work / "out" / ENRICHED_DIR),
        [json.loads(line) for line in read_output(work / "out" / REJECTED_DIR)],
        rows,
        partitions,
    )


def expected_usage(run: MeteringRun) -> dict[str, Counter[str]]:
    usage: dict[str, Counter[str]] = defaultdict(Counter)
    for line in run.enriched:
        record = json.loads(line)
        if event_time(record["receivedAt"]) is not None:
            usage[record["tenantId"]]["accepted"] += 1
            usage[record["tenantId"]]["bytes"] += len(line.encode("utf-8"))
    for reject in run.rejected:
        if reject["tenantId"] is not None and event_time(reject["receivedAt"]) is not None:
            usage[reject["tenantId"]]["rejected"] += 1
    return usage


def test_rows_have_the_contract_columns_in_their_day_partition(metering_run: MeteringRun) -> None:
    assert metering_run.rows
    for row, partition in zip(metering_run.rows, metering_run.partitions, strict=True):
        assert list(row) == [name for name, _ in COLUMNS]
        assert partition == f"{PARTITION_COLUMN}={row['windowStart'][: len(DAY_FORMAT)]}"


def test_sums_per_tenant_equal_what_was_enriched_and_rejected(metering_run: MeteringRun) -> None:
    metered: dict[str, Counter[str]] = defaultdict(Counter)
    for row in metering_run.rows:
        for count in ("accepted", "rejected", "bytes"):
            metered[row["tenantId"]][count] += row[count]
    assert {t: +c for t, c in metered.items()} == {t: +c for t, c in expected_usage(metering_run).items()}
    assert metered["acme"]["accepted"] > 1 and metered["initech"]["rejected"] >= 1


def test_records_with_no_event_time_or_no_tenant_are_not_metered(metering_run: MeteringRun) -> None:
    no_event_time = [line for line in metering_run.enriched if '"no-event-time"' in line]
    assert len(no_event_time) == 1  # enriched and delivered, but counted in no row (the sums above exclude it)
    assert any(reject["record"] == "not json at all" and reject["tenantId"] is None for reject in metering_run.rejected)


def test_a_window_closes_when_the_watermark_passes_its_end(metering_run: MeteringRun) -> None:
    on_time = [row for row in metering_run.rows if not row["late"]]
    starts = {row["windowStart"] for row in on_time}
    assert "2025-11-22 08:00:00" in starts  # closed by the record two hours on
    assert "2025-11-22 10:00:00" in starts  # closed by the end of the input
    for row in on_time:
        assert row["windowEnd"][11:13] == f"{int(row['windowStart'][11:13]) + 1:02d}"
    later = [row for row in on_time if row["windowStart"] == "2025-11-22 10:00:00"]
    assert {row["tenantId"]: row["accepted"] for row in later} == {"globex": 1, "acme": 1}


def test_late_records_get_a_row_each_in_their_own_window(metering_run: MeteringRun) -> None:
    late = [row for row in metering_run.rows if row["late"]]
    by_kind = {(row["tenantId"], row["accepted"], row["rejected"]): row for row in late}
    accepted, rejected = by_kind[("acme", 1, 0)], by_kind[("initech", 0, 1)]
    for row in (accepted, rejected):
        assert (row["windowStart"], row["windowEnd"]) == ("2025-11-22 08:00:00", "2025-11-22 09:00:00")
    assert rejected["bytes"] == 0
    assert accepted["bytes"] == len(next(line for line in metering_run.enriched if '"late-accepted"' in line).encode())
    assert all(row["accepted"] + row["rejected"] == 1 for row in late)
