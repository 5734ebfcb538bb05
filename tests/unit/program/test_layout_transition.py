"""A stack deployed before storage got its root component updates in place: every resource it holds keeps
its identity (its URN, or an alias the engine resolves to it), so nothing is replaced, and no protected
keyspace or table is deleted. The URNs before are the dev stack's as commit 52a15d8 declared it."""

from __future__ import annotations

from pathlib import Path

import pytest

from local.program import Declaration, DeclaredResource, run_program
from local.stack_file import read_stack_config

BEFORE = Path(__file__).parent / "data" / "dev-urns-before-layout.txt"
PREFIX = "urn:pulumi:dev::tenant-pipeline::"
# Replaced on purpose since, each with its reason; nothing else may go.
REPLACED_ON_PURPOSE = {
    f"{PREFIX}tenant-pipeline:ingestion:IngestionPipeline$tenant-pipeline:ingestion:IngestApi$aws:iam/rolePolicy:"
    "RolePolicy::ingestion-api-logging-policy": "the API Gateway logging role's inline policy became the "
    "AWS-managed AmazonAPIGatewayPushToCloudWatchLogs, attached (a RolePolicyAttachment of the same name)",
}


def before() -> set[str]:
    return {line for line in BEFORE.read_text().splitlines() if line and not line.startswith("#")}


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


def test_every_resource_of_the_earlier_layout_is_still_matched(now: Declaration) -> None:
    identities = engine_identities(now)
    assert sorted(urn for urn in before() if urn not in identities) == sorted(REPLACED_ON_PURPOSE)


def test_protected_storage_moved_under_the_root_component_by_alias_only(now: Declaration) -> None:
    identities = engine_identities(now)
    protected = [resource for resource in now.resources if resource.protect]
    assert {r.type for r in protected} == {"aws:keyspaces/keyspace:Keyspace", "aws:keyspaces/table:Table"}
    for resource in protected:
        names = [urn for urn, matched in identities.items() if matched is resource]
        assert engine_urn(now, resource) not in before()  # it did move under tenant-storage ...
        assert any(urn in before() for urn in names)  # ... and the engine finds it where it was
