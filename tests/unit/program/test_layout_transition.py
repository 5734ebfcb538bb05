"""A stack deployed by an earlier layout updates in place: every resource it holds keeps its identity (its URN,
or an alias the engine resolves to it), so nothing is replaced, and no protected keyspace or table is deleted.

Each snapshot in data/ is the dev stack's URNs as one commit declared them (its first line says which): before
storage got its root component (52a15d8), before tiers became data (c57f941). A test checks only the URNs its
snapshot recorded: resources added since are not its business."""

from __future__ import annotations

from pathlib import Path

import pytest

from local.program import Declaration, DeclaredResource, run_program
from local.stack_file import read_stack_config

DATA = Path(__file__).parent / "data"
BEFORE = DATA / "dev-urns-before-layout.txt"
SNAPSHOTS = sorted(DATA.glob("dev-urns-before-*.txt"))
PREFIX = "urn:pulumi:dev::tenant-pipeline::"
# Replaced on purpose since, each with its reason; nothing else may go.
REPLACED_ON_PURPOSE = {
    f"{PREFIX}tenant-pipeline:ingestion:IngestionPipeline$tenant-pipeline:ingestion:IngestApi$aws:iam/rolePolicy:"
    "RolePolicy::ingestion-api-logging-policy": "the API Gateway logging role's inline policy became the "
    "AWS-managed AmazonAPIGatewayPushToCloudWatchLogs, attached (a RolePolicyAttachment of the same name)",
}


def before(snapshot: Path = BEFORE) -> set[str]:
    return {line for line in snapshot.read_text().splitlines() if line and not line.startswith("#")}


def engine_identities(declaration: Declaration) -> dict[str, DeclaredResource]:
    """URN -> resource for every URN the engine matches a resource by: its own, and the aliases it inherits.

    The engine's URN carries the whole chain of parent types; an alias `noParent` on an ancestor means
    "this subtree used to hang from the stack", which the engine applies to every descendant.
    """
    by_urn = {resource.urn: resource for resource in declaration.resources}

    def chains(resource: DeclaredResource) -> list[str]:
        parent = by_urn.get(resource.parent)
        own = [resource.type] if parent is None else [f"{chain}${resource.type}" for chain in chains(parent)]
        if any(alias.get("noParent") for alias in resource.aliases):
            own.append(resource.type)
        return own

    # The first chain is the resource's own URN (the engine's: mocks name only the direct parent's type).
    return {f"{PREFIX}{chain}::{resource.name}": resource for resource in by_urn.values() for chain in chains(resource)}


def engine_urn(declaration: Declaration, resource: DeclaredResource) -> str:
    return next(urn for urn, matched in engine_identities(declaration).items() if matched is resource)


@pytest.fixture(scope="module")
def now() -> Declaration:
    return run_program("dev", read_stack_config("dev"))


@pytest.mark.parametrize("snapshot", SNAPSHOTS, ids=lambda path: path.stem)
def test_every_resource_of_an_earlier_layout_is_still_matched(now: Declaration, snapshot: Path) -> None:
    identities = engine_identities(now)
    assert sorted(urn for urn in before(snapshot) if urn not in identities) == sorted(
        urn for urn in REPLACED_ON_PURPOSE if urn in before(snapshot)
    )


def test_protected_storage_of_the_snapshot_moved_under_the_root_component_by_alias_only(now: Declaration) -> None:
    """Every protected resource the pre-layout snapshot held: declared under tenant-storage now, found by alias."""
    identities = engine_identities(now)
    recorded = before()
    moved = []
    for resource in (resource for resource in now.resources if resource.protect):
        names = [urn for urn, matched in identities.items() if matched is resource]
        if not any(urn in recorded for urn in names):
            continue  # declared since the snapshot
        assert engine_urn(now, resource) not in recorded  # it did move under tenant-storage ...
        moved.append(resource)  # ... and the engine finds it where it was
    assert moved, "the snapshot's protected keyspaces and tables are matched"
