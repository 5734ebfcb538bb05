"""Config written by `pulumi config set --path`, exactly as the CLI stores it.

With `--path`, the CLI keeps `true`, `false` and base-10 integers without a leading zero as YAML booleans
and numbers, and stores every other value as a string (pulumi/pulumi sdk/go/common/resource/config/
object.go `coerce`, map.go `Map.Set`): `--path ...rateLimit 12.5` writes `rateLimit: "12.5"`. The program
receives what the stack file holds, so these strings must be read as the numbers and booleans they are.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from tests.support.config import base_config, load, only_problem


def stack_file_values(text: str) -> dict[str, Any]:
    """The project's settings from a stack file's `config:` block, as the program receives them."""
    config = yaml.safe_load(text)["config"]
    return {key.removeprefix("tenant-pipeline:"): value for key, value in config.items()}


def test_a_decimal_set_with_path_is_a_number() -> None:
    # pulumi config set --path 'tenant-pipeline:tiers.premium.throttle.rateLimit' 12.5
    # pulumi config set --path 'tenant-pipeline:tiers.premium.capacity.autoScaling.targetUtilization' 72.5
    written = stack_file_values(
        """
config:
  tenant-pipeline:tiers:
    premium:
      throttle:
        rateLimit: "12.5"
      capacity:
        mode: PROVISIONED
        autoScaling:
          targetUtilization: "72.5"
"""
    )
    assert written["tiers"]["premium"]["throttle"]["rateLimit"] == "12.5"  # what the CLI stored: a string
    premium = load(base_config(**written)).tiers["premium"]
    assert premium.throttle.rate_limit == 12.5
    assert premium.own_keyspace is not None
    assert premium.own_keyspace.capacity.auto_scaling is not None
    assert premium.own_keyspace.capacity.auto_scaling.target_utilization == 72.5


def test_an_integer_the_cli_keeps_as_a_string_is_a_whole_number() -> None:
    # A leading zero keeps the CLI from converting (`--path ...burstLimit 0800` writes "0800"), and
    # `--type string` never converts (`--path --type string ...quotaPerDay 900000` writes "900000").
    written = stack_file_values(
        """
config:
  tenant-pipeline:tiers:
    premium:
      throttle:
        burstLimit: "0800"
        quotaPerDay: "900000"
      partitionKeys: "8"
  tenant-pipeline:quotas:
    keyspaces: "300"
"""
    )
    config = load(base_config(**written))
    assert config.tiers["premium"].partition_keys == 8
    assert config.tiers["premium"].throttle.burst_limit == 800
    assert config.tiers["premium"].throttle.quota_per_day == 900_000
    assert config.quotas.keyspaces == 300


def test_integers_the_cli_converts_stay_numbers() -> None:
    # pulumi config set --path 'tenant-pipeline:tiers.premium.throttle.burstLimit' 1200
    written = stack_file_values(
        """
config:
  tenant-pipeline:tiers:
    premium:
      throttle:
        burstLimit: 1200
"""
    )
    assert load(base_config(**written)).tiers["premium"].throttle.burst_limit == 1200


@pytest.mark.parametrize(("stored", "expected"), [("True", True), ("FALSE", False), (True, True), (False, False)])
def test_booleans_the_cli_stores_as_strings(stored: Any, expected: bool) -> None:
    # Only lowercase `true`/`false` become YAML booleans: `--path ...pointInTimeRecovery True` writes "True".
    written = {"pool": {"pointInTimeRecovery": stored}, "ingest": {"manageApiGatewayAccount": stored}}
    config = load(base_config(**written))
    assert config.pool.point_in_time_recovery is expected
    assert config.ingest.manage_api_gateway_account is expected


@pytest.mark.parametrize(
    ("path", "stored", "rule"),
    [
        (("tiers", "premium", "throttle", "rateLimit"), "12.5x", "must be a number, got '12.5x'"),
        (("tiers", "premium", "throttle", "rateLimit"), "nan", "must be a number, got 'nan'"),
        (("tiers", "premium", "throttle", "rateLimit"), "1e999", "must be a number, got '1e999'"),
        (("tiers", "premium", "throttle", "burstLimit"), "12.5", "must be a whole number, got '12.5'"),
        (("tiers", "premium", "throttle", "burstLimit"), "", "must be a whole number, got ''"),
        (("tiers", "premium", "pointInTimeRecovery"), "yes", "must be true or false, got 'yes'"),
        (("pool", "pointInTimeRecovery"), "1", "must be true or false, got '1'"),
        (("quotas", "keyspaces"), "three hundred", "must be a whole number, got 'three hundred'"),
    ],
)
def test_junk_is_still_refused_naming_the_setting(path: tuple[str, ...], stored: str, rule: str) -> None:
    raw: dict[str, Any] = {}
    node = raw
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = stored
    assert only_problem(base_config(**raw)).endswith(f"{'.'.join(path)} {rule}")
