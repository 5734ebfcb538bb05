"""The tier names the product offers. Their policy is the program's (tiers/); the names are shared."""

from __future__ import annotations

BASIC = "basic"
PREMIUM = "premium"
TIER_NAMES = (BASIC, PREMIUM)
