"""Declaring the tenant tables of one keyspace, with their capacity and auto scaling.

A plain function rather than a ComponentResource: a component is one more registration per
tenant, and the tables already sit under the tenant's (or the pool's) component.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.storage.keyspaces_definition import schema_definition
from functions.contracts.tables import TableSchema
from tiers.capacity import TableCapacity, scaling_dimensions
from tiers.naming import Namer, logical, scalable_table_id
from tiers.policy import AutoScaling

CLIENT_SIDE_TIMESTAMPS = "ENABLED"  # the only status Keyspaces accepts: once enabled, they stay
# Auto scaling moves the provisioned units; Pulumi must not move them back on the next update.
_SCALED_PROPERTIES = ["capacitySpecification.readCapacityUnits", "capacitySpecification.writeCapacityUnits"]


@dataclass(frozen=True)
class KeyspaceTables:
    """Where the tables go, and what they are declared with."""

    owner: str  # the logical name of the component that holds them
    keyspace: aws.keyspaces.Keyspace
    keyspace_name: str
    schemas: Sequence[TableSchema]
    capacity: TableCapacity
    tags: Mapping[str, str]
    protect: bool  # protected tables are retained as well should the stack ever delete them


def declare_tables(namer: Namer, spec: KeyspaceTables, parent: pulumi.Resource) -> list[aws.keyspaces.Table]:
    capacity, scaling = spec.capacity, spec.capacity.auto_scaling
    declared = []
    for schema in spec.schemas:
        table_name = logical(spec.owner, schema.name)
        table = aws.keyspaces.Table(
            table_name,
            keyspace_name=spec.keyspace.name,
            table_name=schema.name,
            schema_definition=aws.keyspaces.TableSchemaDefinitionArgs(**schema_definition(schema)),
            capacity_specification=aws.keyspaces.TableCapacitySpecificationArgs(
                throughput_mode=capacity.throughput_mode,
                read_capacity_units=capacity.read_units,
                write_capacity_units=capacity.write_units,
            ),
            point_in_time_recovery=aws.keyspaces.TablePointInTimeRecoveryArgs(
                status="ENABLED" if capacity.point_in_time_recovery else "DISABLED"
            ),
            # `USING TIMESTAMP` and `WRITETIME` (dual writes and the migration job's copies) need them. The
            # provider enables them with UpdateTable, in place; removing the block would replace the table
            # (terraform-provider-aws keyspaces/table.go: ForceNewIfChange, they cannot be disabled).
            client_side_timestamps=aws.keyspaces.TableClientSideTimestampsArgs(status=CLIENT_SIDE_TIMESTAMPS),
            tags=dict(spec.tags),
            opts=pulumi.ResourceOptions(
                parent=parent,
                protect=spec.protect,
                retain_on_delete=spec.protect,
                ignore_changes=_SCALED_PROPERTIES if scaling else None,
            ),
        )
        declared.append(table)
        if scaling is not None:
            _declare_auto_scaling(namer, spec, table_name=schema.name, table=table, scaling=scaling, parent=parent)
    return declared


def _declare_auto_scaling(
    namer: Namer,
    spec: KeyspaceTables,
    *,
    table_name: str,
    table: aws.keyspaces.Table,
    scaling: AutoScaling,
    parent: pulumi.Resource,
) -> None:
    """Per table, a read and a write target with a target-tracking policy each: 4 resources.

    aws.keyspaces.Table in pulumi-aws 7.51 has no auto scaling settings of its own.
    """
    table_logical = logical(spec.owner, table_name)
    for dimension in scaling_dimensions(scaling):
        target = aws.appautoscaling.Target(
            logical(table_logical, dimension.kind, "target"),
            service_namespace="cassandra",
            scalable_dimension=dimension.scalable_dimension,
            resource_id=scalable_table_id(spec.keyspace_name, table_name),
            min_capacity=dimension.min_capacity,
            max_capacity=dimension.max_capacity,
            tags=dict(spec.tags),
            opts=pulumi.ResourceOptions(parent=parent, depends_on=[table]),
        )
        aws.appautoscaling.Policy(
            logical(table_logical, dimension.kind, "scaling"),
            name=namer.physical("scaling-policy", spec.keyspace_name, table_name, dimension.kind),
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=dimension.target_utilization,
                predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type=dimension.predefined_metric
                ),
            ),
            opts=pulumi.ResourceOptions(parent=parent),
        )
