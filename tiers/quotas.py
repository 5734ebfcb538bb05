"""The AWS quotas the roster must fit in, as one catalogue: validation refuses a roster over any of them,
and `make plan` shows each with the roster's need and the headroom left.

Each quota: its `tenant-pipeline:quotas` key (where a raised value goes once AWS has raised it), AWS's
default, whether AWS raises it and to what, the page that says so, and how to count the roster's need
from what the program declares per tenant (tests/unit/config/test_quota_needs.py checks each count
against the resources the program declares under mocks).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cached_property
from typing import Any

from functions.contracts.tables import TENANT_TABLES
from tiers.capacity import table_capacity
from tiers.delivery_shards import DeliveryShards, plan_delivery_shards
from tiers.errors import ConfigProblem
from tiers.fields import Fields
from tiers.model import IngestSettings, Quotas
from tiers.naming import Namer
from tiers.plan import TenantPlan, pooled_roles
from tiers.policy import KeyspaceSettings, TierPolicy
from tiers.pooled_roles import MAX_TRUST_POLICY_LENGTH, planning_application_role_arn, policy_length, shard_trust_policy

# The pipeline's own IAM roles, whatever the roster: API Gateway -> Kinesis, the authorizer, the Flink
# processor, Firehose delivery and the application role; plus API Gateway's CloudWatch role when the stack
# manages the account setting (components/ingestion/ingest_api.py).
PIPELINE_ROLES = 5
# Application Auto Scaling: a read and a write target per provisioned table (components/storage/keyspace_tables.py).
TARGETS_PER_SCALED_TABLE = 2


@dataclass(frozen=True)
class Roster:
    """What the needs are counted from: the plans and tier policies, as the program declares them."""

    plans: Sequence[TenantPlan]
    tiers: Mapping[str, TierPolicy]
    pool: KeyspaceSettings
    ingest: IngestSettings
    namer: Namer
    partitions_per_stream: int = Quotas().firehose_partitions  # quotas.firehosePartitions
    region: str = ""  # aws:region: an on-demand stream's ceiling depends on it

    # Cached: validation and the program both ask (StackConfig keeps this roster), and for 10,000 tenants
    # the N SHA-256 scores per tenant cost ~1 s.
    @cached_property
    def delivery_shards(self) -> DeliveryShards:
        """The enriched-events delivery streams and each served tenant's (tiers/delivery_shards.py)."""
        served = tuple(plan.tenant_id for plan in self.plans if plan.served)
        return plan_delivery_shards(served, self.partitions_per_stream)


@dataclass(frozen=True)
class QuotaSpec:
    key: str  # tenant-pipeline:quotas.<key>, or only a name in the table for a limit with no setting
    field: str | None  # its attribute on Quotas; None: a hard limit no stack could lower or raise
    name: str  # as AWS names it
    unit: str
    adjustable: bool
    maximum: int | None  # the most AWS grants: the default when not adjustable; None when no ceiling is documented
    source: str  # the AWS page the numbers come from
    need: Callable[[Roster], float]
    # A limit the roster's own settings set (no quota setting): computed from them instead of `maximum`.
    limit_of: Callable[[Roster], int] | None = None
    advice: str | None = None  # what to do when over, when it is not "request a raise"
    subject: str = "tenant-pipeline:tiers"  # where the fix goes, for a limit with no setting

    def limit(self, quotas: Quotas) -> int:
        if self.field is None:
            assert self.maximum is not None, f"{self.key}: a limit with no setting needs its value"
            return self.maximum
        value: int = getattr(quotas, self.field)
        return value


def _keyspaces(roster: Roster) -> float:
    return 1 + sum(plan.has_own_keyspace for plan in roster.plans)  # the pooled keyspace and each silo's


def _tables(roster: Roster) -> float:
    return len(TENANT_TABLES) * _keyspaces(roster)


def _served(roster: Roster) -> float:
    return sum(plan.served for plan in roster.plans)


def _iam_roles(roster: Roster) -> float:
    silo_roles = sum(plan.silo_role_name is not None for plan in roster.plans)
    pooled = len(pooled_roles(roster.plans))
    return PIPELINE_ROLES + int(roster.ingest.manage_api_gateway_account) + silo_roles + pooled


def _scalable_targets(roster: Roster) -> float:
    per_keyspace = TARGETS_PER_SCALED_TABLE * len(TENANT_TABLES)
    pooled = per_keyspace if table_capacity(roster.pool).auto_scaling else 0
    silos = sum(
        per_keyspace
        for plan in roster.plans
        if plan.has_own_keyspace and (capacity := plan.silo_capacity) is not None and capacity.auto_scaling
    )
    return pooled + silos


def _usage_plans(roster: Roster) -> float:
    return len(roster.tiers)  # one per tier (components/ingestion/tenant_api_keys.py), used or not


def _api_throttle(roster: Roster) -> float:
    """What the usage plans promise when every served tenant sends at its tier's steady rate."""
    return sum(plan.tier.throttle.rate_limit for plan in roster.plans if plan.served)


def _firehose_partitions(roster: Roster) -> float:
    """One active partition per served tenant sending within a buffer interval, on the busiest stream.

    The prefix is tenant and day (components/ingestion/firehose_partitioning.py): every served tenant may
    send within the same buffer interval, and across midnight a tenant briefly holds two (not counted).
    The served tenants are spread over as many delivery streams as keep each within the quota
    (tiers/delivery_shards.py), so this goes over only past the most streams the job can name.
    """
    return roster.delivery_shards.busiest


def _shard_records(roster: Roster) -> float:
    """The busiest partition key's steady rate: a served tenant's rate over its tier's partition keys.

    The mapping template spreads a tenant's records evenly over `partitionKeys` keys (1: the tenant id
    itself; components/ingestion/mapping_template.py), each accepted request being one PutRecord, and one
    key's records all go to one shard. The shard's 1 MiB/s also binds: 1,000 records of 1 KiB.
    """
    return max(
        (plan.tier.throttle.rate_limit / plan.tier.partition_keys for plan in roster.plans if plan.served), default=0
    )


# The authorizer's budget per invocation, for its concurrency: a warm request takes ~0.07 ms in-process
# (bench/RESULTS.md "authorizer", p99 2.6 ms on a shared machine); 10 ms leaves room for Lambda's own
# invoke and a cold start's JWKS and SSM fetches. Concurrency = invocations/s x duration (the Lambda quota
# page's own rule). Counting one invocation per request (every request a new token) is the upper bound:
# API Gateway caches each token's answer AUTHORIZER_CACHE_SECONDS (components/ingestion/ingest_api.py).
AUTHORIZER_SECONDS = 0.010


def _authorizer_concurrency(roster: Roster) -> float:
    return math.ceil(_api_throttle(roster) * AUTHORIZER_SECONDS)


# Kinesis (docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html): a shard takes 1,000
# records/s of writes; an on-demand stream scales to 10 GB/s of writes in us-east-1, us-west-2 and eu-west-1,
# to 200 MB/s elsewhere (raised to 10 GB/s on a support ticket): in shards' worth of records, 10,000,000
# and 200,000 records/s.
SHARD_RECORDS = 1_000
ON_DEMAND_LARGE_REGIONS = frozenset({"us-east-1", "us-west-2", "eu-west-1"})
ON_DEMAND_RECORDS = {"large": 10_000_000, "other": 200_000}


def _stream_records(roster: Roster) -> int:
    if roster.ingest.stream_mode == "PROVISIONED":
        return (roster.ingest.shard_count or 0) * SHARD_RECORDS
    return ON_DEMAND_RECORDS["large" if roster.region in ON_DEMAND_LARGE_REGIONS else "other"]


def _trust_policy_length(roster: Roster) -> float:
    arn = planning_application_role_arn(roster.namer.application_role())
    members = pooled_roles(roster.plans).values()
    return max((policy_length(shard_trust_policy(arn, ids)) for ids in members), default=0)


_KEYSPACES_QUOTAS = "docs.aws.amazon.com/keyspaces/latest/devguide/quotas.html"
_REST_API_QUOTAS = (
    "docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html"
)
_API_GATEWAY_QUOTAS = "docs.aws.amazon.com/apigateway/latest/developerguide/limits.html"
_IAM_QUOTAS = "docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"

QUOTAS: tuple[QuotaSpec, ...] = (
    # "Max number of keyspaces per AWS Region": 256, adjustable.
    QuotaSpec("keyspaces", "keyspaces", "Amazon Keyspaces keyspaces per Region", "keyspaces", True, None,
              _KEYSPACES_QUOTAS, _keyspaces),
    # "Max number of tables per AWS Region" (across all keyspaces): 256, adjustable.
    QuotaSpec("tables", "tables", "Amazon Keyspaces tables per Region", "tables", True, None,
              _KEYSPACES_QUOTAS, _tables),
    # "API keys per account per Region": 10000, cannot be increased.
    QuotaSpec("apiKeys", "api_keys", "API Gateway API keys per account per Region", "API keys", False, 10_000,
              _REST_API_QUOTAS, _served),
    # "Usage plans per account per Region": 300, can be increased. (Not in the excerpts the docs search returned,
    # unlike the API keys row of the same table: confirm on the page or in Service Quotas before relying on it.)
    QuotaSpec("usagePlans", "usage_plans", "API Gateway usage plans per account per Region", "usage plans", True,
              None, _REST_API_QUOTAS, _usage_plans),
    # "Throttle quota per account, per Region across HTTP APIs, REST APIs, WebSocket APIs, and WebSocket callback
    # APIs": 10,000 requests per second (2,500 in some newer Regions), can be increased (L-8A5B8E43); the burst
    # (5,000) follows from it and is not requested separately. Refused rather than warned: usage plans that
    # promise more than the account gives throttle every tenant at once with 429s the tiers say cannot happen.
    QuotaSpec("apiThrottle", "api_throttle", "API Gateway throttle per account per Region", "requests/s", True,
              None, _API_GATEWAY_QUOTAS, _api_throttle),
    # Dynamic partitioning: 500 active partitions per Firehose stream; past it records go to the error prefix
    # (activePartitionExceeded); raised on request to at most 5,000 per stream.
    QuotaSpec("firehosePartitions", "firehose_partitions", "Firehose active partitions per stream", "partitions",
              True, 5_000, "docs.aws.amazon.com/firehose/latest/dev/buffering.html", _firehose_partitions),
    # A shard takes 1 MB/s or 1,000 records/s of writes, in on-demand and provisioned mode alike; no quota raises
    # it (a hot shard is fixed by spreading the partition key, not by AWS).
    QuotaSpec("kinesisShardRecords", None, "Kinesis writes per shard (one tenant's partition key)", "records/s",
              False, SHARD_RECORDS, "docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html",
              _shard_records),
    # IAM object quotas, "Roles in an AWS account": 1,000, adjustable to 5,000 (the row was not in the excerpts
    # the docs search returned: confirm in Service Quotas). IAM is global: the account's other roles count too.
    QuotaSpec("iamRoles", "iam_roles", "IAM roles per account", "roles", True, 5_000, _IAM_QUOTAS, _iam_roles),
    # IAM object quotas, "Role trust policy length": 2048 characters, adjustable to 4096 (tiers/pooled_roles.py).
    QuotaSpec("roleTrustPolicyLength", "role_trust_policy_length", "IAM role trust policy length", "characters",
              True, MAX_TRUST_POLICY_LENGTH, _IAM_QUOTAS, _trust_policy_length),
    # Every accepted request is one PutRecord: the stream must take what the usage plans promise.
    QuotaSpec("kinesisStreamRecords", None, "Kinesis stream writes (the event stream)", "records/s", False, None,
              "docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html", _api_throttle,
              limit_of=_stream_records, subject="tenant-pipeline:ingest",
              advice="give the stream more shards (ingest.stream.shards) or ON_DEMAND mode, or lower the tiers' "
                     "rate limits"),
    # "Concurrent executions": 1,000 per Region by default, shared by every function; raised on request to
    # "tens of thousands". The authorizer's need: the promised rate times AUTHORIZER_SECONDS.
    QuotaSpec("lambdaConcurrency", "lambda_concurrency", "Lambda concurrent executions (the authorizer)",
              "executions", True, None, "docs.aws.amazon.com/lambda/latest/dg/limits.html", _authorizer_concurrency),
    # "Scalable targets per resource type": Amazon Keyspaces 1,500 per Region, adjustable.
    QuotaSpec("scalableTargets", "scalable_targets", "Application Auto Scaling scalable targets for Amazon Keyspaces",
              "targets", True, None,
              "docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-quotas.html",
              _scalable_targets),
)  # fmt: skip


def _ceiling(spec: QuotaSpec) -> str:
    if not spec.adjustable:
        return "a hard limit: AWS does not raise it"
    return "the most AWS grants"


def parse_quotas(raw: Any, problems: list[ConfigProblem]) -> Quotas:
    config = Fields(raw, "tenant-pipeline:quotas", "quotas", problems)
    settable = [spec for spec in QUOTAS if spec.field is not None]
    config.reject_unknown({spec.key for spec in settable})
    defaults = Quotas()
    values = {spec.field: config.get(spec.key, int, spec.limit(defaults)) for spec in settable if spec.field}
    for spec in settable:
        value = values[spec.field or ""]
        if value < 1:
            config.problem(f"quotas.{spec.key} must be at least 1, got {value}")
        elif spec.maximum is not None and value > spec.maximum:
            config.problem(f"quotas.{spec.key} must be at most {spec.maximum} ({_ceiling(spec)}), got {value}")
    assert {f.name for f in fields(Quotas)} == set(values), "every Quotas field is in the catalogue"
    return Quotas(**values)


@dataclass(frozen=True)
class QuotaUse:
    spec: QuotaSpec
    need: float
    limit: int

    @property
    def headroom(self) -> float:
        return self.limit - self.need

    @property
    def fits(self) -> bool:
        return self.need <= self.limit


def quota_uses(roster: Roster, quotas: Quotas) -> list[QuotaUse]:
    return [
        QuotaUse(spec, spec.need(roster), spec.limit_of(roster) if spec.limit_of else spec.limit(quotas))
        for spec in QUOTAS
    ]


def format_number(value: float) -> str:
    """With thousands separators, whole numbers exactly (`:,g` would print 9,998,850 as 9.99885e+06)."""
    return f"{value:,g}" if value != int(value) else f"{int(value):,}"


def what_to_do(use: QuotaUse) -> str:
    spec, need = use.spec, format_number(use.need)
    if spec.advice:
        return f"{spec.advice} ({spec.source})"
    if not spec.adjustable and spec.field is None:
        return f"a hard limit AWS does not raise: lower the tiers' rate limits ({spec.source})"
    if not spec.adjustable:
        return f"a hard limit AWS does not raise: serve fewer tenants per account and Region ({spec.source})"
    if spec.maximum is not None and use.need > spec.maximum:
        return f"more than AWS grants (at most {spec.maximum:,}): the roster must shrink ({spec.source})"
    return (
        f"request a quota increase to at least {need} from AWS ({spec.source}), "
        f"then set tenant-pipeline:quotas.{spec.key}"
    )


def check_quotas(roster: Roster, quotas: Quotas, problems: list[ConfigProblem]) -> None:
    """One problem per quota the roster goes over: its name, the need, and the raise to request."""
    for use in quota_uses(roster, quotas):
        if not use.fits:
            spec = use.spec
            problems.append(
                ConfigProblem(
                    f"tenant-pipeline:quotas.{spec.key}" if spec.field else spec.subject,
                    f"the roster needs {format_number(use.need)} {spec.unit} of the {spec.name} quota, "
                    f"which is {use.limit:,}; {what_to_do(use)}",
                )
            )


def raises_to_fit(roster: Roster, quotas: Quotas) -> dict[str, int]:
    """The `tenant-pipeline:quotas` values that fit the roster, for each adjustable quota it goes over.

    What a user sets once AWS has granted the increases (bench/synth.py writes its stacks this way).
    """
    return {
        use.spec.key: math.ceil(use.need) for use in quota_uses(roster, quotas) if not use.fits and use.spec.adjustable
    }
