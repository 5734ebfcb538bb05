"""tiers/: table capacity of a keyspace (a silo tier's, the pool's), auto scaling dimensions, offboarding rules,
the tenants output."""

from __future__ import annotations

from dataclasses import replace

import pytest

from components.storage.directory import tenant_entry
from tiers.capacity import MIN_CAPACITY_UNITS, scaling_dimensions, table_capacity
from tiers.defaults import PREMIUM, PROVISIONED_BOUNDS, SILO_KEYSPACE
from tiers.model import TenantSpec
from tiers.naming import Namer
from tiers.offboarding import data_protected
from tiers.plan import plan_tenant
from tiers.policy import Capacity, KeyspaceSettings
from tiers.pool import DEFAULT_POOL

NAMER = Namer("dev")


def test_the_pooled_tables_are_on_demand_without_point_in_time_recovery_by_default():
    capacity = table_capacity(DEFAULT_POOL)
    assert (capacity.throughput_mode, capacity.read_units, capacity.write_units) == ("PAY_PER_REQUEST", None, None)
    assert capacity.auto_scaling is None
    assert capacity.point_in_time_recovery is False


PROVISIONED = replace(SILO_KEYSPACE, capacity=Capacity(mode="PROVISIONED", auto_scaling=PROVISIONED_BOUNDS))
PROVISIONED_PREMIUM = replace(PREMIUM, own_keyspace=PROVISIONED)


def test_silo_tables_are_on_demand_and_recoverable_by_default():
    capacity = table_capacity(SILO_KEYSPACE)
    assert (capacity.throughput_mode, capacity.read_units, capacity.write_units) == ("PAY_PER_REQUEST", None, None)
    assert capacity.auto_scaling is None
    assert capacity.point_in_time_recovery is True


def test_provisioned_tables_start_at_their_minimum_and_auto_scale():
    capacity = table_capacity(PROVISIONED)
    assert capacity.throughput_mode == "PROVISIONED"
    assert (capacity.read_units, capacity.write_units) == (PROVISIONED_BOUNDS.read_min, PROVISIONED_BOUNDS.write_min)
    assert capacity.auto_scaling == PROVISIONED_BOUNDS
    assert capacity.point_in_time_recovery is True


def test_scaled_down_tables_keep_their_data_protection_at_the_smallest_fixed_capacity():
    capacity = table_capacity(PROVISIONED, scaled_down=True)
    assert (capacity.read_units, capacity.write_units) == (MIN_CAPACITY_UNITS, MIN_CAPACITY_UNITS)
    assert capacity.auto_scaling is None
    assert capacity.point_in_time_recovery is True


def test_provisioned_without_bounds_is_refused():
    broken = KeyspaceSettings(capacity=Capacity(mode="PROVISIONED", auto_scaling=None), point_in_time_recovery=True)
    with pytest.raises(ValueError, match="PROVISIONED capacity needs auto scaling bounds"):
        table_capacity(broken)


def test_scaling_dimensions_track_read_and_write_utilisation_within_the_tier_bounds():
    scaling = PROVISIONED.capacity.auto_scaling
    assert scaling is not None
    read, write = scaling_dimensions(scaling)
    assert (read.scalable_dimension, read.predefined_metric) == (
        "cassandra:table:ReadCapacityUnits",
        "CassandraReadCapacityUtilization",
    )
    assert (write.scalable_dimension, write.predefined_metric) == (
        "cassandra:table:WriteCapacityUnits",
        "CassandraWriteCapacityUtilization",
    )
    assert (read.min_capacity, read.max_capacity) == (scaling.read_min, scaling.read_max)
    assert (write.min_capacity, write.max_capacity) == (scaling.write_min, scaling.write_max)
    assert read.target_utilization == write.target_utilization == scaling.target_utilization


@pytest.mark.parametrize(("strategy", "protected"), [("retain", True), ("scale-down", True), ("delete", False)])
def test_data_is_protected_unless_the_strategy_deletes_it(strategy, protected):
    assert data_protected(replace(PREMIUM, offboarding=strategy)) is protected


def test_only_an_offboarded_tenant_under_scale_down_is_scaled_down():
    tier = replace(PROVISIONED_PREMIUM, offboarding="scale-down")
    assert plan_tenant(TenantSpec("acme", "premium", "offboarded"), tier, NAMER).scaled_down
    assert not plan_tenant(TenantSpec("acme", "premium", "active"), tier, NAMER).scaled_down
    assert not plan_tenant(TenantSpec("acme", "premium", "offboarded"), PREMIUM, NAMER).scaled_down


def test_a_tenant_entry_drops_the_role_of_a_tenant_no_longer_served():
    active = plan_tenant(TenantSpec("acme-corp", "premium"), PREMIUM, NAMER)
    gone = plan_tenant(TenantSpec("acme-corp", "premium", "offboarded"), PREMIUM, NAMER)
    assert tenant_entry(active, "arn:aws:iam::123456789012:role/x") == {
        "tier": "premium",
        "status": "active",
        "keyspace": "tenant_acme_corp",
        "s3Prefix": "tenant=acme-corp/",
        "roleArn": "arn:aws:iam::123456789012:role/x",
        "migration": None,
        "cell": None,  # an environment without cells
        "keyCell": None,
    }
    assert tenant_entry(gone, "arn:aws:iam::123456789012:role/x")["roleArn"] is None
    assert tenant_entry(gone, None)["status"] == "offboarded"
