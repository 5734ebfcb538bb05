"""The pooled roles: served pooled tenants sharded over K roles, each trusting only its own tenants' tags.

A pooled session reaches S3 by its `TenantId` session tag (`tenant=${aws:PrincipalTag/TenantId}/`), so
the tag is the whole boundary and the trust policy is what checks it: a shard's role may be assumed only
with the id of one of that shard's served pooled tenants. Silo and offboarded tenants are in no list,
so no pooled session can carry their id, whatever the application (or whoever controls it) asks for.

Every id sits in a trust policy, whose length IAM caps, so the tenants are spread over as many roles as
the quota needs. A tenant's shard is a jump consistent hash of its id into K (Lamping and Veach, 2014):
adding a tenant never moves another while K stays, and raising K to K+1 moves only ~1/(K+1) of them.
K grows with the characters the roster's ids need (never shrinks as the roster grows), then one at a
time until every shard's rendered policy fits.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from functions.contracts.identity import TENANT_SESSION_TAG
from tiers.errors import ConfigError, ConfigProblem
from tiers.naming import iam_role_arn

# IAM quotas (docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html, "IAM object quotas"):
# "Role trust policy length", 2048 characters by default (tiers/model.py Quotas.role_trust_policy_length),
# adjustable to 4096 (Service Quotas L-C07B4B0D). IAM does not count white space when it measures a policy
# against its quotas. (Some newer third-party tables say 8192; raise MAX_TRUST_POLICY_LENGTH only once the
# account's Service Quotas page grants it.)
MAX_TRUST_POLICY_LENGTH = 4096
# K is first sized for shards filled to this fraction of the quota on average: hashing spreads ids
# unevenly (a shard of C ids varies by about sqrt(C)), and the fit check below takes care of the rest.
HEADROOM = 0.75
POLICY_VERSION = "2012-10-17"
ASSUME_ACTIONS = ("sts:AssumeRole", "sts:TagSession")
# Placeholder of the same length as any account id: the policy's length does not depend on its digits.
_ANY_ACCOUNT = "000000000000"
_MAX_SHARDS_PER_TENANT = 64  # a bound the fit loop never nears; it only turns a bug into an error


def shard_trust_policy(application_role_arn: str, tenant_ids: Sequence[str]) -> dict[str, Any]:
    """The application role may assume the shard's role only with one TenantId tag, one of `tenant_ids`.

    StringEquals on a missing key is false, so an untagged session is refused too; the tag keys
    condition refuses any other tag next to it.
    """
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "ApplicationAssumesForOwnTenants",
                "Effect": "Allow",
                "Principal": {"AWS": application_role_arn},
                "Action": list(ASSUME_ACTIONS),
                "Condition": {
                    "StringEquals": {f"aws:RequestTag/{TENANT_SESSION_TAG}": list(tenant_ids)},
                    "ForAllValues:StringEquals": {"aws:TagKeys": [TENANT_SESSION_TAG]},
                },
            }
        ],
    }


def trust_policy_text(document: dict[str, Any]) -> str:
    """A trust policy as the program declares it: compact, so its length is what IAM counts either way."""
    return json.dumps(document, separators=(",", ":"))


def policy_length(document: dict[str, Any]) -> int:
    """The length IAM measures against its quotas: the characters of the policy, white space excluded."""
    return sum(not character.isspace() for character in trust_policy_text(document))


def planning_application_role_arn(application_role_name: str) -> str:
    """The application role's ARN as the trust policies name it, for measuring before the account is known."""
    return iam_role_arn(_ANY_ACCOUNT, "/", application_role_name)


def tenant_key(tenant_id: str) -> int:
    """A stable 64-bit key of the id (Python's hash() changes from run to run)."""
    return int.from_bytes(hashlib.sha256(tenant_id.encode()).digest()[:8], "big")


def jump_hash(key: int, buckets: int) -> int:
    """Jump consistent hash (Lamping and Veach, arXiv:1406.2294): the bucket of `key` among `buckets`."""
    if buckets < 1:
        raise ValueError(f"jump hash needs at least one bucket, got {buckets}")
    key &= 0xFFFFFFFFFFFFFFFF
    bucket, jump = -1, 0
    while jump < buckets:
        bucket = jump
        key = (key * 2862933555777941757 + 1) & 0xFFFFFFFFFFFFFFFF
        jump = int((bucket + 1) * ((1 << 31) / ((key >> 33) + 1)))
    return bucket


def shard_of(tenant_id: str, shards: int) -> int:
    return jump_hash(tenant_key(tenant_id), shards)


@dataclass(frozen=True)
class PooledShards:
    """Which pooled role serves each served pooled tenant. Shards left empty by the hash get no role."""

    count: int  # K
    shard_by_tenant: dict[str, int]

    def members(self) -> dict[int, tuple[str, ...]]:
        """Shard -> its tenants (roster order), for the shards that have any."""
        members: dict[int, list[str]] = {}
        for tenant_id, shard in self.shard_by_tenant.items():
            members.setdefault(shard, []).append(tenant_id)
        return {shard: tuple(members[shard]) for shard in sorted(members)}


def plan_pooled_shards(tenant_ids: Sequence[str], application_role_arn: str, quota: int) -> PooledShards:
    """Shard `tenant_ids` (the served pooled tenants) so that each shard's trust policy fits `quota`.

    ConfigError if one tenant alone does not fit, naming it and the quota to raise.
    """
    if not tenant_ids:
        return PooledShards(count=1, shard_by_tenant={})
    _check_each_fits_alone(tenant_ids, application_role_arn, quota)
    count = initial_shard_count(tenant_ids, application_role_arn, quota)
    while True:
        assignment = {tenant_id: shard_of(tenant_id, count) for tenant_id in tenant_ids}
        shards = PooledShards(count, assignment)
        if all(
            policy_length(shard_trust_policy(application_role_arn, members)) <= quota
            for members in shards.members().values()
        ):
            return shards
        count += 1
        if count > _MAX_SHARDS_PER_TENANT * len(tenant_ids):
            raise RuntimeError(f"no shard count up to {count} fits {len(tenant_ids)} tenants in {quota} characters")


def initial_shard_count(tenant_ids: Sequence[str], application_role_arn: str, quota: int) -> int:
    """K from the characters the ids take in the rendered policy and the room one role has, with headroom.

    The ids' characters only grow as tenants are added, so K never goes down as the roster grows.
    """
    empty = policy_length(shard_trust_policy(application_role_arn, []))
    ids = policy_length(shard_trust_policy(application_role_arn, tenant_ids)) - empty
    room = (quota - empty) * HEADROOM
    return max(1, math.ceil(ids / room))


def _check_each_fits_alone(tenant_ids: Sequence[str], application_role_arn: str, quota: int) -> None:
    longest = max(tenant_ids, key=len)
    needed = policy_length(shard_trust_policy(application_role_arn, [longest]))
    if needed > quota:
        raise ConfigError(
            [
                ConfigProblem(
                    "tenant-pipeline:quotas.roleTrustPolicyLength",
                    f"is {quota} characters, but a pooled role's trust policy for tenant '{longest}' alone takes "
                    f"{needed}; raise it (AWS allows up to {MAX_TRUST_POLICY_LENGTH})",
                )
            ]
        )
