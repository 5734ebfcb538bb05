"""What offboarding a tenant (`status: offboarded`) does, by its tier's strategy: every rule in one place.

- An offboarded tenant is no longer served: no API key (the API refuses it), no role, `roleArn: null` in the
  directory (the DAL refuses it).
- Its data: `retain` keeps it as it was; `scale-down` keeps a silo keyspace at the smallest fixed capacity;
  `delete` drops a silo keyspace. Stateful resources are protected unless the strategy is `delete`.
"""

from __future__ import annotations

from tiers.policy import TierPolicy


def is_served(status: str) -> bool:
    """Served tenants get an API key, a role and a directory record with that role."""
    return status == "active"


def keeps_own_keyspace(tier: TierPolicy, status: str) -> bool:
    """A silo keyspace exists while the tenant is served, and after offboarding unless the strategy deletes it."""
    return tier.siloed and (is_served(status) or tier.offboarding != "delete")


def data_protected(tier: TierPolicy) -> bool:
    """Stateful resources refuse deletion (Pulumi `protect`) unless the strategy is to delete them."""
    return tier.offboarding != "delete"


def scaled_down(tier: TierPolicy, status: str) -> bool:
    """An offboarded silo tenant whose tier keeps its keyspace at minimum capacity."""
    return not is_served(status) and tier.offboarding == "scale-down"
