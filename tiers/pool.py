"""The pool: the one shared keyspace (`tenants_pool`) whose tables hold every pooled tier's tenants, keyed by id.

Its settings (`tenant-pipeline:pool`: `capacity`, `pointInTimeRecovery`) are declared once, here, and belong to
no tier: a pooled tier sets its tenants' limits, never the shared tables' capacity (a pooled tier that sets one
is refused, naming this key). One pool per environment, for every pooled tier (docs/design.md "One pool"): a
move between pooled tiers then moves no data, and the DAL's isolation (tenant_id first in every partition key)
does not depend on which pooled tier a tenant is on.
"""

from __future__ import annotations

from typing import Any

from tiers.errors import ConfigProblem
from tiers.fields import Fields
from tiers.keyspace_settings import KEYSPACE_KEYS, read_keyspace_settings
from tiers.policy import Capacity, KeyspaceSettings
from tiers.validation import check_keyspace

POOL_KEY = "tenant-pipeline:pool"
# What the pooled tables have always had (they were sized by the `basic` tier's settings before there was a pool
# setting): on-demand, without point-in-time recovery.
DEFAULT_POOL = KeyspaceSettings(capacity=Capacity(mode="ON_DEMAND", auto_scaling=None), point_in_time_recovery=False)


def parse_pool(raw: Any, problems: list[ConfigProblem]) -> KeyspaceSettings:
    fields = Fields(raw, POOL_KEY, "pool", problems)
    fields.reject_unknown(set(KEYSPACE_KEYS))
    pool = read_keyspace_settings(DEFAULT_POOL, fields)
    problems.extend(ConfigProblem(POOL_KEY, rule) for rule in check_keyspace(pool))
    return pool
