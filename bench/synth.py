"""Scale benchmark: synthesize the whole program under mocks for large tenant rosters.

    .venv/bin/python -m bench.synth            # 100, 1,000, 10,000 tenants; writes bench/RESULTS.md
    .venv/bin/python -m bench.synth --sizes 100 1000 --repeats 1 --no-write

Every run is a process of its own (`--child`), so its peak memory (ru_maxrss) is its own and no
size inherits another's Pulumi runtime state. Each size runs `--repeats` times, in rounds, and keeps
the fastest wall time: the machine is shared, and the minimum is the run least disturbed by others.

Resources per basic and per premium tenant are marginal counts over the whole program: what 10
more tenants of a tier add to a 100-tenant roster, whoever declares them.
Targets (issues #4, #14): at most 2 resources per basic tenant; 10,000-tenant time / 1,000-tenant
time <= 11; 1,000 tenants in 10 s or less. The section ends with `make plan`'s quota table for the
largest roster: every limit within its quota as raised (raises_to_fit), or its hard value.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

from local.paths import PROJECT_ROOT
from local.program import run_program
from tiers.defaults import DEFAULT_TIERS
from tiers.model import IngestSettings, Quotas, TenantSpec
from tiers.naming import Namer
from tiers.plan import plan_tenants
from tiers.pool import DEFAULT_POOL
from tiers.quotas import Roster, raises_to_fit

RESULTS = PROJECT_ROOT / "bench" / "RESULTS.md"
SECTION = "## storage / synth"
STACK = "bench"
SIZES = (100, 1000, 10000)
LARGEST = SIZES[-1]
PREMIUM_EVERY = 10  # 10% premium
MARGINAL_BASE, MARGINAL_STEP = 100, 10
TARGET_BASIC_RESOURCES = 2
TARGET_RATIO = 11.0  # 10,000 / 1,000 tenants
TARGET_1000_SECONDS = 10.0
CHILD_TIMEOUT_SECONDS = 900  # a 10,000-tenant run takes about a minute and a half on 2 idle cores
REGION = "us-east-1"


def roster(tenants: int, premium_every: int = PREMIUM_EVERY) -> list[dict[str, str]]:
    return [{"id": f"t{n:05d}", "tier": "premium" if n % premium_every == 0 else "basic"} for n in range(tenants)]


def stack_config(tenants: list[dict[str, str]]) -> dict[str, Any]:
    """The stack config a user would write: quotas raised to fit the roster, as AWS would have raised them."""
    namer = Namer(STACK)
    specs = tuple(TenantSpec(t["id"], t["tier"], index=i, cell=t.get("cell")) for i, t in enumerate(tenants))
    plans = plan_tenants(specs, DEFAULT_TIERS, namer)  # with cells, the pooled roles are sharded per cell
    quotas = Quotas()
    roster = Roster(plans, DEFAULT_TIERS, DEFAULT_POOL, IngestSettings(), namer, quotas.firehose_partitions, REGION)
    raised = raises_to_fit(roster, quotas)
    return {"aws:region": REGION, "tenant-pipeline:tenants": tenants, "tenant-pipeline:quotas": raised}


def quota_table_text(size: int) -> tuple[str, bool]:
    """`make plan`'s quota table (local/plan.py) for the `size` roster as bench runs it, and whether all fit."""
    from rich.console import Console

    from local.plan import quota_table
    from local.stack_file import project_values
    from tiers.load import load_stack_config

    raw = stack_config(roster(size))
    config = load_stack_config(project_values(raw), environment=STACK, region=REGION)  # refuses a roster over any quota
    uses = config.quota_uses()
    console = Console(width=200, record=True, file=io.StringIO())  # recorded, not shown
    console.print(quota_table(uses))
    streams = config.delivery_shards
    summary = (
        f"{streams.count} enriched-events delivery streams, the busiest carrying {streams.busiest} tenants; "
        f"quotas raised: {', '.join(f'{key}={value:,}' for key, value in raw['tenant-pipeline:quotas'].items())}"
    )
    return console.export_text().rstrip() + "\n\n" + summary, all(use.fits for use in uses)


def synthesize(tenants: list[dict[str, str]]) -> tuple[int, float, float]:
    """Registrations, wall time and CPU time (all threads) of one run: validation, planning, declarations."""
    started, cpu_started = time.perf_counter(), time.process_time()
    declaration = run_program(STACK, stack_config(tenants))
    return len(declaration.resources), time.perf_counter() - started, time.process_time() - cpu_started


def measure_one(size: int) -> dict[str, Any]:
    tenants = roster(size)
    load_before = os.getloadavg()[0]
    resources, seconds, cpu_seconds = synthesize(tenants)
    premium = sum(t["tier"] == "premium" for t in tenants)
    return {
        "tenants": size,
        "premium": premium,
        "basic": size - premium,
        "resources": resources,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load": round(load_before, 2),
    }


def measure_marginal() -> dict[str, Any]:
    base = roster(MARGINAL_BASE)
    more_basic = base + [{"id": f"b{n:05d}", "tier": "basic"} for n in range(MARGINAL_STEP)]
    more_premium = base + [{"id": f"p{n:05d}", "tier": "premium"} for n in range(MARGINAL_STEP)]
    count = {
        name: synthesize(tenants)[0]
        for name, tenants in (("base", base), ("basic", more_basic), ("premium", more_premium))
    }
    return {
        "base_resources": count["base"],
        "per_basic": (count["basic"] - count["base"]) / MARGINAL_STEP,
        "per_premium": (count["premium"] - count["base"]) / MARGINAL_STEP,
    }


def in_own_process(argument: str) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.synth", "--child", argument],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_SECONDS,
    )
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def measure_sizes(sizes: list[int], repeats: int) -> list[dict[str, Any]]:
    """Each size `repeats` times, in rounds (100, 1,000, 5,000, 100, ...) so that a busy spell on the
    machine falls on every size alike; per size the fastest run, the highest peak memory, every time."""
    seen: dict[int, list[dict[str, Any]]] = {size: [] for size in sizes}
    for _ in range(repeats):
        for size in sizes:
            seen[size].append(in_own_process(str(size)))
            print(json.dumps(seen[size][-1]), flush=True)
    best_runs = []
    for runs in seen.values():
        best = dict(min(runs, key=lambda run: run["seconds"]))
        best["peak_rss_mib"] = max(run["peak_rss_mib"] for run in runs)
        best["all_seconds"] = [run["seconds"] for run in runs]
        best_runs.append(best)
    return best_runs


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory_kib = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    # The versions that set the per-registration cost.
    return (
        f"{os.cpu_count()} cores ({model}), {memory_kib / 1024 / 1024:.0f} GiB; Python {platform.python_version()}, "
        f"pulumi {version('pulumi')}, pulumi-aws {version('pulumi_aws')}"
    )


def checks(by_size: dict[int, dict[str, Any]], marginal: dict[str, Any]) -> list[tuple[str, str, bool]]:
    found = [
        (
            f"resources per basic tenant <= {TARGET_BASIC_RESOURCES}",
            f"{marginal['per_basic']:g}",
            marginal["per_basic"] <= TARGET_BASIC_RESOURCES,
        ),
    ]
    if 1000 in by_size and LARGEST in by_size:
        ratio = by_size[LARGEST]["seconds"] / by_size[1000]["seconds"]
        found.append((f"time {LARGEST:,} / time 1,000 <= {TARGET_RATIO:g}", f"{ratio:.2f}", ratio <= TARGET_RATIO))
    if 1000 in by_size:
        seconds = by_size[1000]["seconds"]
        found.append(
            (f"1,000 tenants in <= {TARGET_1000_SECONDS:g} s", f"{seconds:.2f} s", seconds <= TARGET_1000_SECONDS)
        )
    return found


def report(
    runs: list[dict[str, Any]], marginal: dict[str, Any], repeats: int, quotas: tuple[str, bool] | None = None
) -> tuple[str, bool]:
    by_size = {run["tenants"]: run for run in runs}
    found = checks(by_size, marginal)
    lines = [
        SECTION,
        "",
        f"Command: `make bench-synth` (= `.venv/bin/python -m bench.synth --repeats {repeats}`); every run in a "
        f"process of its own, sizes in {repeats} rounds, fastest run of each size kept; "
        f"{100 // PREMIUM_EVERY}% premium; "
        "`tenant-pipeline:quotas` raised to fit the roster, and the config passes the program's validation.",
        f"Machine: {machine()}; shared with other jobs (1-minute load average before each kept run below).",
        "",
        "| tenants | premium | basic | resources | wall time (s) | all runs (s) | CPU time (s) | peak RSS (MiB) "
        "| ms per resource | load |",
        "|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for run in runs:
        per_resource = 1000 * run["seconds"] / run["resources"]
        lines.append(
            f"| {run['tenants']:,} | {run['premium']:,} | {run['basic']:,} | {run['resources']:,} | "
            f"{run['seconds']:.2f} | {', '.join(f'{s:.2f}' for s in run['all_seconds'])} | "
            f"{run['cpu_seconds']:.2f} | {run['peak_rss_mib']:.0f} | {per_resource:.2f} | {run['load']:.1f} |"
        )
    if 1000 in by_size and LARGEST in by_size:
        lines += [
            "",
            f"CPU time of the kept runs, {LARGEST:,} / 1,000 (less disturbed by other jobs than wall time): "
            f"{by_size[LARGEST]['cpu_seconds'] / by_size[1000]['cpu_seconds']:.2f}; "
            f"resources, {LARGEST:,} / 1,000: {by_size[LARGEST]['resources'] / by_size[1000]['resources']:.2f}.",
        ]
    lines += [
        "",
        f"Marginal counts over the whole program (a {MARGINAL_BASE}-tenant roster plus {MARGINAL_STEP} of one tier): "
        f"{marginal['per_basic']:g} resources per basic tenant, {marginal['per_premium']:g} per premium tenant.",
        "",
        "| target | measured | holds |",
        "|---|---:|---|",
        *(f"| {name} | {value} | {'yes' if ok else 'NO'} |" for name, value, ok in found),
        "",
    ]
    if quotas is not None:
        table, fits = quotas
        found.append(("every quota fits", "", fits))
        lines += [
            f"`make plan`'s quota table for the {max(by_size):,}-tenant roster "
            f"({100 // PREMIUM_EVERY}% premium, {REGION}), "
            "with the quotas raised to fit (what a user sets once AWS has granted them); every limit holds: "
            f"{'yes' if fits else 'NO'}.",
            "",
            "```",
            table,
            "```",
            "",
        ]
    return "\n".join(lines), all(ok for _, _, ok in found)


def write_section(section: str, path: Path = RESULTS) -> None:
    """Replace the section of RESULTS.md titled as `section`'s first line, keeping every other section as it is."""
    title = section.split("\n", 1)[0]
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    start = text.find(title + "\n")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(title))
        text = text[:start] + section + (text[end:] if end != -1 else "")
    path.write_text(text.rstrip("\n") + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--repeats", type=int, default=3, help="runs per size; the fastest is kept")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="print the section, leave RESULTS.md alone")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure_marginal() if args.child == "marginal" else measure_one(int(args.child))))
        return 0
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, got {args.repeats}")
    runs = measure_sizes(args.sizes, args.repeats)
    marginal = in_own_process("marginal")
    print(json.dumps(marginal), flush=True)
    section, ok = report(runs, marginal, args.repeats, quota_table_text(max(args.sizes)))
    print(section)
    if not args.no_write:
        write_section(section)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
