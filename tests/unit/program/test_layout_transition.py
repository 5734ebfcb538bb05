"""An environment deployed by an earlier layout updates in place: every resource it holds keeps its identity (its
URN, or an alias the engine resolves to it), so nothing is replaced, and no protected keyspace or table is deleted.

Each snapshot in data/ is the dev stack's URNs as one commit declared them (its first line says which): before
storage got its root component (52a15d8), before tiers became data (c57f941), both when dev was one stack. Dev is
now a platform stack plus cells: a tenant's resources reach its cell by `pulumi state move` (docs/design.md
"Adopting a one-stack environment"), which moves a top-level resource with its children and re-parents it to the
destination stack's root; the cell declares it there under its old logical name (an alias). A test checks only the
URNs its snapshot recorded: resources added since are not its business."""

from __future__ import annotations

from pathlib import Path

import pytest

from local.environment import EnvironmentRun, read_environment
from local.program import Declaration, DeclaredResource
from tiers.naming import PROJECT

DATA = Path(__file__).parent / "data"
BEFORE = DATA / "dev-urns-before-layout.txt"
SNAPSHOTS = sorted(DATA.glob("dev-urns-before-*.txt"))
PREFIX = f"urn:pulumi:dev::{PROJECT}::"
# Replaced on purpose since, each with its reason; nothing else may go.
REPLACED_ON_PURPOSE = {
    f"{PREFIX}tenant-pipeline:ingestion:IngestionPipeline$tenant-pipeline:ingestion:IngestApi$aws:iam/rolePolicy:"
    "RolePolicy::ingestion-api-logging-policy": "the API Gateway logging role's inline policy became the "
    "AWS-managed AmazonAPIGatewayPushToCloudWatchLogs, attached (a RolePolicyAttachment of the same name)",
    f"{PREFIX}tenant-pipeline:storage:TenantDirectoryDocument$aws:s3/bucketObjectv2:BucketObjectv2::"
    "tenant-directory-document": "the one directory document (tenants.json) became a slice per cell, each "
    "published by its cell (tenants/<cell>.json); its content is derived, so nothing is lost",
}


def before(snapshot: Path = BEFORE) -> set[str]:
    return {line for line in snapshot.read_text().splitlines() if line and not line.startswith("#")}


def engine_identities(declaration: Declaration, stack: str = "dev") -> dict[str, DeclaredResource]:
    """URN -> resource for every URN the engine matches a resource of `stack` by: its own, and the aliases it inherits.

    The engine's URN carries the whole chain of parent types; an alias `noParent` on an ancestor means
    "this subtree used to hang from the stack", which the engine applies to every descendant.
    """
    prefix = f"urn:pulumi:{stack}::{PROJECT}::"
    by_urn = {resource.urn: resource for resource in declaration.resources}

    def chains(resource: DeclaredResource) -> list[str]:
        parent = by_urn.get(resource.parent)
        own = [resource.type] if parent is None else [f"{chain}${resource.type}" for chain in chains(parent)]
        if any(alias.get("noParent") for alias in resource.aliases):
            own.append(resource.type)
        return own

    # The first chain is the resource's own URN (the engine's: mocks name only the direct parent's type).
    return {f"{prefix}{chain}::{resource.name}": resource for resource in by_urn.values() for chain in chains(resource)}


def engine_urn(declaration: Declaration, resource: DeclaredResource, stack: str = "dev") -> str:
    return next(urn for urn, matched in engine_identities(declaration, stack).items() if matched is resource)


def state_moved(urn: str, dest: str) -> list[str]:
    """Where `pulumi state move --dest <dest>` may put `urn`: in stack `dest`, its chain of parent types starting at
    the top-level resource moved (its parent stayed behind, so it hangs from the stack's root): one candidate per
    ancestor the move may have started at."""
    _, project, chain, name = urn.split("::")
    types = chain.split("$")
    return [f"urn:pulumi:{dest}::{project}::{'$'.join(types[start:])}::{name}" for start in range(len(types))]


def matches(environment: EnvironmentRun) -> dict[str, tuple[str, DeclaredResource]]:
    """Snapshot URN -> (stack, resource) for every URN the environment's stacks match, as they are or state-moved."""
    found: dict[str, tuple[str, DeclaredResource]] = {}
    identities = {run.stack: engine_identities(run.declaration, run.stack) for run in environment.stacks}
    for snapshot in SNAPSHOTS:
        for urn in before(snapshot):
            if urn in identities["dev"]:
                found[urn] = ("dev", identities["dev"][urn])
                continue
            for run in environment.cells():
                hit = next((c for c in state_moved(urn, run.stack) if c in identities[run.stack]), None)
                if hit is not None:
                    found[urn] = (run.stack, identities[run.stack][hit])
    return found


@pytest.fixture(scope="module")
def now() -> EnvironmentRun:
    return read_environment("dev")


@pytest.fixture(scope="module")
def matched(now: EnvironmentRun) -> dict[str, tuple[str, DeclaredResource]]:
    return matches(now)


@pytest.mark.parametrize("snapshot", SNAPSHOTS, ids=lambda path: path.stem)
def test_every_resource_of_an_earlier_layout_is_still_matched(
    matched: dict[str, tuple[str, DeclaredResource]], snapshot: Path
) -> None:
    assert sorted(urn for urn in before(snapshot) if urn not in matched) == sorted(
        urn for urn in REPLACED_ON_PURPOSE if urn in before(snapshot)
    )


def test_a_tenants_resources_are_matched_in_its_own_cell(
    now: EnvironmentRun, matched: dict[str, tuple[str, DeclaredResource]]
) -> None:
    """What a tenant alone owned (its key, its silo keyspace and role) reaches its cell, nothing of it the platform."""
    cells = {tenant.id: tenant.cell for tenant in now.config.tenants}
    for urn, (stack, _) in matched.items():
        owners = [tenant for tenant in cells if urn.endswith(f"-{tenant}") or f"::tenant-{tenant}-" in urn]
        if owners:
            (owner,) = owners
            assert stack == f"dev.{cells[owner]}", (urn, stack)


def test_protected_storage_of_the_snapshots_is_matched_and_still_protected(
    matched: dict[str, tuple[str, DeclaredResource]],
) -> None:
    protected = [resource for _, resource in matched.values() if resource.type.startswith("aws:keyspaces/")]
    assert protected and all(resource.protect for resource in protected)
    # The pool stayed in the platform (moved under tenant-storage by alias); each silo keyspace went to its cell.
    stacks = {stack for stack, resource in matched.values() if resource.type.startswith("aws:keyspaces/")}
    assert "dev" in stacks and len(stacks) > 1
