"""Engine benchmark: an environment of N tenants as one Pulumi stack, and as a platform stack plus tenant cells,
deployed by the real Pulumi CLI (`make engine`) through the Automation API on a file backend.

    .venv/bin/python -m bench.engine --split                 # make bench-engine (about 2 hours on 2 cores)
    .venv/bin/python -m bench.engine --quick --no-write      # a smoke test: 8-24 tenants, budget 50 (minutes)
    .venv/bin/python -m bench.engine --tenants 250 500 --budgets 1000 --json out.json --no-write

Why: the engine rewrites a stack's whole checkpoint at every step, so one stack of N tenants costs O(N^2) to deploy
first (issue 21). The program splits an environment into a platform stack and cells of at most a resource budget
(tiers/cells.py); this measures what that buys, on the real engine.

What runs is a STAND-IN for the program (bench/engine_standin): the AWS provider plugin cannot be had here, so each
stack the program declares for the roster (run under Pulumi's mocks, local/environment.py) is replayed by the real
CLI with ComponentResources in place of the AWS resources, under the same names and parents, with the same inputs
and outputs (secrets encrypted), the same StackReferences and the same reads of the platform's outputs. No provider
calls: the times are the engine's (program run, diff, checkpoint writes), not AWS's.

Measured, for each N of `--tenants` (bench.synth's roster: 10% premium):
- one stack: first deploy (`up` on an empty stack) and a no-change `up`;
- cells of `--budget` resources: the platform, then each cell, one at a time and `--parallel` at once: each
  `up`'s time, their sum and the wall time (with --quick, this and onboarding at the largest N only);
- onboarding: one tenant of the first pooled tier, then one of the first silo tier, added to the roster; only the
  one cell the program's rule puts it in is deployed (the other stacks' declarations must not change); at each
  size, and (`--onboard-at`) into an environment of 10,000 tenants of which the platform and the gaining cells
  are deployed (an `up` of one cell reads no other cell's checkpoint);
- at `--budgets-at` tenants, cells of each of `--budgets` resources (the budget's trade-off).
Then the single stack's first deploy is fitted as a quadratic in N and the cells' as linear in the number of cells,
and both are extrapolated to 10,000 tenants. Targets (issue 21): cells / one stack <= 1/20 at 10,000 tenants;
onboarding one tenant under 60 s whatever the environment's size.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.engine_declarations import Environment, declare, onboard, tenants_for
from bench.engine_deploy import Deployment, DeployResult
from bench.engine_fit import Fit, FitError, fit_polynomial
from bench.synth import machine, write_section
from functions.contracts.cells import cell_stack
from functions.contracts.cli import run_command
from local.engine.automation import preview, refresh, up
from local.errors import EXPECTED_FAILURES, LocalError
from local.paths import BUILD_DIR
from tiers.cells import BUDGET_RANGE, DEFAULT_BUDGET
from tiers.defaults import DEFAULT_TIERS

SECTION = "## engine (the real Pulumi engine: one stack vs cells)"
WORK_DIR = BUILD_DIR / "bench-engine"
SIZES = (250, 500, 1000, 2000)
BUDGETS = (500, 1000, 2000)
PARALLEL = 2  # the machine's cores
QUICK_SIZES = (8, 16, 24)
QUICK_BUDGET = BUDGET_RANGE[0]
TARGET_TENANTS = 10_000
TARGET_RATIO = 1 / 20  # cells' first deploy / one stack's, at TARGET_TENANTS
TARGET_ONBOARDING_SECONDS = 60.0
# The tiers a tenant is onboarded on: the default catalogue's first pooled and first silo tier.
ONBOARDED_TIERS = (
    next(tier.name for tier in DEFAULT_TIERS.values() if not tier.siloed),
    next(tier.name for tier in DEFAULT_TIERS.values() if tier.siloed),
)


class BenchError(LocalError):
    """A benchmark that cannot run as asked."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Scenario:
    tenants: int
    budget: int | None  # None: one stack
    parallel: int
    mock_seconds: float  # the program under mocks, every stack (not part of the engine times)
    load: float  # 1-minute load average before the run
    deployed: DeployResult

    def summary(self) -> dict[str, Any]:
        result = self.deployed
        return {
            "tenants": self.tenants,
            "budget": self.budget,
            "parallel": self.parallel,
            "stacks": len(result.stacks),
            "cells": len(result.stacks) - 1 if self.budget else 0,
            "resources": sum(stack.declared for stack in result.stacks),
            "largest_stack": result.largest.declared,
            "largest_first_seconds": _seconds(result.largest.first),
            "largest_no_change_seconds": _seconds(result.largest.no_change),
            "platform_first_seconds": _seconds(result.stacks[0].first),
            "first_sum_seconds": round(result.first_sum, 2),
            "first_wall_seconds": round(result.first_wall, 2),
            "no_change_sum_seconds": round(result.no_change_sum, 2),
            "no_change_wall_seconds": round(result.no_change_wall, 2),
            "first_cpu_seconds": round(result.first_cpu, 2),
            "no_change_cpu_seconds": round(result.no_change_cpu, 2),
            "checkpoint_bytes": sum(stack.checkpoint_bytes for stack in result.stacks),
            "torn_checkpoint_retries": sum(
                timed.retries for stack in result.stacks for timed in (stack.first, stack.no_change) if timed
            ),
            "mock_seconds": round(self.mock_seconds, 2),
            "load": round(self.load, 2),
            "stack_results": [_stack_summary(stack) for stack in result.stacks],
        }


def _seconds(timed: Any) -> float | None:
    return None if timed is None else round(timed.seconds, 2)


def _stack_summary(stack: Any) -> dict[str, Any]:
    summary = asdict(stack)
    summary["first"] = _seconds(stack.first)
    summary["no_change"] = _seconds(stack.no_change)
    summary["first_cpu"] = None if stack.first is None else round(stack.first.cpu_seconds, 2)
    summary["no_change_cpu"] = None if stack.no_change is None else round(stack.no_change.cpu_seconds, 2)
    summary["select_seconds"] = round(stack.select_seconds, 2)
    return summary


@dataclass
class Onboarding:
    tenants: int  # the environment's size before
    tier: str
    tenant: str
    stack: str  # the cell that gains the tenant: the only stack deployed
    cell_resources: int
    seconds: float
    cpu_seconds: float
    changes: dict[str, int]
    other_stacks_changed: list[str]  # stacks whose declaration the onboarding changed besides that cell
    torn_checkpoint_retries: int


@dataclass
class Measurements:
    sizes: list[int]
    budget: int
    budgets: list[int]
    budgets_at: int
    parallel: int
    cli_version: str = ""
    started: str = ""
    singles: list[dict[str, Any]] = field(default_factory=list)
    cells: list[dict[str, Any]] = field(default_factory=list)  # at `budget`, one at a time and `parallel` at once
    budget_runs: list[dict[str, Any]] = field(default_factory=list)  # at budgets_at, each of `budgets`
    onboarding: list[Onboarding] = field(default_factory=list)
    operations: dict[str, Any] = field(default_factory=dict)  # on the largest cell of the last environment


class Bench:
    def __init__(self, work: Path, keep: bool):
        self.work = work
        self.keep = keep

    def fresh(self, name: str) -> Path:
        path = self.work / name
        shutil.rmtree(path, ignore_errors=True)
        return path

    def done(self, path: Path) -> None:
        if not self.keep:
            shutil.rmtree(path, ignore_errors=True)

    def declare(self, tenants: list[dict[str, str]], budget: int | None, name: str) -> Environment:
        return declare(tenants, budget, self.fresh(f"declare-{name}"))

    def scenario(self, environment: Environment, parallel: int, name: str) -> tuple[Scenario, Deployment, Path]:
        root = self.fresh(name)
        load = os.getloadavg()[0]
        log(f"  {name}: {len(environment.stacks)} stack(s), {sum(s.resources for s in environment.stacks)} resources")
        deployment = Deployment(root, log)
        deployed = deployment.deploy(environment, parallel)
        scenario = Scenario(
            len(environment.tenants), environment.budget, parallel, environment.mock_seconds, load, deployed
        )
        return scenario, deployment, root

    def onboard(self, deployment: Deployment, environment: Environment, tier: str) -> tuple[Onboarding, Environment]:
        """Add one tenant of `tier` and deploy only the cell the program's rule puts it in."""
        tenant = f"onboarded-{tier}"
        tenants = onboard(environment, tenant, tier)
        after = self.declare(tenants, environment.budget, f"onboard-{len(tenants)}-{tier}")
        cell = next(entry["cell"] for entry in tenants if entry["id"] == tenant)
        gaining = cell_stack(environment.platform.stack, cell)
        before = {stack.stack: stack for stack in environment.stacks}
        changed = [s.stack for s in after.stacks if s.stack not in before or not s.same_as(before[s.stack])]
        deployment.select(after, only=[gaining])
        timed = up(deployment.stack(gaining))
        log(f"    onboarding {tenant} into {gaining}: {timed.seconds:.1f} s {timed.changes}")
        result = Onboarding(
            tenants=len(environment.tenants),
            tier=tier,
            tenant=tenant,
            stack=gaining,
            cell_resources=after.stack(gaining).resources,
            seconds=round(timed.seconds, 2),
            cpu_seconds=round(timed.cpu_seconds, 2),
            changes=timed.changes,
            other_stacks_changed=[stack for stack in changed if stack != gaining],
            torn_checkpoint_retries=timed.retries,
        )
        return result, after

    def onboarding_at(self, tenants: int, budget: int) -> list[Onboarding]:
        """Onboard one tenant of each ONBOARDED_TIERS into an environment that they bring to `tenants` (10,000:
        API Gateway's API keys per account and Region, a hard limit, refuse a 10,001st), deploying only what the
        engine reads for it: the platform (its outputs, through the cell's StackReference) and the cells that gain
        the tenants. The other cells are other stacks: their checkpoints are not read by this `up`."""
        before = tenants - len(ONBOARDED_TIERS)
        environment = self.declare(tenants_for(before, budget), budget, f"onboard-at-{before}")
        existing = {stack.stack for stack in environment.stacks}
        gaining = [  # a tenant that opens a new cell gains one that is not deployed yet
            stack
            for tier in ONBOARDED_TIERS
            if (
                stack := cell_stack(
                    environment.platform.stack, _cell_of(onboard(environment, f"onboarded-{tier}", tier), tier)
                )
            )
            in existing
        ]
        root = self.fresh(f"onboard-at-{tenants}")
        log(f"  onboard-at-{tenants}: {len(environment.stacks)} stacks declared; deploying the platform, {gaining}")
        deployment = Deployment(root, log)
        deployment.select(environment, only=[environment.platform.stack, *gaining])
        for stack in [environment.platform.stack, *gaining]:
            deployment.up(stack)
        results = []
        for tier in ONBOARDED_TIERS:
            result, environment = self.onboard(deployment, environment, tier)
            results.append(result)
        self.done(root)
        return results

    def operations(self, deployment: Deployment, result: DeployResult) -> dict[str, Any]:
        """What an orchestrator pays per stack besides `up`: select, preview, refresh (the largest cell)."""
        largest = result.largest
        stack = deployment.stack(largest.stack)
        return {
            "stack": largest.stack,
            "resources": largest.declared,
            "select_seconds": round(largest.select_seconds, 2),
            "preview_seconds": round(preview(stack).seconds, 2),
            "refresh_seconds": round(refresh(stack).seconds, 2),
            "up_no_change_seconds": _seconds(largest.no_change),
        }


def _cell_of(tenants: list[dict[str, str]], tier: str) -> str:
    return next(entry["cell"] for entry in tenants if entry["id"] == f"onboarded-{tier}")


PARTS = ("single", "cells", "onboarding")


def measure(
    bench: Bench,
    *,
    sizes: list[int],
    budget: int,
    budgets: list[int],
    budgets_at: int,
    parallel: int,
    quick: bool,
    parts: tuple[str, ...] = PARTS,
    onboard_at: int | None = None,
    progress: Callable[[Measurements], None] = lambda found: None,
) -> Measurements:
    """Every scenario of `parts`; `progress` is called with what is measured so far after each one."""
    found = Measurements(
        sizes, budget, budgets, budgets_at, parallel, started=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    )
    for n in sizes:
        log(f"{n} tenants")
        if "single" in parts:
            single, deployment, root = bench.scenario(
                bench.declare(tenants_for(n, None), None, f"single-{n}"), 1, f"single-{n}"
            )
            found.cli_version = found.cli_version or str(deployment.workspace.pulumi_version)
            found.singles.append(single.summary())
            bench.done(root)
            progress(found)
        if "cells" not in parts or (quick and n != sizes[-1]):
            continue  # --quick: cells, onboarding and the parallel run at its largest size only
        environment = bench.declare(tenants_for(n, budget), budget, f"cells-{n}")
        cells, deployment, root = bench.scenario(environment, 1, f"cells-{n}-{budget}")
        found.cli_version = found.cli_version or str(deployment.workspace.pulumi_version)
        found.cells.append(cells.summary())
        if n == budgets_at:
            found.budget_runs.append(cells.summary())
        onboarded = environment
        for tier in ONBOARDED_TIERS:
            result, onboarded = bench.onboard(deployment, onboarded, tier)
            found.onboarding.append(result)
        if n == sizes[-1]:
            found.operations = bench.operations(deployment, cells.deployed)
        bench.done(root)
        progress(found)
        if parallel > 1:
            concurrent, _, root = bench.scenario(environment, parallel, f"cells-{n}-{budget}-parallel-{parallel}")
            found.cells.append(concurrent.summary())
            bench.done(root)
            progress(found)
    if "onboarding" in parts and onboard_at:
        log(f"{onboard_at} tenants: onboarding")
        found.onboarding += bench.onboarding_at(onboard_at, budget)
        progress(found)
    for other in budgets:
        if other == budget or "cells" not in parts:
            continue
        log(f"{budgets_at} tenants, budget {other}")
        environment = bench.declare(tenants_for(budgets_at, other), other, f"budget-{other}")
        run, _, root = bench.scenario(environment, 1, f"cells-{budgets_at}-{other}")
        found.budget_runs.append(run.summary())
        bench.done(root)
        progress(found)
    found.budget_runs.sort(key=lambda run: run["budget"])
    return found


@dataclass
class Extrapolation:
    measure: str  # "CPU" or "wall"
    single: Fit | None
    cells_by_cells: Fit | None
    cells_by_tenants: Fit | None
    cells_at_target: int  # cells of the budget for TARGET_TENANTS tenants (the program's rule)
    single_seconds: float | None
    cells_seconds: float | None  # the larger of the two cell fits: the conservative one

    @property
    def ratio(self) -> float | None:
        if self.single_seconds is None or self.cells_seconds is None:
            return None
        return self.cells_seconds / self.single_seconds


# What is fitted, per measure: the one stack's first deploy, and the cells' (sequential: every `up` one at a time).
MEASURES = {"CPU": ("first_cpu_seconds", "first_cpu_seconds"), "wall": ("first_wall_seconds", "first_sum_seconds")}


def extrapolate(found: Measurements, measure: str) -> Extrapolation:
    single_key, cells_key = MEASURES[measure]
    singles = found.singles
    sequential = [run for run in found.cells if run["parallel"] == 1]
    cells_at_target = len({t["cell"] for t in tenants_for(TARGET_TENANTS, found.budget)})
    single = _fit([run["tenants"] for run in singles], [run[single_key] for run in singles], 2)
    by_cells = _fit([run["cells"] for run in sequential], [run[cells_key] for run in sequential], 1)
    by_tenants = _fit([run["tenants"] for run in sequential], [run[cells_key] for run in sequential], 1)
    predictions = [
        fit.predict(x) for fit, x in ((by_cells, cells_at_target), (by_tenants, TARGET_TENANTS)) if fit is not None
    ]
    return Extrapolation(
        measure=measure,
        single=single,
        cells_by_cells=by_cells,
        cells_by_tenants=by_tenants,
        cells_at_target=cells_at_target,
        single_seconds=single.predict(TARGET_TENANTS) if single else None,
        cells_seconds=max(predictions) if predictions else None,
    )


def _fit(xs: list[float], ys: list[float], degree: int) -> Fit | None:
    try:
        return fit_polynomial(xs, ys, degree)
    except FitError as error:
        log(f"no fit: {error}")
        return None


def checks(
    found: Measurements, extrapolations: list[Extrapolation], judge_extrapolation: bool
) -> list[tuple[str, str, bool]]:
    """The structural facts every run must show, the onboarding target, and (from sizes worth extrapolating from:
    not --quick's) the ratio target at TARGET_TENANTS, on the engine's CPU time (the first extrapolation): the wall
    time of a run on the shared machine depends on the others' load too."""
    every = [stack for run in [*found.singles, *found.cells, *found.budget_runs] for stack in run["stack_results"]]
    cells = [stack for stack in every if stack["cell"]]
    missing = [s["stack"] for s in every if s["deployed"] != s["declared"]]
    over = [s["stack"] for s in cells if s["declared"] > s["budget"]]
    unread = [s["stack"] for s in cells if s["reads"] == 0 or s["reads_through_reference"] != s["reads"]]
    spill = [o.stack for o in found.onboarding if o.other_stacks_changed]
    slowest = max((o.seconds for o in found.onboarding), default=0.0)
    found_checks = [
        ("every stack deployed what the program declares", f"{len(every) - len(missing)}/{len(every)}", not missing),
        ("no cell over its budget", ", ".join(over) or "none over", not over),
        (
            "every cell reads the platform's outputs through its StackReference",
            ", ".join(unread) or f"{len(cells)} cells",
            not unread,
        ),
        ("onboarding changes only the cell that gains the tenant", ", ".join(spill) or "yes", not spill),
        (
            f"onboarding one tenant < {TARGET_ONBOARDING_SECONDS:g} s (wall)",
            f"{slowest:.1f} s at most",
            slowest < TARGET_ONBOARDING_SECONDS,
        ),
    ]
    if judge_extrapolation:
        primary = extrapolations[0]
        ratio = primary.ratio
        found_checks.append(
            (
                f"cells / one stack at {TARGET_TENANTS:,} tenants <= 1/{1 / TARGET_RATIO:g} ({primary.measure})",
                "no fit" if ratio is None or ratio <= 0 else f"1/{1 / ratio:.0f} ({ratio:.3f})",
                ratio is not None and 0 < ratio <= TARGET_RATIO,
            )
        )
    return found_checks


def report(found: Measurements, extrapolations: list[Extrapolation], judge_extrapolation: bool) -> tuple[str, bool]:
    found_checks = checks(found, extrapolations, judge_extrapolation)
    loads = [run["load"] for run in [*found.singles, *found.cells, *found.budget_runs]]
    load_range = f"{min(loads):.1f}-{max(loads):.1f}" if loads else "not measured"
    lines = [
        SECTION,
        "",
        f"Command: `make bench-engine` (= `nice .venv/bin/python -m bench.engine --split`), started {found.started}; "
        f"Pulumi CLI v{found.cli_version} (`make engine`), a file backend, the Automation API; every `up` with "
        "`--skip-preview` (the Automation API's), one process at a time unless said.",
        f"Machine: {machine()}; 1-minute load average before the runs {load_range} "
        "(shared with other jobs, and this runs under `nice`: wall times stretch with the others' load, CPU times "
        "(the CLI, language host and program processes, user + system) much less).",
        "",
        "Method: bench.synth's roster (10% premium, quotas raised to fit), its stacks as the program declares them "
        "under mocks (local/environment.py), each replayed on the real engine by a STAND-IN program "
        "(bench/engine_standin): a ComponentResource for each AWS resource (no provider can be had here), same "
        "names, parents, inputs, outputs and secrets, real StackReferences, the cells' reads of the platform's "
        "outputs. So the times are the engine's (program run, diff, checkpoint writes) without AWS's API time; "
        "`mocks` is the program itself under mocks for every stack (its config validation and planning, which "
        "the stand-in does not repeat). Each scenario starts from an empty backend.",
        "",
        "One stack (an environment without cells):",
        "",
        "| tenants | resources | checkpoint | first `up`: wall / CPU (s) | no-change `up`: wall / CPU (s) "
        "| mocks (s) | load |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in found.singles:
        lines.append(
            f"| {run['tenants']:,} | {run['resources']:,} | {run['checkpoint_bytes'] / 1e6:.2f} MB | "
            f"{run['first_wall_seconds']:.1f} / {run['first_cpu_seconds']:.1f} | "
            f"{run['no_change_wall_seconds']:.1f} / {run['no_change_cpu_seconds']:.1f} | {run['mock_seconds']:.1f} | "
            f"{run['load']:.1f} |"
        )
    lines += [
        "",
        f"Platform plus cells of {found.budget:,} resources. Sum: of every `up`'s wall time, one at a time; wall: "
        f"the platform, then the cells (`parallel` at once); CPU: of every process the phase ran:",
        "",
        "| tenants | cells | resources | largest cell | parallel | first: sum / wall / CPU (s) "
        "| no-change: sum / wall / CPU (s) | platform first (s) | largest cell first / no-change (s) | mocks (s) "
        "| load |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [_cells_row(run) for run in found.cells]
    lines += ["", f"Budgets at {found.budgets_at:,} tenants (one `up` at a time):", ""]
    lines += [
        "| budget | cells | resources | largest cell | first: sum / CPU (s) | no-change: sum / CPU (s) "
        "| largest cell first / no-change (s) | load |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in found.budget_runs:
        lines.append(
            f"| {run['budget']:,} | {run['cells']} | {run['resources']:,} | {run['largest_stack']:,} | "
            f"{run['first_sum_seconds']:.1f} / {run['first_cpu_seconds']:.1f} | "
            f"{run['no_change_sum_seconds']:.1f} / {run['no_change_cpu_seconds']:.1f} | "
            f"{run['largest_first_seconds']:.1f} / {run['largest_no_change_seconds']:.1f} | {run['load']:.1f} |"
        )
    lines += [
        "",
        "Onboarding one tenant (its cell by the program's rule; only that cell's `up`):",
        "",
        "| environment (tenants) | tier | cell | cell's resources | `up`: wall / CPU (s) | changes "
        "| other stacks changed |",
        "|---:|---|---|---:|---:|---|---|",
    ]
    for o in found.onboarding:
        changes = ", ".join(f"{op} {count}" for op, count in sorted(o.changes.items()))
        lines.append(
            f"| {o.tenants:,} | {o.tier} | {o.stack} | {o.cell_resources:,} | {o.seconds:.1f} / {o.cpu_seconds:.1f} "
            f"| {changes} | {', '.join(o.other_stacks_changed) or 'none'} |"
        )
    if found.operations:
        ops = found.operations
        lines += [
            "",
            f"Per-stack costs for an orchestrator ({ops['stack']}, {ops['resources']:,} resources, wall): "
            f"create_or_select + set_all_config {ops['select_seconds']:.1f} s, preview {ops['preview_seconds']:.1f} s, "
            f"no-change up {ops['up_no_change_seconds']:.1f} s, refresh {ops['refresh_seconds']:.1f} s.",
        ]
    retries = sum(run["torn_checkpoint_retries"] for run in [*found.singles, *found.cells, *found.budget_runs])
    retries += sum(o.torn_checkpoint_retries for o in found.onboarding)
    lines += [
        "",
        f"`up`s retried after reading a torn checkpoint (local/engine/automation.py TORN_CHECKPOINT): {retries}.",
    ]
    for extrapolation in extrapolations:
        lines += ["", *_extrapolation_lines(found, extrapolation)]
    lines += [
        "",
        "| check | measured | holds |",
        "|---|---|---|",
        *(f"| {name} | {value} | {'yes' if ok else 'NO'} |" for name, value, ok in found_checks),
        "",
    ]
    return "\n".join(lines), all(ok for _, _, ok in found_checks)


def _cells_row(run: dict[str, Any]) -> str:
    return (
        f"| {run['tenants']:,} | {run['cells']} | {run['resources']:,} | {run['largest_stack']:,} | "
        f"{run['parallel']} | {run['first_sum_seconds']:.1f} / {run['first_wall_seconds']:.1f} / "
        f"{run['first_cpu_seconds']:.1f} | {run['no_change_sum_seconds']:.1f} / {run['no_change_wall_seconds']:.1f} / "
        f"{run['no_change_cpu_seconds']:.1f} | {run['platform_first_seconds']:.1f} | "
        f"{run['largest_first_seconds']:.1f} / {run['largest_no_change_seconds']:.1f} | {run['mock_seconds']:.1f} | "
        f"{run['load']:.1f} |"
    )


def _extrapolation_lines(found: Measurements, e: Extrapolation) -> list[str]:
    lines = [f"Extrapolation to {TARGET_TENANTS:,} tenants, {e.measure} time of the first deploy:", ""]
    for title, fit, variable in (
        ("one stack, quadratic in tenants n", e.single, "n"),
        ("cells (every `up` one at a time), linear in cells c", e.cells_by_cells, "c"),
        ("cells (every `up` one at a time), linear in tenants n", e.cells_by_tenants, "n"),
    ):
        if fit is None:
            lines.append(f"- {title}: too few points to fit")
            continue
        residuals = ", ".join(f"{x:g}: {r:+.1f} s" for (x, _), r in zip(fit.points, fit.residuals, strict=True))
        lines.append(f"- {title}: t = {fit.formula(variable)} s; residuals (measured - fit) {residuals}")
    if e.single_seconds is not None and e.cells_seconds is not None and e.ratio is not None and e.ratio > 0:
        lines += [
            "",
            f"At {TARGET_TENANTS:,} tenants: one stack {e.single_seconds:,.0f} s ({e.single_seconds / 3600:.1f} h); "
            f"{e.cells_at_target} cells of {found.budget:,} resources (the program's rule for that roster) "
            f"{e.cells_seconds:,.0f} s (the larger of the two linear fits): "
            f"cells / one stack = {e.ratio:.3f} (1/{1 / e.ratio:.0f}).",
        ]
    return lines


def write_json(found: Measurements, extrapolations: list[Extrapolation], judge_extrapolation: bool, path: Path) -> None:
    found_checks = checks(found, extrapolations, judge_extrapolation)
    document = {
        "format": 1,
        **asdict(found),
        "extrapolations": [
            {
                "measure": e.measure,
                "tenants": TARGET_TENANTS,
                "cells": e.cells_at_target,
                "single_seconds": e.single_seconds,
                "cells_seconds": e.cells_seconds,
                "ratio": e.ratio,
                "fits": {
                    name: None if fit is None else {"coefficients": fit.coefficients, "residuals": fit.residuals}
                    for name, fit in (
                        ("single", e.single),
                        ("cells_by_cells", e.cells_by_cells),
                        ("cells_by_tenants", e.cells_by_tenants),
                    )
                },
            }
            for e in extrapolations
        ],
        "checks": [{"check": name, "measured": value, "holds": ok} for name, value, ok in found_checks],
        "ok": all(ok for _, _, ok in found_checks),
    }
    path.write_text(json.dumps(document, indent=2) + "\n")


MERGED_LISTS = ("singles", "cells", "budget_runs", "onboarding")


def read_json(paths: list[Path]) -> Measurements:
    """The measurements of runs written by --json (parts of one run made by concurrent processes), as one."""
    documents = [json.loads(path.read_text()) for path in paths]
    first = documents[0]
    found = Measurements(
        sizes=sorted({n for d in documents for n in d["sizes"]}),
        budget=first["budget"],
        budgets=sorted({b for d in documents for b in d["budgets"]}),
        budgets_at=next((d["budgets_at"] for d in documents if d["budget_runs"]), first["budgets_at"]),
        parallel=first["parallel"],
        cli_version=next(d["cli_version"] for d in documents if d["cli_version"]),
        started=min(d["started"] for d in documents),
        operations=next((d["operations"] for d in documents if d["operations"]), {}),
    )
    if any(d["budget"] != found.budget for d in documents):
        raise BenchError(f"runs of different cell budgets cannot be combined: {[d['budget'] for d in documents]}")
    for name in MERGED_LISTS:
        merged = [entry for d in documents for entry in d[name]]
        getattr(found, name).extend(Onboarding(**entry) if name == "onboarding" else entry for entry in merged)
    found.singles.sort(key=lambda run: run["tenants"])
    found.cells.sort(key=lambda run: (run["parallel"], run["tenants"]))
    found.budget_runs.sort(key=lambda run: run["budget"])
    found.onboarding.sort(key=lambda o: o.tenants)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.engine", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--tenants", type=int, nargs="+", help=f"environment sizes (default {' '.join(map(str, SIZES))})"
    )
    parser.add_argument("--budget", type=int, help=f"resources per cell (default {DEFAULT_BUDGET}, the program's)")
    parser.add_argument(
        "--budgets", type=int, nargs="*", help=f"budgets compared (default {' '.join(map(str, BUDGETS))})"
    )
    parser.add_argument("--budgets-at", type=int, help="the size the budgets are compared at (default: the largest)")
    parser.add_argument("--parallel", type=int, default=PARALLEL, help="cells deployed at once in the parallel runs")
    parser.add_argument(
        "--quick", action="store_true", help=f"smoke test: {QUICK_SIZES} tenants, budget {QUICK_BUDGET}"
    )
    parser.add_argument("--json", type=Path, help="also write every measurement to this file")
    parser.add_argument("--work-dir", type=Path, default=WORK_DIR, help="backends and declarations (emptied per run)")
    parser.add_argument("--keep", action="store_true", help="keep each scenario's backend")
    parser.add_argument("--no-write", action="store_true", help="print the section, leave RESULTS.md alone")
    parser.add_argument(
        "--only", nargs="+", choices=PARTS, default=list(PARTS), help="run these parts only (with --json, to combine)"
    )
    parser.add_argument(
        "--onboard-at",
        type=int,
        help=f"also onboard into an environment of this many tenants (default {TARGET_TENANTS:,}; 0: no)",
    )
    parser.add_argument(
        "--combine", type=Path, nargs="+", help="report the --json files of parts run at once (no deploys)"
    )
    parser.add_argument(
        "--split",
        action="store_true",
        help="two processes at once: the largest one-stack deploy, and everything else (then --combine)",
    )
    args = parser.parse_args(argv)
    if args.combine:
        found = read_json(args.combine)
        return finish(found, args, judge_extrapolation=True)
    sizes = sorted(set(args.tenants or (QUICK_SIZES if args.quick else SIZES)))
    budget = args.budget or (QUICK_BUDGET if args.quick else DEFAULT_BUDGET)
    budgets = sorted(set(args.budgets if args.budgets is not None else ([budget] if args.quick else BUDGETS)))
    budgets_at = args.budgets_at or sizes[-1]
    low, high = BUDGET_RANGE
    if any(not low <= b <= high for b in [budget, *budgets]):
        parser.error(f"budgets must be {low}-{high} resources (tiers/cells.py), got {[budget, *budgets]}")
    if sizes[0] < 1 or args.parallel < 1:
        parser.error("tenants and --parallel must be at least 1")
    if budgets_at not in sizes:
        parser.error(f"--budgets-at {budgets_at} must be one of --tenants {sizes}")
    onboard_at = args.onboard_at if args.onboard_at is not None else (0 if args.quick else TARGET_TENANTS)
    if args.split:
        parts = split_commands(
            args, sizes=sizes, budget=budget, budgets=budgets, budgets_at=budgets_at, onboard_at=onboard_at
        )
        return finish(read_json(run_split(parts)), args, judge_extrapolation=not args.quick)

    def progress(found: Measurements) -> None:
        if args.json:
            write_json(found, [extrapolate(found, m) for m in MEASURES], not args.quick, args.json)

    found = measure(
        Bench(args.work_dir, args.keep),
        sizes=sizes,
        budget=budget,
        budgets=budgets,
        budgets_at=budgets_at,
        parallel=args.parallel,
        quick=args.quick,
        parts=tuple(args.only),
        onboard_at=onboard_at,
        progress=progress,
    )
    return finish(found, args, judge_extrapolation=not args.quick and set(args.only) == set(PARTS))


@dataclass(frozen=True)
class Part:
    commands: list[list[str]]  # run one after the other
    outputs: list[Path]  # their --json files


def split_commands(
    args: argparse.Namespace, *, sizes: list[int], budget: int, budgets: list[int], budgets_at: int, onboard_at: int
) -> list[Part]:
    """The run as two processes: the largest one-stack deploy alone (quadratic: the longest part by far), and
    the rest one after the other. Each process counts only its own children's CPU (getrusage), so their CPU
    times are exact though they run at once; their wall times stretch with each other's load."""
    work: Path = args.work_dir

    def command(name: str, tenants: list[int], only: list[str], *extra: str) -> tuple[list[str], Path]:
        output = work / f"part-{name}.json"
        return [
            sys.executable, "-m", "bench.engine", "--no-write", "--json", str(output), "--work-dir", str(work / name),
            "--budget", str(budget), "--parallel", str(args.parallel), "--tenants", *map(str, tenants),
            "--only", *only, *extra,
        ], output  # fmt: skip

    largest = command("single-largest", sizes[-1:], ["single"], "--onboard-at", "0")
    others = [command("single-others", sizes[:-1], ["single"], "--onboard-at", "0")] if len(sizes) > 1 else []
    cells = command(
        "cells",
        sizes,
        ["cells", "onboarding"],
        "--budgets", *map(str, budgets), "--budgets-at", str(budgets_at), "--onboard-at", str(onboard_at),
    )  # fmt: skip
    rest = [*others, cells]
    return [Part([largest[0]], [largest[1]]), Part([c for c, _ in rest], [o for _, o in rest])]


def run_split(parts: list[Part]) -> list[Path]:
    def run(part: Part) -> None:
        for command in part.commands:
            log(f"part: {' '.join(command[2:])}")
            if subprocess.run(command, check=False).returncode not in (0, 1):  # 1: measured, a check failed
                raise BenchError(f"a part of the run failed: {' '.join(command[2:])}")

    with ThreadPoolExecutor(max_workers=len(parts)) as pool:
        list(pool.map(run, parts))
    return [output for part in parts for output in part.outputs]


def finish(found: Measurements, args: argparse.Namespace, judge_extrapolation: bool) -> int:
    extrapolations = [extrapolate(found, measure) for measure in MEASURES]
    section, ok = report(found, extrapolations, judge_extrapolation=judge_extrapolation)
    print(section)
    if args.json and not args.combine:
        write_json(found, extrapolations, judge_extrapolation, args.json)
    if not args.no_write:
        write_section(section)
    return 0 if ok else 1


if __name__ == "__main__":
    run_command(main, EXPECTED_FAILURES)
