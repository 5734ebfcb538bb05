"""Which delivery stream each tenant's enriched events came through, against the shared routing rule."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from functions.contracts.delivery_routing import delivery_stream_index


def streams_by_tenant(enriched_by_stream: Mapping[str, Sequence[bytes]]) -> dict[str, tuple[str, ...]]:
    """Tenant -> the delivery streams (names, sorted) its enriched records were read from."""
    seen: dict[str, set[str]] = {}
    for stream, records in enriched_by_stream.items():
        for raw in records:
            seen.setdefault(str(json.loads(raw)["tenantId"]), set()).add(stream)
    return {tenant: tuple(sorted(streams)) for tenant, streams in seen.items()}


def expected_stream(tenant_id: str, stream_names: Sequence[str]) -> str:
    """The stream the program declared for the tenant: the routing rule's index into the declared list."""
    return stream_names[delivery_stream_index(tenant_id, len(stream_names))]


def misrouted(routing: Mapping[str, Sequence[str]], stream_names: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Tenants whose events came through any stream other than exactly their own."""
    return {
        tenant: tuple(streams)
        for tenant, streams in routing.items()
        if tuple(streams) != (expected_stream(tenant, stream_names),)
    }
