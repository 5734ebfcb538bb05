"""An environment with cells, as a user writes its settings file: three cells of two tiers, one offboarded tenant."""

from __future__ import annotations

from typing import Any

CELL_ROSTER = [
    {"id": "acme", "tier": "premium", "cell": "premium-1"},
    {"id": "globex", "tier": "premium", "cell": "premium-1"},
    {"id": "initech", "tier": "basic", "cell": "basic-1"},
    {"id": "hooli", "tier": "basic", "cell": "basic-1"},
    {"id": "umbrella", "tier": "basic", "cell": "basic-2"},
    {"id": "vandelay", "tier": "basic", "cell": "basic-2", "status": "offboarded"},
]


def cell_settings(**extra: Any) -> dict[str, Any]:
    return {
        "aws:region": "us-east-1",
        "tenant-pipeline:cells": {"budget": 200},
        "tenant-pipeline:tenants": [dict(entry) for entry in CELL_ROSTER],
        **{f"tenant-pipeline:{key}": value for key, value in extra.items()},
    }
