"""A shortened `make demo`, end to end on the real local components, checked from its JSON result."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from local.paths import PROJECT_ROOT
from local.stack_file import project_values, read_stack_config
from tiers.defaults import DEFAULT_TIERS
from tiers.load import load_stack_config
from tiers.policy import TierPolicy

pytestmark = pytest.mark.demo


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo")


@pytest.fixture(scope="module")
def demo(run_dir: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "local.sandbox.demo",
            "--events",
            "4",
            "--run-dir",
            str(run_dir),
            "--json",  # as `make demo JSON=1`: the document alone on stdout, the steps and report on stderr
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    return completed, json.loads(completed.stdout)


def served_tenants() -> dict[str, str]:
    roster = read_stack_config("dev")["tenant-pipeline:tenants"]
    return {t["id"]: t["tier"] for t in roster if t.get("status", "active") == "active"}


def dev_tiers() -> dict[str, TierPolicy]:
    """The dev stack's tier catalogue, as the program resolves it."""
    raw = read_stack_config("dev")
    return load_stack_config(project_values(raw), "dev", str(raw["aws:region"])).tiers


def served_of(storage: str) -> set[str]:
    tiers = dev_tiers()
    return {tenant for tenant, tier in served_tenants().items() if tiers[tier].storage == storage}


def test_it_ends_with_nothing_lost(demo) -> None:
    completed, result = demo
    last = completed.stderr.strip().splitlines()[-1]
    match = re.fullmatch(r"sent=(\d+) landed=(\d+) refused=(\d+) rejected=(\d+) lost=0", last)
    assert match, last
    sent, landed, refused, rejected = map(int, match.groups())
    assert sent == landed + refused + rejected and landed > 0 and refused > 0 and rejected > 0
    assert result["totals"] == {"sent": sent, "landed": landed, "refused": refused, "rejected": rejected, "lost": 0}
    # Refusals are the front door's (every tenant's 400s and 401, the burst's 429s); rejects are the job's.
    assert refused == sum(t["refused"] for t in result["tenants"])
    assert rejected == result["straightToStream"]["rejected"] + sum(t["rejected"] for t in result["tenants"])
    assert result["ok"] is True and all(result["checks"].values())


def test_every_tenant_lands_what_the_front_door_accepted_under_its_own_prefix(demo) -> None:
    _, result = demo
    tenants = served_tenants()
    outcomes = {outcome["id"]: outcome for outcome in result["tenants"]}
    assert set(outcomes) == set(tenants)
    for tenant_id, tier in tenants.items():
        outcome = outcomes[tenant_id]
        answers = {int(status): count for status, count in outcome["answers"].items()}
        assert outcome["tier"] == tier
        # What the front door accepted landed, but what the job rejected of it (the undeliverable event).
        assert outcome["landed"] + outcome["rejected"] == answers[200] and outcome["landed"] >= 4
        assert answers[400] == 2 and answers[401] == 1  # not JSON, not an object; a tampered token
        assert answers[413] == 1  # over Kinesis' record limit: refused by moto's Kinesis, mapped by the template
        assert outcome["s3Prefix"] == f"tenant={tenant_id}/"
        assert outcome["rows"] == {"customers": 3, "orders": 12}
    assert result["checks"]["forgedLandedInPlace"] is True


def test_the_tenants_go_through_two_delivery_streams_each_through_its_own(demo) -> None:
    """The dev stack's partition quota spreads its five served tenants over two enriched-events streams."""
    _, result = demo
    streams = result["deliveryStreams"]
    assert len(streams) == 2 and all(streams.values())
    assert sorted(t for tenants in streams.values() for t in tenants) == sorted(served_tenants())
    assert all(len(t["deliveryStreams"]) == 1 for t in result["tenants"])
    assert result["checks"]["routingHolds"] is True


def test_the_burst_is_throttled_and_bad_records_are_rejected_by_the_job(demo) -> None:
    _, result = demo
    throttled = [o for o in result["tenants"] if int(o["answers"].get("429", 0)) > 0]
    tiers = dev_tiers()
    smallest = min(tiers[tier].throttle.burst_limit for tier in served_tenants().values())
    assert len(throttled) == 1 and tiers[throttled[0]["tier"]].throttle.burst_limit == smallest
    direct = result["straightToStream"]
    assert direct["sent"] == direct["rejected"] == 4 and direct["landed"] == 0


def test_isolation_matrices_are_complete_and_hold(demo) -> None:
    _, result = demo
    tenants = served_tenants()
    siloed = served_of("silo")
    s3 = {(c["principal"], c["target"]): c for c in result["isolation"] if c["kind"] == "s3"}
    dal = {(c["principal"], c["target"]): c for c in result["isolation"] if c["kind"] == "dal"}
    assert set(s3) == {(p, t) for p in siloed for t in tenants}
    assert set(dal) == {(p, t) for p in tenants for t in tenants}
    for (principal, target), check in [*s3.items(), *dal.items()]:
        assert check["allowed"] == (principal == target), check


def test_browsers_get_the_cors_preflight_only_from_the_configured_origins(demo) -> None:
    _, result = demo
    configured = read_stack_config("dev")["tenant-pipeline:ingest"]["corsOrigins"]
    assert result["cors"]["configured"] == configured
    assert {origin: allowed for origin, allowed in result["cors"]["preflight"].items() if allowed} == {
        origin: origin for origin in configured
    }
    assert len(result["cors"]["preflight"]) == len(configured) + 1  # and one origin no tenant app serves
    assert result["checks"]["corsHolds"] is True


def test_the_iam_evaluator_matrix_covers_every_pooled_session_and_holds(demo) -> None:
    completed, result = demo
    roster = read_stack_config("dev")["tenant-pipeline:tenants"]
    everyone = {t["id"] for t in roster}
    pooled = served_of("pooled")
    checks = [c for c in result["isolation"] if c["kind"].startswith("iam-")]
    assert checks and all(c["holds"] for c in checks), [c for c in checks if not c["holds"]]
    trust = {(c["principal"], c["target"]): c for c in checks if c["kind"] == "iam-trust"}
    roles = {principal for principal, _ in trust}  # each pooled cell's pooled role (one shard each here)
    assert len(roles) == len({tenant["cell"] for tenant in roster if tenant["id"] in pooled})
    members = {role: {target for (r, target), c in trust.items() if r == role and c["allowed"]} for role in roles}
    assert sorted(t for ids in members.values() for t in ids) == sorted(pooled)  # each in one role only
    for role in roles:
        assert {target for r, target in trust if r == role} == everyone | {"(no tag)", "(+ other tag)"}
        for kind in ("iam-s3", "iam-keyspaces"):
            cells = {(c["principal"], c["target"]) for c in checks if c["kind"] == kind}
            assert {(f"{tag} @ {role}", target) for tag in everyone for target in everyone} <= cells
    reached = {(c["principal"], c["target"]) for c in checks if c["kind"] == "iam-s3" and c["allowed"]}
    assert reached == {(f"{tenant} @ {role}", tenant) for role in roles for tenant in members[role]}
    assert "Isolation (IAM evaluator)" in completed.stderr  # the report (stdout holds the JSON)


def test_the_lifecycle_moves_tenants_both_ways_and_offboarding_leaves_nothing(demo) -> None:
    _, result = demo
    lifecycle = result["lifecycle"]
    assert lifecycle["ok"] is True
    moves = {move["tenant"]: move for move in lifecycle["moves"]}
    tiers = dev_tiers()
    assert sorted((tiers[m["from"]].storage, tiers[m["to"]].storage) for m in moves.values()) == [
        ("pooled", "silo"),
        ("silo", "pooled"),
    ]
    # Issue 20: the dev stack's own pooled tier (not the default `basic`) moves a tenant to premium.
    assert any(m["from"] not in DEFAULT_TIERS and m["to"] == "premium" for m in moves.values()), moves
    for move in moves.values():
        assert move["source"] != move["target"]
        for table, rows in move["tables"].items():
            # Everything the source had, plus what the tenant wrote while it moved, and nothing left behind.
            assert rows["after"] == rows["before"] + rows["written"] and rows["leftInSource"] == 0, (table, rows)
        assert move["tables"]["orders"]["written"] > 0  # the tenant kept writing during the move
    # Five config steps, each run through the program's transition checks: copying, cutover, done, block removed,
    # then the offboarding.
    assert len(lifecycle["steps"]) == 5
    gone = lifecycle["offboarded"]
    assert sum(gone["rowsBefore"].values()) > 0 and gone["objectVersionsBefore"] > 0
    assert sum(gone["rowsAfter"].values()) == 0 and gone["objectVersionsAfter"] == 0
    receipt = json.loads(Path(gone["receipt"]).read_text())
    assert receipt["tenant"] == gone["tenant"]
    assert sum(receipt["rows_deleted"].values()) == sum(gone["rowsBefore"].values())
    assert receipt["versions_deleted"] + receipt["delete_markers_deleted"] == gone["objectVersionsBefore"]


def test_log_records_go_to_the_run_directory_not_between_the_report_lines(demo, run_dir: Path) -> None:
    """The DAL's refusals (the cross-tenant checks make some) and the program's warnings at each
    lifecycle step are in python.log; the console has at most the first read's warnings."""
    completed, _ = demo
    logged = (run_dir / "python.log").read_text(encoding="utf-8")
    assert "refusal" in logged
    assert "refusal" not in completed.stderr
    assert completed.stderr.count("is not built") <= 2  # the first read of the stack, before the run directory


def test_every_served_tenant_queries_its_own_events_and_is_refused_anothers(demo) -> None:
    """SQL through the local Athena as the tenant itself: the count equals what landed for it (after the
    tenant's events landed, before the lifecycle moves anyone); another tenant's partition is refused."""
    _, result = demo
    tenants = served_tenants()
    analytics = {o["id"]: o["analytics"] for o in result["tenants"]}
    assert set(analytics) == set(tenants)
    for tenant_id, entry in analytics.items():
        landed = next(o["landed"] for o in result["tenants"] if o["id"] == tenant_id)
        assert entry == {"queried": landed, "landed": landed, "refusedOther": True}, tenant_id
    assert result["checks"]["analyticsHolds"] is True
    cells = [c for c in result["isolation"] if c["kind"] == "iam-analytics-data"]
    assert {c["target"] for c in cells if c["allowed"]} == set(tenants)  # each its own, N x N
    assert all(c["holds"] for c in result["isolation"] if c["kind"].startswith("iam-analytics"))


def test_the_environment_ran_as_a_platform_and_at_least_two_cells(demo) -> None:
    _, result = demo
    stacks = result["stacks"]
    assert stacks[0]["kind"] == "platform" and stacks[0]["tenants"] == []
    cells = [stack for stack in stacks if stack["kind"] == "cell"]
    assert len(cells) >= 2
    roster = read_stack_config("dev")["tenant-pipeline:tenants"]
    assert sorted(t for cell in cells for t in cell["tenants"]) == sorted(t["id"] for t in roster)


def test_the_metering_table_counts_what_landed_and_was_rejected_per_tenant(demo) -> None:
    """The Flink job's per-tenant metering, read from the declared metering table and summed as billing does:
    per tenant, what landed under its prefix and what the job rejected of its events (the undeliverable one),
    each exactly once; the direct producer's records name no tenant and are metered for none."""
    _, result = demo
    for outcome in result["tenants"]:
        metering = outcome["metering"]
        assert metering["accepted"] == outcome["landed"], outcome["id"]
        assert metering["rejected"] == outcome["rejected"] >= 1, outcome["id"]
        assert metering["bytes"] > 0 and metering["bytes"] >= 100 * metering["accepted"], outcome["id"]
    assert result["checks"]["meteringHolds"] is True
