"""Stand-ins for the components that declare AWS resources, so the project's program runs on the real engine here,
where no AWS provider can be built (README "Running on the real engine").

The platform (components.platform.declare_platform) and a cell (components.cells.tenant_cell.TenantCell) keep their
signatures and their outputs: the platform exports what cells read (usagePlanIds, apiKeySecret as a secret,
applicationRoleArn, adoptedTenants; without cells, every tenant's record as `tenants`), and a cell's `directory`
holds its tenants' records, built by the real `cell_entries`. What they declare are ComponentResources shaped like
the real resources: a usage plan per tier, a delivery stream per enriched-events stream, an API key per served
tenant on its tier's usage plan (read from the platform's output, as the real key is: a tier the platform has not
deployed fails the cell), a silo side per silo tenant, the directory slice.

Controls for the tests, from the environment (the orchestrator's CLI runs inherit it):
    STANDIN_LOG=<file>            a JSON line per program run: {"stack", "event": "start", "time"}
    STANDIN_FAIL_CELLS=a-1,b-2    those cells' programs fail after declaring their keys
    STANDIN_BARRIER=<dir>         a cell's program waits until STANDIN_BARRIER_COUNT cells' programs have started
    STANDIN_BARRIER_COUNT=<n>     (fails after 90 s: the cells did not run at once)
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pulumi

from components.cells.tenant_cell import PlatformOutputs, TenantCellArgs, cell_entries
from components.storage.directory import document_text
from functions.contracts.api_keys import tenant_api_key
from functions.contracts.cells import slice_key
from local.fake_cloud import ACCOUNT_ID
from tiers.cells import silo_cell
from tiers.naming import iam_role_arn, logical
from tiers.stack_config import StackConfig

BARRIER_SECONDS = 90


class StandIn(pulumi.ComponentResource):
    def __init__(self, kind: str, name: str, props: Mapping[str, Any], opts: pulumi.ResourceOptions | None = None):
        super().__init__(f"tenant-pipeline:standin:{kind}", name, dict(props), opts)
        self.register_outputs(dict(props))


def log(event: str) -> None:
    path = os.environ.get("STANDIN_LOG")
    if path:
        line = json.dumps({"stack": pulumi.get_stack(), "event": event, "time": time.time()})
        with Path(path).open("a") as file:
            file.write(line + "\n")


def barrier() -> None:
    folder = os.environ.get("STANDIN_BARRIER")
    if not folder:
        return
    count = int(os.environ.get("STANDIN_BARRIER_COUNT", "2"))
    Path(folder).mkdir(parents=True, exist_ok=True)
    (Path(folder) / pulumi.get_stack()).touch()
    deadline = time.monotonic() + BARRIER_SECONDS
    while len(list(Path(folder).iterdir())) < count:
        if time.monotonic() > deadline:
            raise pulumi.RunError(f"stand-in barrier: {count} cells never ran at once")
        time.sleep(0.2)


def usage_plan_id(config: StackConfig, tier: str) -> str:
    throttle = config.tiers[tier].throttle
    return f"plan-{tier}-{throttle.rate_limit:g}-{throttle.burst_limit}"


def api_key_secret(environment: str) -> str:
    return hashlib.sha256(f"stand-in secret of {environment}".encode()).hexdigest()[:32]


def declare_platform(config: StackConfig, adopted: Mapping[str, Any] | None = None) -> dict[str, pulumi.Input[Any]]:
    log("start")
    platform = StandIn("Platform", "platform", {"environment": config.environment})
    child = pulumi.ResourceOptions(parent=platform)
    for tier in config.tiers:
        StandIn("UsagePlan", logical("plan", tier), {"id": usage_plan_id(config, tier)}, child)
    for stream in range(config.delivery_shards.count):
        StandIn(
            "DeliveryStream",
            logical("events", str(stream)),
            {"name": config.namer.events_delivery_stream(stream)},
            child,
        )
    outputs: dict[str, pulumi.Input[Any]] = {
        "applicationRoleArn": iam_role_arn(ACCOUNT_ID, "/", config.namer.application_role()),
    }
    if config.cells is None:
        for plan in config.plans:
            StandIn("Tenant", logical("tenant", plan.tenant_id), {"tier": plan.tier.name}, child)
        outputs["tenants"] = cell_entries(list(config.plans), config.namer, ACCOUNT_ID)
        return outputs
    return {
        **outputs,
        "usagePlanIds": {tier: usage_plan_id(config, tier) for tier in config.tiers},
        "apiKeySecret": pulumi.Output.secret(api_key_secret(config.environment)),
        "adoptedTenants": dict(adopted or {}),
    }


def _plan_of(tier: str, ids: Mapping[str, str]) -> str:
    return ids[tier]


def _key_of(secret: str, *, tenant: str, salt: str | None) -> str:
    return tenant_api_key(secret, tenant, salt)


class DirectorySlice(StandIn):
    def __init__(self, name: str, cell: str, records: pulumi.Output[dict[str, Any]], opts: pulumi.ResourceOptions):
        self.key = pulumi.Output.from_input(slice_key(cell))
        super().__init__("DirectorySlice", name, {"key": self.key, "content": records.apply(document_text)}, opts)


class TenantCell(pulumi.ComponentResource):
    directory: pulumi.Output[dict[str, Any]]

    def __init__(self, name: str, args: TenantCellArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:cells:TenantCell", name, None, opts)
        log("start")
        barrier()
        config, cell = args.config, args.cell
        platform: PlatformOutputs = args.platform
        child = pulumi.ResourceOptions(parent=self)
        declared = [plan for plan in config.plans if cell in (plan.cell, plan.from_cell)]
        own = [plan for plan in declared if plan.cell == cell]
        for plan in own:
            if not plan.served:
                continue
            key = {
                # The tier's usage plan from the platform's output: a tier it has not deployed fails the cell.
                "usagePlanId": platform.usage_plan_ids.apply(functools.partial(_plan_of, plan.tier.name)),
                "value": platform.api_key_secret.apply(
                    functools.partial(_key_of, tenant=plan.tenant_id, salt=plan.key_cell)
                ),
            }
            StandIn("ApiKey", logical(name, "key", plan.tenant_id), key, child)
        for plan in declared:
            if silo_cell(plan) == cell:
                StandIn("SiloSide", logical(name, "silo", plan.tenant_id), {"keyspace": plan.keyspace}, child)
        if cell in os.environ.get("STANDIN_FAIL_CELLS", "").split(","):
            raise pulumi.RunError(f"stand-in: cell {cell} fails (STANDIN_FAIL_CELLS)")
        self.directory = pulumi.Output.from_input(cell_entries(own, config.namer, ACCOUNT_ID))
        self.slice = DirectorySlice(logical(name, "directory"), cell, self.directory, child)
        self.register_outputs({"tenants": self.directory})
