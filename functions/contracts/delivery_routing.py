"""Which enriched-events delivery stream carries a tenant's records, when there are several.

Firehose caps the active partitions (tenant prefixes) per delivery stream, so past that the program
declares N streams and the Flink job sends each enriched record to its tenant's one. Every stream
writes the same `tenant=<id>/...` prefixes: a tenant's stream decides only which stream's partitions
it takes, never where its objects land.

The rule is rendezvous (highest random weight) hashing: each stream i scores a tenant with
SHA-256("<tenantId>#<i>") and the tenant goes to the highest score (hex digests compared as text;
the lowest i on a tie). Like a jump consistent hash (tiers/pooled_roles.py), it is stable (the same
id and N give the same stream on every run and machine), and going from N to N+1 streams moves only
the tenants whose new stream N outscores their old one: ~1/(N+1) of them, all to the new stream.
Unlike the jump hash (64-bit multiplications in a loop), it is a handful of SHA2 calls and a
GREATEST: the Flink job computes it in SQL on the JVM (functions/flink/sql.py), with no record
crossing to a Python worker. This module is the rule; the job's SQL is built from ROUTE_SEPARATOR,
and tests/integration/flink checks that both give the same stream for every tenant.
"""

from __future__ import annotations

import hashlib

from functions.contracts.errors import ContractError

ROUTE_SEPARATOR = "#"


def route_score(tenant_id: str, stream: int) -> str:
    """Stream `stream`'s score for the tenant: the SHA-256 hex digest of `<tenantId>#<stream>`."""
    return hashlib.sha256(f"{tenant_id}{ROUTE_SEPARATOR}{stream}".encode()).hexdigest()


def delivery_stream_index(tenant_id: str, streams: int) -> int:
    """The tenant's stream among `streams` (0 .. streams-1): the one scoring it highest."""
    if streams < 1:
        raise ContractError(f"routing needs at least one delivery stream, got {streams}")
    if streams == 1:
        return 0
    # max() keeps the first of equal scores: the lowest index, as the SQL's CASE does.
    return max(range(streams), key=lambda stream: route_score(tenant_id, stream))
