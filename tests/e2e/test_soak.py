"""A shortened `make soak`: load with a Flink crash and a Cassandra restart, checked from its JSON result.

The full run (`make soak`, at least 50,000 events) is recorded in bench/RESULTS.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from local.paths import PROJECT_ROOT

pytestmark = pytest.mark.demo

EVENTS = 1_000


@pytest.fixture(scope="module")
def soak(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    run_dir = tmp_path_factory.mktemp("soak")
    result_file = run_dir / "result.json"
    command = [sys.executable, "-m", "local.sandbox.soak", "--events", str(EVENTS), "--run-dir", str(run_dir)]
    completed = subprocess.run(
        [*command, "--json", str(result_file)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=2400,
        check=False,
    )
    assert result_file.exists(), completed.stdout[-4000:] + completed.stderr[-4000:]
    return completed, json.loads(result_file.read_text())


def test_nothing_accepted_is_lost_through_both_faults(soak: tuple[subprocess.CompletedProcess[str], dict[str, Any]]):
    completed, result = soak
    assert completed.returncode == 0, completed.stdout[-4000:]
    assert result["sent"] == EVENTS
    assert result["accepted"] > 0.5 * EVENTS
    assert result["landed"] == result["accepted"] and result["lost"] == 0
    assert result["misplaced"] == 0
    last = completed.stdout.rstrip().splitlines()[-1]  # the result's line
    assert " lost=0 " in last and last.endswith("holds=True"), last


def test_each_fault_was_injected_and_recovered_from(soak: tuple[subprocess.CompletedProcess[str], dict[str, Any]]):
    _, result = soak
    assert {fault["fault"] for fault in result["faults"]} == {"flink", "cassandra"}
    assert all(fault["recovery_seconds"] is not None for fault in result["faults"])
    assert result["dal_writes"] > 0 and result["dal_rows_lost"] == 0


def test_duplicates_stay_within_their_bound_and_bad_records_are_rejected(
    soak: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
):
    _, result = soak
    assert result["duplicates"] <= result["duplicate_bound"]
    assert result["direct"] > 0 and result["undeliverable"] > 0
    assert result["rejected"] == result["direct"] + result["undeliverable"]
    assert result["refused"]  # the invalid bodies, answered 400
    assert result["latency_ms"]["p50"] <= result["latency_ms"]["p99"]


def test_metering_sums_equal_what_landed_and_was_rejected_per_tenant_across_the_restore(
    soak: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
):
    """Exactly-once metering (docs/design.md "Metering"): after the kill and the restore, the table's rows summed per
    tenant equal the tenant's distinct landed events (and their bytes) and its rejects, not one more or less."""
    _, result = soak
    metered, expected = result["metering"], result["metering_expected"]
    assert result["meteringHolds"] is True
    assert metered == expected
    assert sum(usage["accepted"] for usage in metered.values()) == result["landed"]
    assert sum(usage["rejected"] for usage in metered.values()) == result["undeliverable"]  # direct: no tenant
    assert all(usage["bytes"] > 0 for usage in metered.values())
    assert result["metering_rows"] > len(metered)  # windows closed during the run: more than one row per tenant
