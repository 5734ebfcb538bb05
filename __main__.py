"""tenant-pipeline: config -> tier plans -> platform components -> per-tenant components."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components.application_role import ApplicationRole, ApplicationRoleArgs
from components.ingestion import IngestionPipeline, IngestionPipelineArgs
from components.pooled_storage import PooledStorage, PooledStorageArgs
from components.silo_tenant import SiloTenant, SiloTenantArgs
from naming import POOLED_KEYSPACE, PROJECT, Namer, s3_bucket_arn
from stackconfig.errors import ConfigError
from stackconfig.load import CONFIG_KEYS, load_stack_config
from stackconfig.model import StackConfig
from tenancy.capacity import pooled_tier
from tenancy.directory import tenant_entry
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

    IngestionPipeline(
        "ingestion", IngestionPipelineArgs(config=config, namer=namer, tenants=plans, bucket_name=bucket_name)
    )
    declare_tenant_storage(config, namer, plans, account_id, bucket_arn)


def declare_tenant_storage(
    config: StackConfig,
    namer: Namer,
    plans: list[TenantPlan],
    account_id: pulumi.Output[str],
    bucket_arn: pulumi.Output[str],
) -> None:
    """Tenant storage and access (README "Tenant storage and access"), and the outputs that name it."""
    app = ApplicationRole("application-role", ApplicationRoleArgs(namer=namer, account_id=account_id))
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
    tenants: dict[str, Any] = {}
    for plan in plans:
        role_arn: pulumi.Output[str] | None = pooled.role_arn
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
            role_arn = silo.role_arn
        tenants[plan.tenant_id] = directory_entry(plan, role_arn)

    # Read by the DAL and the demo (tenancy/directory.py): tier, status, keyspace, s3Prefix, roleArn.
    pulumi.export("tenants", tenants)
    pulumi.export("applicationRoleArn", app.arn)
    pulumi.export("pooledKeyspace", POOLED_KEYSPACE)


def directory_entry(plan: TenantPlan, role_arn: pulumi.Output[str] | None) -> Any:
    if role_arn is None or not plan.served:
        return tenant_entry(plan, None)
    return role_arn.apply(lambda arn: tenant_entry(plan, arn))


main()
