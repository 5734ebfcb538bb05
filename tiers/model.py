"""The parts of the stack config: a tenant's roster entry, the quotas, the ingest sizing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from functions.contracts.directory import TenantStatus

StreamMode = Literal["ON_DEMAND", "PROVISIONED"]
STREAM_MODES: tuple[StreamMode, ...] = ("ON_DEMAND", "PROVISIONED")


@dataclass(frozen=True)
class TenantSpec:
    id: str
    tier: str
    status: TenantStatus = "active"


@dataclass(frozen=True)
class Quotas:
    """Service quotas of the account and region; raise them here once AWS has raised them."""

    keyspaces: int = 256
    tables: int = 256
    api_keys: int = 10_000
    # IAM's "Role trust policy length" (characters): sizes the pooled roles' shards (tiers/pooled_roles.py).
    role_trust_policy_length: int = 2048


@dataclass(frozen=True)
class IngestSettings:
    """Sizing of the shared pipeline (`tenant-pipeline:ingest`)."""

    stream_mode: StreamMode = "ON_DEMAND"
    shard_count: int | None = None  # only for PROVISIONED
    buffer_size_mb: int = 64  # Firehose dynamic partitioning needs at least 64 MiB
    buffer_interval_seconds: int = 60
    # Whether this stack sets the region's API Gateway CloudWatch role (an account-wide setting).
    manage_api_gateway_account: bool = False
    # Browser origins of tenant apps allowed to call POST /events (CORS); empty: no CORS resources.
    cors_origins: tuple[str, ...] = ()
