"""When a cell needs a deploy (orchestrator/fingerprint.py): its fingerprint follows what its program reads and
declares, and only that; a stack's last update counts only if this command made it and it succeeded."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pulumi import automation as auto

from orchestrator.fingerprint import cell_fingerprint, deployed_fingerprint, update_message
from orchestrator.stacks import Environment
from tests.support.cell_roster import cell_settings

TENANTS = "tenant-pipeline:tenants"
PLATFORM = {"dev": {"usagePlanIds": {"basic": "p1", "premium": "p2"}, "apiKeySecret": "s"}}


def fingerprint(environment: Environment, cell: str, reads: dict[str, Any] | None = None, **kwargs: Any) -> str:
    arguments: dict[str, Any] = {"program": "p", "engine": "3.274.1", "own_settings": {"aws:region": "us-east-1"}}
    return cell_fingerprint(environment, cell, reads=PLATFORM if reads is None else reads, **(arguments | kwargs))


def test_a_cell_is_fingerprinted_by_its_own_tenants_not_anothers(write_environment: Callable[..., Environment]) -> None:
    settings = cell_settings()
    environment = write_environment(settings)
    before = {cell: fingerprint(environment, cell) for cell in ("basic-1", "basic-2", "premium-1")}
    assert len(set(before.values())) == 3

    changed = copy.deepcopy(settings)
    changed[TENANTS][4]["status"] = "offboarded"  # umbrella, in basic-2
    changed[TENANTS].append({"id": "newco", "tier": "premium", "cell": "premium-1"})
    after = write_environment(changed)
    assert fingerprint(after, "basic-1") == before["basic-1"]
    assert fingerprint(after, "basic-2") != before["basic-2"]
    assert fingerprint(after, "premium-1") != before["premium-1"]


def test_every_cell_follows_the_shared_settings_the_outputs_it_reads_and_the_program(
    write_environment: Callable[..., Environment],
) -> None:
    environment = write_environment(cell_settings())
    was = fingerprint(environment, "basic-1")
    assert fingerprint(write_environment(cell_settings(quotas={"apiKeys": 9000})), "basic-1") != was
    assert fingerprint(environment, "basic-1", reads={"dev": {**PLATFORM["dev"], "apiKeySecret": "t"}}) != was
    assert fingerprint(environment, "basic-1", program="q") != was
    assert fingerprint(environment, "basic-1", engine="3.275.0") != was
    assert fingerprint(environment, "basic-1", own_settings={"aws:region": "us-east-1", "x": 1}) != was
    assert fingerprint(environment, "basic-1") == was  # and nothing else: the same inputs, the same fingerprint


def summary(kind: str, result: str, message: str) -> auto.UpdateSummary:
    return auto.UpdateSummary(kind, datetime(2026, 12, 4), message, {}, {}, result)


def test_only_a_succeeded_update_of_this_command_counts() -> None:
    assert deployed_fingerprint(summary("update", "succeeded", update_message("abc"))) == "abc"
    assert deployed_fingerprint(summary("update", "failed", update_message("abc"))) is None
    assert deployed_fingerprint(summary("update", "succeeded", "a manual pulumi up")) is None
    assert deployed_fingerprint(summary("refresh", "succeeded", update_message("abc"))) is None
    assert deployed_fingerprint(None) is None
