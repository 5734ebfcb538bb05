"""Deploy order and parallelism: the platform first (cells read its outputs), then the cells, at most `parallel` at
once. A cell that tenants move away from runs after the cells they move to: the target's directory slice holds a
moving tenant's record before the source's drops it, so the tenant is never in neither. A stack runs only once the
stacks it waits for have succeeded; one whose prerequisite failed is not run (blocked), and a failure stops nothing
else."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TypeVar

from orchestrator.stacks import Environment, StackSpec

R = TypeVar("R")


@dataclass(frozen=True)
class Job:
    stack: str
    after: frozenset[str] = frozenset()  # the stacks that must succeed first


def deploy_jobs(environment: Environment, stacks: Sequence[StackSpec]) -> list[Job]:
    """`stacks` as jobs: each cell after the platform (when the platform is among them), a move's source cell after
    its target cell. Moves both ways between two cells would make a cycle: the move listed first in the roster keeps
    its order, and the edge that would close the cycle is dropped (that other move's tenant is then briefly in neither
    slice, while its source has deployed and its target not yet)."""
    names = {spec.name for spec in stacks}
    platform = environment.platform.name
    after: dict[str, set[str]] = {spec.name: set() for spec in stacks}
    for spec in stacks:
        if spec.kind == "cell" and platform in names:
            after[spec.name].add(platform)
    for tenant in environment.config.tenants:
        source = None if tenant.migration is None else tenant.migration.from_cell
        if source is None or tenant.cell is None:
            continue
        target_stack, source_stack = environment.cell(tenant.cell).name, environment.cell(source).name
        if {target_stack, source_stack} <= names and not _reaches(after, target_stack, source_stack):
            after[source_stack].add(target_stack)
    return [Job(spec.name, frozenset(after[spec.name])) for spec in stacks]


def chain_jobs(stacks: Sequence[StackSpec]) -> list[Job]:
    """`stacks` one after the other, in the order given, each once the one before succeeded."""
    return [Job(spec.name, frozenset({stacks[index - 1].name} if index else ())) for index, spec in enumerate(stacks)]


def _reaches(after: dict[str, set[str]], start: str, goal: str) -> bool:
    """Whether `start` already waits, directly or not, for `goal`."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name == goal:
            return True
        if name not in seen:
            seen.add(name)
            todo.extend(after.get(name, ()))
    return False


class Schedule:
    """Which jobs may start, given those running and finished (pure: no threads)."""

    def __init__(self, jobs: Iterable[Job]):
        self.jobs = {job.stack: job for job in jobs}
        self.waiting = list(self.jobs)
        self.succeeded: set[str] = set()
        self.failed: set[str] = set()  # failed or blocked

    def ready(self) -> list[str]:
        return [name for name in self.waiting if self.jobs[name].after <= self.succeeded]

    def start(self, stack: str) -> None:
        self.waiting.remove(stack)

    def finish(self, stack: str, ok: bool) -> None:
        (self.succeeded if ok else self.failed).add(stack)

    def blocked(self) -> dict[str, list[str]]:
        """The waiting jobs that can never run, with the failed (or blocked) stacks they wait for; taken off the
        schedule."""
        found: dict[str, list[str]] = {}
        changed = True
        while changed:
            changed = False
            for name in list(self.waiting):
                failed = sorted(self.jobs[name].after & self.failed)
                if failed:
                    found[name] = failed
                    self.waiting.remove(name)
                    self.failed.add(name)
                    changed = True
        return found

    @property
    def done(self) -> bool:
        return not self.waiting


def run_jobs(
    jobs: Sequence[Job],
    parallel: int,
    run: Callable[[str], R],
    succeeded: Callable[[R], bool],
    blocked: Callable[[str, list[str]], R],
) -> dict[str, R]:
    """Run each job's stack with `run` on at most `parallel` threads, in dependency order; every job gets a result
    (`blocked(stack, failed prerequisites)` for one that cannot run). An exception from `run` is a bug: it ends the
    run once the jobs in flight are done."""
    schedule = Schedule(jobs)
    results: dict[str, R] = {}
    running: dict[Future[R], str] = {}
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        while True:
            for stack, failed in schedule.blocked().items():
                results[stack] = blocked(stack, failed)
            for stack in schedule.ready()[: max(1, parallel) - len(running)]:
                schedule.start(stack)
                running[pool.submit(run, stack)] = stack
            if not running:
                if schedule.done:
                    break
                raise ValueError(f"jobs wait for stacks outside the run: {', '.join(schedule.waiting)}")
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                stack = running.pop(future)
                results[stack] = result = future.result()
                schedule.finish(stack, succeeded(result))
    return {job.stack: results[job.stack] for job in jobs}
