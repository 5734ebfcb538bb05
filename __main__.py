"""tenant-pipeline: config -> tier plans -> platform components -> per-tenant components."""

from __future__ import annotations

import gc
from typing import Any

import pulumi
import pulumi_aws as aws

from components.ingestion.pipeline import IngestionPipeline, IngestionPipelineArgs
from components.naming import POOLED_KEYSPACE, PROJECT, Namer, s3_bucket_arn
from components.storage.application_role import ApplicationRole, ApplicationRoleArgs
from components.storage.directory import tenant_entry
from components.storage.pooled_storage import PooledStorage, PooledStorageArgs
from components.storage.silo_tenant import SiloTenant, SiloTenantArgs
from tiers.capacity import pooled_tier
from tiers.errors import ConfigError
from tiers.load import CONFIG_KEYS, load_stack_config
from tiers.model import StackConfig
from tiers.plan import TenantPlan, plan_tenants


def read_raw_config() -> dict[str, Any]:
    project_config = pulumi.Config(PROJECT)
    raw = {key: project_config.get_object(key) for key in CONFIG_KEYS}
    return {key: value for key, value in raw.items() if value is not None}


def main() -> None:
    try:
        config = load_stack_config(
            read_raw_config(), environment=pulumi.get_stack(), region=pulumi.Config("aws").require("region")
        )
    except ConfigError as error:
        # RunError ends the program cleanly, without a Python traceback, before any resource.
        raise pulumi.RunError(str(error)) from error

    namer = Namer(config.environment)
    plans = plan_tenants(config.tenants, config.tiers, namer)

    # The bucket's name is derived, not generated, so tenant policies can name it before it exists.
    account_id = aws.get_caller_identity_output().account_id
    bucket_name = account_id.apply(lambda account: namer.ingest_bucket(account, config.region))
    bucket_arn = bucket_name.apply(s3_bucket_arn)

    pipeline = IngestionPipeline(
        "ingestion", IngestionPipelineArgs(config=config, namer=namer, tenants=plans, bucket_name=bucket_name)
    )
    for output_name, value in pipeline.stack_outputs().items():
        pulumi.export(output_name, value)
    declare_tenant_storage(config, namer, plans, account_id, bucket_arn)


def declare_tenant_storage(
    config: StackConfig,
    namer: Namer,
    plans: list[TenantPlan],
    account_id: pulumi.Output[str],
    bucket_arn: pulumi.Output[str],
) -> None:
    """Tenant storage and access (README "Tenant storage and access"), and the outputs that name it."""
    app = ApplicationRole(
        "application-role", ApplicationRoleArgs(namer=namer, region=config.region, account_id=account_id)
    )
    pooled = PooledStorage(
        "pooled-storage",
        PooledStorageArgs(
            namer=namer,
            ingest_bucket_arn=bucket_arn,
            tier=pooled_tier(config.tiers),
            region=config.region,
            account_id=account_id,
            application_role_arn=app.arn,
        ),
    )
    silo_role_arns: dict[str, pulumi.Output[str]] = {}
    for plan in plans:
        if plan.tier.siloed:
            silo = SiloTenant(
                namer.logical("tenant", plan.tenant_id),
                SiloTenantArgs(
                    namer=namer,
                    plan=plan,
                    ingest_bucket_arn=bucket_arn,
                    region=config.region,
                    account_id=account_id,
                    application_role_arn=app.arn,
                ),
            )
            if silo.role_arn is not None:
                silo_role_arns[plan.tenant_id] = silo.role_arn

    # Read by the DAL and the demo (tenancy/directory.py): tier, status, keyspace, s3Prefix, roleArn.
    pulumi.export("tenants", tenant_directory(plans, pooled.role_arn, silo_role_arns))
    pulumi.export("applicationRoleArn", app.arn)
    pulumi.export("pooledKeyspace", POOLED_KEYSPACE)


def tenant_directory(
    plans: list[TenantPlan], pooled_role_arn: pulumi.Output[str], silo_role_arns: dict[str, pulumi.Output[str]]
) -> pulumi.Output[dict[str, Any]]:
    """The `tenants` output as one Output over the distinct role ARNs.

    An Output per tenant would be thousands more tasks, each merging its dependencies into the
    map's: work that grows faster than the roster (bench/RESULTS.md).
    """

    def entries(arns: list[str]) -> dict[str, Any]:
        pooled_arn, silo_arns = arns[0], dict(zip(silo_role_arns, arns[1:], strict=True))
        return {
            plan.tenant_id: tenant_entry(plan, silo_arns.get(plan.tenant_id) if plan.tier.siloed else pooled_arn)
            for plan in plans
        }

    return pulumi.Output.all(pooled_role_arn, *silo_role_arns.values()).apply(entries)


# Thousands of resources keep tens of thousands of Outputs and futures alive until the end, and
# CPython's default full collections rescan them again and again: half the CPU at 5,000 tenants,
# growing faster than the roster (bench/RESULTS.md). Little of it is cyclic garbage: collect rarely.
gc.set_threshold(50_000, 50, 1000)
main()
