"""The engine benchmark run as two processes at once (`--split`) and their parts combined (`--combine`): every
scenario of the whole run is measured exactly once, the longest alone, and the parts read back as one run."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from bench.engine import BenchError, Onboarding, read_json, split_commands

SIZES = [250, 500, 1000, 2000]


def _values(command: list[str], option: str) -> list[str]:
    """The values given to `option` (up to the next option)."""
    start = command.index(option) + 1
    end = next((i for i in range(start, len(command)) if command[i].startswith("--")), len(command))
    return command[start:end]


def test_the_largest_single_stack_runs_alone_and_every_other_scenario_once_in_the_other_process(
    tmp_path: Path,
) -> None:
    args = argparse.Namespace(work_dir=tmp_path, parallel=2)
    alone, rest = split_commands(
        args, sizes=SIZES, budget=1000, budgets=[500, 1000, 2000], budgets_at=2000, onboard_at=10_000
    )

    (largest,) = alone.commands
    assert _values(largest, "--tenants") == [str(max(SIZES))] and _values(largest, "--only") == ["single"]
    singles = [c for c in rest.commands if _values(c, "--only") == ["single"]]
    assert sorted(int(n) for c in singles for n in _values(c, "--tenants")) == SIZES[:-1]
    (cells,) = [c for c in rest.commands if "cells" in _values(c, "--only")]
    assert _values(cells, "--tenants") == [str(n) for n in SIZES]
    assert _values(cells, "--onboard-at") == ["10000"] and _values(cells, "--budgets") == ["500", "1000", "2000"]
    outputs = [*alone.outputs, *rest.outputs]
    assert len(set(outputs)) == len(outputs) == len(alone.commands) + len(rest.commands)
    work_dirs = [_values(c, "--work-dir")[0] for c in [*alone.commands, *rest.commands]]
    assert len(set(work_dirs)) == len(work_dirs)  # each process empties only its own


def _part(path: Path, **lists: Any) -> Path:
    document = {
        "sizes": [],
        "budget": 1000,
        "budgets": [1000],
        "budgets_at": 2000,
        "parallel": 2,
        "cli_version": "3.274.1",
        "started": "2026-12-04 15:21 UTC",
        "operations": {},
        **{name: [] for name in ("singles", "cells", "budget_runs", "onboarding")},
        **lists,
    }
    path.write_text(json.dumps(document))
    return path


def _onboarding(tenants: int) -> dict[str, Any]:
    return {
        "tenants": tenants,
        "tier": "basic",
        "tenant": "onboarded-basic",
        "stack": "bench.basic-1",
        "cell_resources": 990,
        "seconds": 12.0,
        "cpu_seconds": 9.0,
        "changes": {"create": 2},
        "other_stacks_changed": [],
        "torn_checkpoint_retries": 0,
    }


def test_the_parts_read_back_as_one_run_in_order_of_size(tmp_path: Path) -> None:
    largest = _part(tmp_path / "a.json", sizes=[2000], singles=[{"tenants": 2000}])
    rest = _part(
        tmp_path / "b.json",
        sizes=[250, 500],
        singles=[{"tenants": 500}, {"tenants": 250}],
        cells=[{"tenants": 500, "parallel": 1}, {"tenants": 250, "parallel": 1}],
        onboarding=[_onboarding(10_000), _onboarding(500)],
    )

    found = read_json([largest, rest])

    assert [run["tenants"] for run in found.singles] == [250, 500, 2000]
    assert [run["tenants"] for run in found.cells] == [250, 500]
    assert [o.tenants for o in found.onboarding] == [500, 10_000]
    assert all(isinstance(o, Onboarding) for o in found.onboarding)
    assert found.sizes == [250, 500, 2000]


def test_parts_of_different_cell_budgets_are_refused_naming_them(tmp_path: Path) -> None:
    with pytest.raises(BenchError, match=r"different cell budgets.*\[1000, 500\]"):
        read_json([_part(tmp_path / "a.json"), _part(tmp_path / "b.json", budget=500)])
