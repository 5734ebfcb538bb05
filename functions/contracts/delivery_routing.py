"""Which enriched-events delivery stream carries a tenant's records, when there are several.

Firehose caps the active partitions (tenant prefixes) per delivery stream, so past that the program
declares N streams and the Flink job sends each enriched record to its tenant's one. Every stream
writes the same `tenant=<id>/...` prefixes: a tenant's stream decides only which stream's partitions
it takes, never where its objects land.

The rule is rendezvous (highest random weight) hashing: each stream i scores a tenant with
SHA-256("<tenantId>#<i>") and the tenant goes to the highest score, compared as the hex digest
followed by i in INDEX_DIGITS digits (so the text alone says which stream won, and equal digests,
which SHA-256 never gives in practice, still pick one: the highest i). Like a jump consistent hash
(tiers/pooled_roles.py), it is stable (the same id and N give the same stream on every run and
machine), and going from N to N+1 streams moves only the tenants whose new stream N outscores their
old one: ~1/(N+1) of them, all to the new stream.
Unlike the jump hash (64-bit multiplications in a loop), it is a handful of SHA2 calls and a
GREATEST: the Flink job computes it in SQL on the JVM (functions/flink/sql.py), with no record
crossing to a Python worker. This module is the rule; the job's SQL is built from ROUTE_SEPARATOR,
and tests/integration/flink checks that both give the same stream for every tenant.
"""

from __future__ import annotations

import hashlib

from functions.contracts.errors import ContractError

ROUTE_SEPARATOR = "#"
INDEX_DIGITS = 3  # the job's property group names at most 48 streams (functions/contracts/flink_properties.py)
DIGEST_CHARS = 64  # a SHA-256 hex digest


def route_score(tenant_id: str, stream: int) -> str:
    """Stream `stream`'s score for the tenant: the SHA-256 hex digest of `<tenantId>#<stream>`."""
    return hashlib.sha256(f"{tenant_id}{ROUTE_SEPARATOR}{stream}".encode()).hexdigest()


def ranked_score(tenant_id: str, stream: int) -> str:
    """What the streams are compared by: the score, then the index (the job's SQL builds the same text)."""
    return f"{route_score(tenant_id, stream)}{stream:0{INDEX_DIGITS}d}"


def delivery_stream_index(tenant_id: str, streams: int) -> int:
    """The tenant's stream among `streams` (0 .. streams-1): the one scoring it highest."""
    if not 1 <= streams < 10**INDEX_DIGITS:
        raise ContractError(f"routing needs 1-{10**INDEX_DIGITS - 1} delivery streams, got {streams}")
    if streams == 1:
        return 0
    best = max(ranked_score(tenant_id, stream) for stream in range(streams))
    return int(best[DIGEST_CHARS:])
