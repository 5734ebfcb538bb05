"""tenant-pipeline: config -> tier plans -> platform components -> per-tenant components."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components.ingestion import IngestionPipeline, IngestionPipelineArgs
from components.pooled_storage import PooledStorage, PooledStorageArgs
from components.silo_tenant import SiloTenant, SiloTenantArgs
from naming import PROJECT, Namer, s3_bucket_arn
from stackconfig.errors import ConfigError
from stackconfig.load import CONFIG_KEYS, load_stack_config
from tiers.plan import plan_tenants


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
    PooledStorage(
        "pooled-storage",
        PooledStorageArgs(
            namer=namer, tenants=[plan for plan in plans if not plan.tier.siloed], ingest_bucket_arn=bucket_arn
        ),
    )
    for plan in plans:
        if plan.tier.siloed:
            SiloTenant(
                namer.logical("tenant", plan.tenant_id),
                SiloTenantArgs(namer=namer, plan=plan, ingest_bucket_arn=bucket_arn),
            )


main()
