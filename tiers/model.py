"""The parts of the stack config: a tenant's roster entry, the quotas, the ingest sizing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from functions.contracts.directory import TenantStatus
from functions.contracts.migration import MigrationState

StreamMode = Literal["ON_DEMAND", "PROVISIONED"]
STREAM_MODES: tuple[StreamMode, ...] = ("ON_DEMAND", "PROVISIONED")


@dataclass(frozen=True)
class MigrationSpec:
    """A tenant's `migration` block: from `from_tier` to its entry's `tier` (functions/contracts/migration.py)."""

    from_tier: str
    state: MigrationState
    verified: str | None = None  # the migration job's digest of the verified copy; required from `cutover` on
    from_cell: str | None = None  # the cell its data leaves (tiers/cells.py); required in a roster with cells


def roster_entry(index: int) -> str:
    """A roster entry's path, as `pulumi config set --path 'tenant-pipeline:tenants[0].tier'` and messages name it."""
    return f"tenants[{index}]"


@dataclass(frozen=True)
class TenantSpec:
    id: str
    tier: str
    status: TenantStatus = "active"
    migration: MigrationSpec | None = None
    index: int = 0  # its place in the roster, numbered from 0
    cell: str | None = None  # the cell that declares its resources and record (tiers/cells.py); None: not assigned

    @property
    def where(self) -> str:
        return roster_entry(self.index)


@dataclass(frozen=True)
class Quotas:
    """Service quotas of the account and region; raise them here once AWS has raised them.

    The defaults, the most AWS grants and where each number comes from: tiers/quotas.py (QUOTAS).
    """

    keyspaces: int = 256  # docs.aws.amazon.com/keyspaces/latest/devguide/quotas.html
    tables: int = 256  # same page: per Region, across keyspaces
    # A hard limit: docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html
    api_keys: int = 10_000
    # IAM's "Role trust policy length" (characters): sizes the pooled roles' shards (tiers/pooled_roles.py).
    role_trust_policy_length: int = 2048
    iam_roles: int = 1_000  # docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
    # docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-quotas.html (Keyspaces)
    scalable_targets: int = 1_500
    # docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html
    usage_plans: int = 300
    # Requests per second, the account's steady rate in the Region:
    # docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
    api_throttle: int = 10_000
    firehose_partitions: int = 500  # per stream: docs.aws.amazon.com/firehose/latest/dev/buffering.html
    lambda_concurrency: int = 1_000  # per Region, every function: docs.aws.amazon.com/lambda/latest/dg/limits.html


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
