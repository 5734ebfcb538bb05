"""Quota checks: every AWS quota the roster touches (tiers/quotas.py), each refused with the raise to request."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.config import base_config, load, only_problem
from tiers.defaults import DEFAULT_TIERS
from tiers.delivery_shards import plan_delivery_shards
from tiers.errors import ConfigError, ConfigProblem
from tiers.load import load_stack_config
from tiers.model import IngestSettings, Quotas
from tiers.naming import Namer
from tiers.pool import DEFAULT_POOL
from tiers.quotas import QUOTAS, QuotaUse, Roster, check_quotas, raises_to_fit, what_to_do


def problems_of(raw: dict[str, Any], region: str) -> list[str]:
    problems: list[ConfigProblem] = []
    try:
        load_stack_config(raw, environment="dev", region=region)
    except ConfigError as error:
        problems = list(error.problems)
    return [str(problem) for problem in problems]


def many(tier: str, count: int, status: str = "active", prefix: str = "t") -> list[dict[str, Any]]:
    return [{"id": f"{prefix}{tier[0]}{n}", "tier": tier, "status": status} for n in range(count)]


ROSTER = many("premium", 2) + many("basic", 1) + many("basic", 2, "offboarded", "o")
_REST_API = "docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html"
SOURCES = {
    "keyspaces": "docs.aws.amazon.com/keyspaces/latest/devguide/quotas.html",
    "tables": "docs.aws.amazon.com/keyspaces/latest/devguide/quotas.html",
    "usagePlans": _REST_API,
    "apiThrottle": "docs.aws.amazon.com/apigateway/latest/developerguide/limits.html",
    "firehosePartitions": "docs.aws.amazon.com/firehose/latest/dev/buffering.html",
    "iamRoles": "docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html",
    "scalableTargets": "docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-quotas.html",
    "lambdaConcurrency": "docs.aws.amazon.com/lambda/latest/dg/limits.html",
}


# ROSTER: 2 premium, 1 basic, 2 offboarded basic tenants, under the default tiers.
@pytest.mark.parametrize(
    ("key", "need", "unit", "name"),
    [
        ("keyspaces", 3, "keyspaces", "Amazon Keyspaces keyspaces per Region"),  # the pool + 2 silos
        ("tables", 6, "tables", "Amazon Keyspaces tables per Region"),  # 2 per keyspace, across keyspaces
        ("usagePlans", 2, "usage plans", "API Gateway usage plans per account per Region"),  # one per tier
        ("apiThrottle", 1_050, "requests/s", "API Gateway throttle per account per Region"),  # 2 x 500 + 50
        ("iamRoles", 8, "roles", "IAM roles per account"),  # 5 pipeline roles + 2 silo roles + 1 pooled shard
        # 1,050 requests/s promised, each (at worst) one 10 ms authorizer invocation: 10.5 -> 11 executions
        ("lambdaConcurrency", 11, "executions", "Lambda concurrent executions (the authorizer)"),
    ],
)
def test_a_roster_just_under_a_quota_passes_and_just_over_is_refused_with_the_raise_to_request(
    key: str, need: int, unit: str, name: str
) -> None:
    assert len(load(base_config(tenants=ROSTER, quotas={key: need})).tenants) == 5
    assert only_problem(base_config(tenants=ROSTER, quotas={key: need - 1})) == (
        f"tenant-pipeline:quotas.{key}: the roster needs {need:,} {unit} of the {name} quota, which is {need - 1:,}; "
        f"request a quota increase to at least {need:,} from AWS ({SOURCES[key]}), "
        f"then set tenant-pipeline:quotas.{key}"
    )


def test_a_low_partitions_quota_spreads_the_served_tenants_over_more_delivery_streams() -> None:
    for quota in (3, 2, 1):
        config = load(base_config(tenants=ROSTER, quotas={"firehosePartitions": quota}))
        shards = config.delivery_shards
        assert shards.busiest <= quota and sorted(shards.stream_by_tenant) == ["tb0", "tp0", "tp1"]  # served only
    assert load(base_config(tenants=ROSTER)).delivery_shards.count == 1  # AWS's 500


def test_past_the_streams_the_job_can_name_the_partitions_quota_is_refused_with_the_raise_that_fits() -> None:
    """60 served tenants at 1 partition per stream would need 60 streams; the job names at most 48."""
    roster = many("basic", 60)
    need = plan_delivery_shards([t["id"] for t in roster], 1).busiest  # the busiest of 48 streams
    assert need > 1
    assert load(base_config(tenants=roster, quotas={"firehosePartitions": need})).delivery_shards.count <= 48
    assert only_problem(base_config(tenants=roster, quotas={"firehosePartitions": need - 1})) == (
        f"tenant-pipeline:quotas.firehosePartitions: the roster needs {need} partitions of the Firehose active "
        f"partitions per stream quota, which is {need - 1}; request a quota increase to at least {need} from AWS "
        f"(docs.aws.amazon.com/firehose/latest/dev/buffering.html), then set tenant-pipeline:quotas.firehosePartitions"
    )


def test_api_keys_are_a_hard_limit_counted_for_served_tenants_only() -> None:
    assert len(load(base_config(tenants=ROSTER, quotas={"apiKeys": 3})).tenants) == 5
    assert only_problem(base_config(tenants=ROSTER, quotas={"apiKeys": 2})) == (
        "tenant-pipeline:quotas.apiKeys: the roster needs 3 API keys of the API Gateway API keys per account per "
        "Region quota, which is 2; a hard limit AWS does not raise: serve fewer tenants per account and Region "
        "(docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html)"
    )


def test_one_partition_key_s_rate_must_fit_the_one_shard_it_pins_it_to() -> None:
    """A tenant's rate over its tier's partition keys: one key's records all go to one shard."""

    def premium_rate(rate: int, keys: int = 1) -> dict[str, Any]:
        return base_config(tenants=ROSTER, tiers={"premium": {"throttle": {"rateLimit": rate}, "partitionKeys": keys}})

    assert len(load(premium_rate(1_000)).tenants) == 5
    assert len(load(premium_rate(4_000, keys=4)).tenants) == 5  # spread over 4 keys: 1,000 each
    assert only_problem(premium_rate(1_001)) == (
        "tenant-pipeline:tiers: the roster needs 1,001 records/s of the Kinesis writes per shard (one tenant's "
        "partition key) quota, which is 1,000; a hard limit AWS does not raise: lower the tiers' rate limits "
        "(docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html)"
    )
    assert only_problem(base_config(quotas={"kinesisShardRecords": 2_000})).startswith(
        "tenant-pipeline:quotas: unknown key 'kinesisShardRecords'"
    )


def test_the_event_stream_must_take_the_promised_rate_one_record_per_request() -> None:
    """ROSTER promises 1,050 requests/s: one provisioned shard (1,000 records/s) is refused, two pass."""

    def provisioned(shards: int) -> dict[str, Any]:
        return base_config(tenants=ROSTER, ingest={"stream": {"mode": "PROVISIONED", "shards": shards}})

    assert len(load(provisioned(2)).tenants) == 5
    assert only_problem(provisioned(1)) == (
        "tenant-pipeline:ingest: the roster needs 1,050 records/s of the Kinesis stream writes (the event stream) "
        "quota, which is 1,000; give the stream more shards (ingest.stream.shards) or ON_DEMAND mode, or lower "
        "the tiers' rate limits (docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html)"
    )


def test_an_on_demand_stream_takes_10_gb_s_in_the_large_regions_and_200_mb_s_elsewhere() -> None:
    # 3 premium tenants at 100,000 requests/s each: 300,000 records/s.
    raw = base_config(
        tenants=many("premium", 3),
        tiers={"premium": {"throttle": {"rateLimit": 100_000, "burstLimit": 100_000}, "partitionKeys": 16}},
        quotas={"apiThrottle": 300_000, "lambdaConcurrency": 3_000},
    )
    # 100,000 over 16 keys is 6,250 per key: over one shard, refused on its own row whatever the region.
    for region, stream_fits in (("us-east-1", True), ("eu-west-1", True), ("eu-central-1", False)):
        config_problems = problems_of(raw, region=region)
        stream = [p for p in config_problems if p.startswith("tenant-pipeline:ingest:")]
        assert bool(stream) is not stream_fits, region
        if stream:
            assert (
                "needs 300,000 records/s of the Kinesis stream writes (the event stream) quota, which is 200,000"
                in (stream[0])
            )


def test_api_keys_cannot_be_raised_past_the_10000_aws_allows() -> None:
    assert load(base_config(quotas={"apiKeys": 10_000})).quotas.api_keys == 10_000
    assert only_problem(base_config(quotas={"apiKeys": 10_001})) == (
        "tenant-pipeline:quotas: quotas.apiKeys must be at most 10000 (a hard limit: AWS does not raise it), got 10001"
    )


def test_firehose_partitions_can_be_raised_to_5000_per_stream_and_no_further() -> None:
    assert load(base_config(quotas={"firehosePartitions": 5_000})).quotas.firehose_partitions == 5_000
    assert only_problem(base_config(quotas={"firehosePartitions": 5_001})) == (
        "tenant-pipeline:quotas: quotas.firehosePartitions must be at most 5000 (the most AWS grants), got 5001"
    )


def test_iam_roles_can_be_raised_to_5000_and_no_further() -> None:
    assert load(base_config(quotas={"iamRoles": 5_000})).quotas.iam_roles == 5_000
    assert only_problem(base_config(quotas={"iamRoles": 5_001})) == (
        "tenant-pipeline:quotas: quotas.iamRoles must be at most 5000 (the most AWS grants), got 5001"
    )


def test_a_need_past_what_aws_grants_says_the_roster_must_shrink() -> None:
    spec = next(spec for spec in QUOTAS if spec.key == "iamRoles")
    refused = QuotaUse(spec, need=5_001, limit=5_000)
    assert not refused.fits and refused.headroom == -1
    roster = Roster([], DEFAULT_TIERS, DEFAULT_POOL, IngestSettings(), Namer("dev"))
    problems: list[ConfigProblem] = []
    check_quotas(roster, Quotas(iam_roles=4), problems)
    assert [str(problem) for problem in problems] == [
        "tenant-pipeline:quotas.iamRoles: the roster needs 5 roles of the IAM roles per account quota, which is 4; "
        "request a quota increase to at least 5 from AWS "
        "(docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html), then set tenant-pipeline:quotas.iamRoles"
    ]
    assert "more than AWS grants (at most 5,000): the roster must shrink" in what_to_do(refused)


def test_the_stack_s_own_api_gateway_logging_role_counts_as_an_iam_role() -> None:
    raw = base_config(tenants=ROSTER, quotas={"iamRoles": 8}, ingest={"manageApiGatewayAccount": True})
    assert only_problem(raw).startswith("tenant-pipeline:quotas.iamRoles: the roster needs 9 roles")


PROVISIONED_PREMIUM = {"premium": {"capacity": {"mode": "PROVISIONED", "autoScaling": {}}}}


def test_provisioned_premium_tenants_need_4_scalable_targets_each_just_under_passes_just_over_is_refused() -> None:
    targets = "scalableTargets"
    source = SOURCES[targets]
    assert len(load(base_config(tenants=ROSTER, tiers=PROVISIONED_PREMIUM, quotas={targets: 8})).tenants) == 5
    assert only_problem(base_config(tenants=ROSTER, tiers=PROVISIONED_PREMIUM, quotas={targets: 7})) == (
        "tenant-pipeline:quotas.scalableTargets: the roster needs 8 targets of the Application Auto Scaling scalable "
        f"targets for Amazon Keyspaces quota, which is 7; request a quota increase to at least 8 from AWS ({source}), "
        "then set tenant-pipeline:quotas.scalableTargets"
    )


def test_scalable_targets_count_provisioned_tables_only() -> None:
    # Premium's default is on-demand: no targets at all (the pooled keyspace is on-demand too).
    assert len(load(base_config(tenants=ROSTER, quotas={"scalableTargets": 1})).tenants) == 5
    scaled_down = many("premium", 1) + many("premium", 1, "offboarded", "o")
    provisioned = {"capacity": {"mode": "PROVISIONED", "autoScaling": {}}, "offboarding": "scale-down"}
    raw = base_config(tenants=scaled_down, tiers={"premium": provisioned})
    assert load(dict(raw, quotas={"scalableTargets": 4})).quotas.scalable_targets == 4  # the offboarded: none


def test_offboarded_silo_tenants_count_unless_their_keyspace_is_deleted() -> None:
    offboarded = many("premium", 2, "offboarded")
    kept = base_config(tenants=offboarded, quotas={"keyspaces": 2})
    assert only_problem(kept).startswith("tenant-pipeline:quotas.keyspaces: the roster needs 3 keyspaces")
    deleted = base_config(tenants=offboarded, quotas={"keyspaces": 2}, tiers={"premium": {"offboarding": "delete"}})
    assert len(load(deleted).tenants) == 2


def test_default_tables_quota_of_256_allows_127_premium_tenants() -> None:
    raw = {"apiThrottle": 100_000}
    assert len(load(base_config(tenants=many("premium", 127), quotas=raw)).tenants) == 127
    message = only_problem(base_config(tenants=many("premium", 128), quotas=raw))
    assert message.startswith("tenant-pipeline:quotas.tables: the roster needs 258 tables")


def test_raises_to_fit_are_the_needs_of_the_adjustable_quotas_over() -> None:
    config = load(base_config(tenants=ROSTER))
    roster = Roster(config.plans, config.tiers, config.pool, config.ingest, config.namer)
    assert raises_to_fit(roster, Quotas(keyspaces=1, api_keys=1, api_throttle=1)) == {
        "keyspaces": 3,
        "apiThrottle": 1_050,
    }


@pytest.mark.parametrize(
    ("quotas", "expected"),
    [
        ({"keyspaces": 0}, "tenant-pipeline:quotas: quotas.keyspaces must be at least 1, got 0"),
        ({"tables": "many"}, "tenant-pipeline:quotas: quotas.tables must be a whole number, got 'many'"),
        (
            {"shards": 5},
            "tenant-pipeline:quotas: unknown key 'shards' in quotas "
            "(allowed: apiKeys, apiThrottle, firehosePartitions, iamRoles, keyspaces, lambdaConcurrency, "
            "roleTrustPolicyLength, scalableTargets, tables, usagePlans)",
        ),
        (
            {"roleTrustPolicyLength": 8192},
            "tenant-pipeline:quotas: quotas.roleTrustPolicyLength must be at most 4096 (the most AWS grants), got 8192",
        ),
        (
            {"roleTrustPolicyLength": 0},
            "tenant-pipeline:quotas: quotas.roleTrustPolicyLength must be at least 1, got 0",
        ),
        (
            {"roleTrustPolicyLength": 300},
            "tenant-pipeline:quotas.roleTrustPolicyLength: is 300 characters, but a pooled role's trust policy for "
            "tenant 'globex' alone takes 344; raise it (AWS allows up to 4096)",
        ),
    ],
)
def test_bad_quota_settings(quotas: dict[str, Any], expected: str) -> None:
    assert only_problem(base_config(quotas=quotas)) == expected


def test_the_trust_policy_quota_defaults_to_2048_and_can_be_raised_to_4096() -> None:
    assert load(base_config()).quotas.role_trust_policy_length == 2048
    raised = load(base_config(quotas={"roleTrustPolicyLength": 4096}))
    assert raised.quotas.role_trust_policy_length == 4096
