"""Deploy order and parallelism (orchestrator/schedule.py), without the engine: which stack waits for which, how
many run at once, and what a failure stops."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from orchestrator.schedule import Job, Schedule, chain_jobs, deploy_jobs, run_jobs
from orchestrator.stacks import Environment, retired_cells
from tests.support.cell_roster import cell_settings


def test_every_cell_waits_for_the_platform_and_nothing_else(write_environment: Callable[..., Environment]) -> None:
    environment = write_environment(cell_settings())
    jobs = deploy_jobs(environment, environment.stacks())
    assert jobs[0] == Job(environment.name)
    assert [job.stack for job in jobs[1:]] == [spec.name for spec in environment.cells()]
    assert all(job.after == {environment.name} for job in jobs[1:])


def test_a_moves_source_cell_waits_for_its_target_and_a_cycle_is_broken(
    write_environment: Callable[..., Environment],
) -> None:
    settings = cell_settings()
    roster = settings["tenant-pipeline:tenants"]
    # initech: basic-1 -> premium-1 (pooled -> silo); acme: premium-1 -> basic-2 (silo -> pooled).
    roster[2] = {**roster[2], "tier": "premium", "cell": "premium-1"}
    roster[2]["migration"] = {"from": "basic", "state": "copying", "fromCell": "basic-1"}
    roster[0] = {**roster[0], "tier": "basic", "cell": "basic-2"}
    roster[0]["migration"] = {"from": "premium", "state": "copying", "fromCell": "premium-1"}
    environment = write_environment(settings)
    after = {job.stack: job.after for job in deploy_jobs(environment, environment.stacks())}
    assert after["dev.basic-1"] == {"dev", "dev.premium-1"}  # initech's source after its target
    assert after["dev.premium-1"] == {"dev", "dev.basic-2"}  # acme's source after its target
    assert after["dev.basic-2"] == {"dev"}

    # globex too, premium-1 -> basic-1, before initech in the roster: its edge comes first, and initech's (basic-1
    # after premium-1) would close a cycle. One of the two waits, never both.
    roster[1] = {**roster[1], "tier": "basic", "cell": "basic-1"}
    roster[1]["migration"] = {"from": "premium", "state": "copying", "fromCell": "premium-1"}
    after = {job.stack: job.after for job in deploy_jobs(write_environment(settings), environment.stacks())}
    assert after["dev.premium-1"] == {"dev", "dev.basic-2", "dev.basic-1"}
    assert after["dev.basic-1"] == {"dev"}


def test_a_chain_runs_one_stack_at_a_time_in_the_order_given(write_environment: Callable[..., Environment]) -> None:
    environment = write_environment(cell_settings())
    stacks = environment.stacks()[::-1]
    schedule = Schedule(chain_jobs(stacks))
    for stack in stacks:
        assert schedule.ready() == [stack.name]
        schedule.start(stack.name)
        assert schedule.ready() == []
        schedule.finish(stack.name, ok=True)
    assert schedule.done


def test_at_most_parallel_jobs_run_at_once_and_all_of_them_do() -> None:
    jobs = [Job("platform"), *(Job(f"cell-{n}", frozenset({"platform"})) for n in range(6))]
    running: set[str] = set()
    most = 0
    lock = threading.Lock()
    platform_done = threading.Event()

    def run(stack: str) -> str:
        nonlocal most
        if stack != "platform":
            assert platform_done.is_set(), f"{stack} started before the platform finished"
        with lock:
            running.add(stack)
            most = max(most, len(running))
        time.sleep(0.05)
        with lock:
            running.discard(stack)
        if stack == "platform":
            platform_done.set()
        return "ok"

    results = run_jobs(jobs, 2, run, lambda result: result == "ok", lambda stack, failed: "blocked")
    assert list(results) == [job.stack for job in jobs]
    assert set(results.values()) == {"ok"}
    assert most == 2


def test_a_failure_stops_only_the_jobs_waiting_for_it() -> None:
    jobs = [
        Job("platform"),
        Job("target", frozenset({"platform"})),
        Job("source", frozenset({"platform", "target"})),
        Job("after-source", frozenset({"source"})),
        Job("other", frozenset({"platform"})),
    ]
    ran: list[str] = []

    def run(stack: str) -> str:
        ran.append(stack)
        return "failed" if stack == "target" else "ok"

    results = run_jobs(jobs, 2, run, lambda result: result == "ok", lambda stack, failed: f"blocked by {failed}")
    assert results == {
        "platform": "ok",
        "target": "failed",
        "source": "blocked by ['target']",
        "after-source": "blocked by ['source']",
        "other": "ok",
    }
    assert sorted(ran) == ["other", "platform", "target"]


def test_cell_stacks_the_roster_no_longer_names_are_deployed_too(write_environment: Callable[..., Environment]) -> None:
    environment = write_environment(cell_settings())
    on_backend = ["dev", "dev.basic-1", "dev.basic-7", "dev.premium-3", "prod", "prod.basic-1", "Dev.x-1"]
    assert [spec.name for spec in retired_cells(environment, on_backend)] == ["dev.basic-7", "dev.premium-3"]
    assert all(spec.kind == "cell" for spec in retired_cells(environment, on_backend))
