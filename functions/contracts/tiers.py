"""The tier-name rule. Tiers are stack config (`tenant-pipeline:tiers`); their names appear in AWS names (usage
plans, cells' stacks), tags, the directory's records and the authorizer's context, so the config and the directory
check them with this one rule. Which tiers exist, and their policies, is the program's (tiers/).
"""

from __future__ import annotations

import re

TIER_NAME_PATTERN = re.compile(r"[a-z](?:[a-z0-9-]{0,14}[a-z0-9])?")
TIER_NAME_RULE = "1-16 characters of lowercase a-z, 0-9 and '-', starting with a letter and not ending with '-'"


def is_tier_name(value: object) -> bool:
    return isinstance(value, str) and TIER_NAME_PATTERN.fullmatch(value) is not None
