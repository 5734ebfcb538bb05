"""A one-stack environment becomes a platform stack plus cells without recreating anything, on the real engine.

The dev roster deployed as one stack (its declarations replayed: tests/support/replay.py, since no AWS provider can
run here), then `pulumi state move` of each tenant's top-level resources into its cell's stack, then the platform
and every cell as the program now declares them: the engine plans no delete and no replace of anything the one
stack held (but the directory document that the cells' slices replace), finds every moved resource by its alias,
and a second deploy changes nothing. docs/design.md "Adopting a one-stack environment" is this procedure.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local.engine.toolchain import available
from local.environment import EnvironmentRun, run_settings
from local.previous_roster import PreviousRoster
from local.stack_file import read_stack_config
from tests.support.replay import REPLAY_ENV, Replay, replay, shape

pytestmark = pytest.mark.skipif(not available(), reason="no Pulumi CLI: `make engine` builds one")

# What the one stack held that the cells' environment replaces on purpose.
REPLACED = {("aws:s3/bucketObjectv2:BucketObjectv2", "tenant-directory-document")}
CHANGES = {"delete", "replace", "create-replacement", "delete-replaced", "discard"}


def one_stack_settings() -> dict[str, Any]:
    """The dev environment as it was: no cells, its roster naming none."""
    raw = copy.deepcopy(read_stack_config("dev"))
    raw.pop("tenant-pipeline:cells")
    for tenant in raw["tenant-pipeline:tenants"]:
        tenant.pop("cell", None)
    return raw


def name_of(urn: str) -> str:
    return urn.rsplit("::", 1)[1]


def type_of(urn: str) -> str:
    return urn.split("::")[2].rsplit("$", 1)[-1]


def moves(one_stack: list[dict[str, Any]], cells: EnvironmentRun) -> dict[str, list[str]]:
    """Per cell stack, the URNs in the one stack of the top-level resources it now declares at its root (with the
    alias): found by type, name and physical name, each resource moved to one cell only."""
    by_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for resource in one_stack:
        by_key.setdefault((resource["type"], name_of(resource["urn"])), []).append(resource)
    planned: dict[str, list[str]] = {}
    taken: set[str] = set()
    for run in cells.cells():
        for declared in shape(run.declaration):
            if not declared["atRoot"]:
                continue
            candidates = [
                r
                for r in by_key.get((declared["type"], declared["name"]), [])
                if r["urn"] not in taken
                and (
                    declared["physical"] is None or (r.get("inputs") or {}).get("name") in (None, declared["physical"])
                )
            ]
            if candidates:
                (found,) = candidates[:1]
                taken.add(found["urn"])
                planned.setdefault(run.stack, []).append(found["urn"])
    return planned


@pytest.fixture(scope="module")
def adopted(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Replay, EnvironmentRun, dict[str, list[str]]]]:
    tmp = tmp_path_factory.mktemp("adoption")
    mp = pytest.MonkeyPatch()
    engine = replay(tmp)
    mp.setenv(REPLAY_ENV, str(engine.shapes_file))
    try:
        before = run_settings("dev", one_stack_settings())
        cells = run_settings(
            "dev",
            read_stack_config("dev"),
            previous=PreviousRoster("the one stack", dict(before.declaration.outputs["tenants"])),
        )
        shapes = {"dev": shape(before.platform.declaration)}
        engine.declare(shapes)
        engine.cli.select_or_init("dev")
        engine.up("dev")
        held = engine.state("dev")
        planned = moves(held, cells)
        for run in cells.cells():
            engine.cli.select_or_init(run.stack)
            if planned.get(run.stack):
                engine.move("dev", run.stack, planned[run.stack])
        engine.declare({run.stack: shape(run.declaration) for run in cells.stacks})
        yield engine, cells, planned
    finally:
        mp.undo()


def test_every_tenants_top_level_resource_is_moved_to_its_cell(adopted) -> None:
    _, cells, planned = adopted
    assert set(planned) == {run.stack for run in cells.cells()}
    for run in cells.cells():
        tenants = {tenant.id for tenant in cells.config.tenants if tenant.cell == run.cell}
        keys = [urn for urn in planned[run.stack] if type_of(urn) == "aws:apigateway/apiKey:ApiKey"]
        served = {t.id for t in cells.config.tenants if t.cell == run.cell and t.status == "active"}
        assert {name_of(urn).rsplit("key-", 1)[1] for urn in keys} == served <= tenants


def test_deploying_the_cells_and_the_platform_deletes_and_replaces_nothing_it_held(adopted) -> None:
    engine, cells, _ = adopted
    for run in [*cells.cells(), cells.platform]:  # the cells first (each publishes its slice), then the platform
        steps = engine.steps(run.stack)
        changed = {(type_of(urn), name_of(urn)) for op, urn in steps if op in CHANGES}
        assert changed <= REPLACED, (run.stack, sorted(changed - REPLACED))
        engine.up(run.stack)
    for run in cells.stacks:  # and a second deploy has nothing left to do
        assert {op for op, _ in engine.steps(run.stack)} <= {"same"}, run.stack


def test_protected_keyspaces_and_tables_stay_protected_where_they_went(adopted) -> None:
    engine, cells, _ = adopted
    protected = {
        (r["type"], name_of(r["urn"]))
        for run in cells.stacks
        for r in engine.state(run.stack)
        if r.get("protect") and r["type"].startswith("aws:keyspaces/")
    }
    assert ("aws:keyspaces/keyspace:Keyspace", "pooled-storage-keyspace") in protected
    silo = {t.id for t in cells.config.tenants if cells.config.tiers[t.tier].siloed}
    assert {("aws:keyspaces/keyspace:Keyspace", f"tenant-{tenant}-keyspace") for tenant in silo} <= protected


def test_adopted_cells_keep_the_one_stacks_key_values_and_pooled_role_names(tmp_path: Path) -> None:
    """What replacement would follow from, under mocks: the moved keys' values and the adopted cell's roles."""
    before = run_settings("dev", one_stack_settings())
    cells = run_settings(
        "dev",
        read_stack_config("dev"),
        previous=PreviousRoster("the one stack", dict(before.declaration.outputs["tenants"])),
    )

    def physical(declaration: Any, type_: str) -> dict[str, Any]:
        return {r.name: (r.inputs.get("name"), r.inputs.get("value")) for r in declaration.of_type(type_)}

    old_keys = physical(before.declaration, "aws:apigateway/apiKey:ApiKey")
    new_keys = physical(cells.declaration, "aws:apigateway/apiKey:ApiKey")
    assert new_keys == old_keys  # names and derived values: every record keeps keyCell null
    old_roles = physical(before.declaration, "aws:iam/role:Role")
    adopted_cell = next(run for run in cells.cells() if run.cell == cells.config.cells.adopted)  # type: ignore[union-attr]
    for name, value in physical(adopted_cell.declaration, "aws:iam/role:Role").items():
        if name.startswith("pooled-storage-role"):
            assert value == old_roles[name], name
