"""`make plan`: preview a stack with no cloud account.

Validates the stack's config, shows the tier catalogue and what each tenant gets, then runs the Pulumi program under
mocks and counts what it declares, by resource type.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from functions.contracts.cells import cell_tier
from functions.contracts.cli import run_command
from local.environment import EnvironmentRun, StackRun, read_environment
from local.errors import EXPECTED_FAILURES
from local.json_output import add_json_option, json_on_stdout, write_json
from local.paths import PROJECT_ROOT
from local.previous_roster import PreviousRoster, local_backend_roster, read_previous
from local.program import Declaration
from tiers.plan import TenantPlan
from tiers.policy import KeyspaceSettings
from tiers.quotas import QuotaUse, format_number
from tiers.stack_config import StackConfig
from tiers.transitions import onboarding


def transition_table(config: StackConfig, previous: PreviousRoster | None) -> Table:
    """Per tenant, what this deploy changes: printed before anything else."""
    source = "a first deploy: no previous roster" if previous is None else f"from {previous.source}"
    table = Table(title=f"What changes per tenant ({source})", title_justify="left")
    for column in ("tenant", "change", "what", "deletes", "next"):
        table.add_column(column)
    steps = config.transitions
    if steps is None:
        steps = tuple(onboarding(tenant, config.tiers[tenant.tier]) for tenant in config.tenants)
    for step in steps:
        kind = step.kind if step.kind == "unchanged" else f"[bold]{step.kind}[/]"
        table.add_row(step.tenant_id, kind, step.summary, "\n".join(step.deletes), step.next_step or "")
    return table


def tenant_table(config: StackConfig) -> Table:
    table = Table(title=f"Tenants of stack '{config.environment}' ({config.region})", title_justify="left")
    for column in (
        "tenant",
        "tier",
        "cell",
        "status",
        "keyspace",
        "S3 prefix",
        "IAM role",
        "API limits (rate/burst/day)",
    ):
        table.add_column(column, no_wrap=True)
    for plan in config.plans:
        throttle = plan.tier.throttle
        keyspace = f"{plan.keyspace} (own)" if plan.tier.siloed else f"{plan.keyspace} (pooled)"
        served = plan.served
        table.add_row(
            plan.tenant_id,
            plan.tier.name,
            plan.cell or "",
            status_column(plan),
            keyspace,
            plan.s3_prefix,
            role_column(plan),
            f"{throttle.rate_limit:g}/s / {throttle.burst_limit} / {throttle.quota_per_day:,}"
            if served
            else "[dim]no API key[/]",
        )
    return table


def status_column(plan: TenantPlan) -> str:
    if not plan.served:
        return f"[yellow]offboarded[/] (data: {plan.tier.offboarding})"
    if plan.migration is not None:
        return f"active, [cyan]moving from {plan.migration.from_tier.name}[/] ({plan.migration.state})"
    return "active"


def tier_table(config: StackConfig) -> Table:
    """The tier catalogue: every tier (the defaults and the stack's own), its storage, limits, options, tenants."""
    table = Table(title="Tiers (tenant-pipeline:tiers) and the pool (tenant-pipeline:pool)", title_justify="left")
    for column in ("tier", "storage", "API limits (rate/burst/day)", "partition keys", "keyspace", "offboarding"):
        table.add_column(column, no_wrap=True)
    table.add_column("tenants")
    for entry in tier_entries(config):
        throttle = entry["throttle"]
        tenants = entry["tenants"]
        more = len(tenants) - STREAM_TENANTS_SHOWN
        table.add_row(
            entry["name"],
            entry["storage"],
            f"{throttle['rateLimit']:g}/s / {throttle['burstLimit']} / {throttle['quotaPerDay']:,}",
            str(entry["partitionKeys"]),
            keyspace_column(entry["ownKeyspace"]) if entry["ownKeyspace"] else "[dim]the pool[/]",
            entry["offboarding"],
            (", ".join(tenants[:STREAM_TENANTS_SHOWN]) + (f", +{more:,}" if more > 0 else "")) or "[dim]none[/]",
        )
    table.add_section()
    pool = keyspace_entry(config.pool)
    table.add_row("[dim](the pool)[/]", "pooled", "", "", keyspace_column(pool), "", "every pooled tier's tenants")
    return table


def keyspace_column(entry: dict[str, Any]) -> str:
    scaling = entry["autoScaling"]
    capacity = entry["capacityMode"] + (
        f" (read {scaling['readMin']}-{scaling['readMax']}, write {scaling['writeMin']}-{scaling['writeMax']})"
        if scaling
        else ""
    )
    return f"{capacity}, PITR {'on' if entry['pointInTimeRecovery'] else 'off'}"


def keyspace_entry(settings: KeyspaceSettings) -> dict[str, Any]:
    scaling = settings.capacity.auto_scaling
    return {
        "capacityMode": settings.capacity.mode,
        "autoScaling": None
        if scaling is None
        else {
            "readMin": scaling.read_min,
            "readMax": scaling.read_max,
            "writeMin": scaling.write_min,
            "writeMax": scaling.write_max,
            "targetUtilization": scaling.target_utilization,
        },
        "pointInTimeRecovery": settings.point_in_time_recovery,
    }


def tier_entries(config: StackConfig) -> list[dict[str, Any]]:
    """Each tier of the catalogue, in its order, with the roster's tenants on it (served or not)."""
    return [
        {
            "name": name,
            "storage": tier.storage,
            "throttle": {
                "rateLimit": tier.throttle.rate_limit,
                "burstLimit": tier.throttle.burst_limit,
                "quotaPerDay": tier.throttle.quota_per_day,
            },
            "partitionKeys": tier.partition_keys,
            "offboarding": tier.offboarding,
            # A silo tier's tenants' own keyspaces; null for a pooled tier (its tenants are in the pool).
            "ownKeyspace": None if tier.own_keyspace is None else keyspace_entry(tier.own_keyspace),
            "tenants": [tenant.id for tenant in config.tenants if tenant.tier == name],
        }
        for name, tier in config.tiers.items()
    ]


# Tenants named per stream in the table; the rest are counted (the JSON names every tenant's stream).
STREAM_TENANTS_SHOWN = 8


def delivery_stream_table(config: StackConfig) -> Table:
    table = Table(
        title=f"Enriched-events delivery streams (at most {config.quotas.firehose_partitions:,} tenants each)",
        title_justify="left",
    )
    for column in ("Firehose stream", "tenants", "which"):
        table.add_column(column, justify="right" if column == "tenants" else "left")
    for stream, tenants in config.delivery_shards.members().items():
        more = len(tenants) - STREAM_TENANTS_SHOWN
        which = ", ".join(tenants[:STREAM_TENANTS_SHOWN]) + (f", +{more:,}" if more > 0 else "")
        table.add_row(config.namer.events_delivery_stream(stream), f"{len(tenants):,}", which)
    return table


def role_column(plan: TenantPlan) -> str:
    if plan.role_name is None:
        return "[dim]none[/]"
    if plan.pooled_shard is None:
        return plan.role_name
    if plan.tier.siloed:  # moving from a pooled tier: its pooled shard still trusts it
        return f"{plan.role_name} + pooled shard {plan.pooled_shard} (moving)"
    shard = f"{plan.role_name} (pooled shard {plan.pooled_shard})"
    return f"{shard} + {plan.silo_role_name} (moving)" if plan.silo_is_source else shard


def resource_table(declaration: Declaration) -> Table:
    table = Table(title="Declared resources by type", title_justify="left")
    table.add_column("type")
    table.add_column("count", justify="right")
    counts = declaration.count_by_type()
    for type_, count in sorted(counts.items()):
        table.add_row(type_, str(count))
    table.add_section()
    table.add_row("[bold]total[/]", f"[bold]{sum(counts.values())}[/]")
    return table


def quota_table(uses: list[QuotaUse]) -> Table:
    table = Table(title="AWS quotas the roster needs (tenant-pipeline:quotas)", title_justify="left")
    table.add_column("quota")
    table.add_column("key")
    for column in ("need", "limit", "headroom"):
        table.add_column(column, justify="right")
    table.add_column("AWS raises it to", justify="right")
    for use in uses:
        headroom = format_number(use.headroom)
        table.add_row(
            use.spec.name,
            use.spec.key if use.spec.field else "[dim](no setting)[/]",
            f"{format_number(use.need)} {use.spec.unit}",
            f"{use.limit:,}",
            headroom if use.fits else f"[red]{headroom}[/]",
            raise_column(use),
        )
    return table


def raise_column(use: QuotaUse) -> str:
    if use.spec.limit_of is not None:  # the stack's own settings set it (the event stream's shards or mode)
        return use.spec.subject.removeprefix("tenant-pipeline:")
    if not use.spec.adjustable:
        return "hard limit"
    return "on request" if use.spec.maximum is None else f"{use.spec.maximum:,}"


def quota_entry(use: QuotaUse) -> dict[str, Any]:
    spec = use.spec
    return {
        "key": spec.key,
        "setting": spec.field is not None,  # false: no tenant-pipeline:quotas key, the limit is AWS's alone
        "name": spec.name,
        "unit": spec.unit,
        "need": use.need,
        "limit": use.limit,
        "headroom": use.headroom,
        "adjustable": spec.adjustable,
        "maximum": spec.maximum,  # the most AWS grants; null when adjustable without a documented ceiling
        "source": f"https://{spec.source}",
    }


# The shape of `--json`, documented in README "Machine-readable output"; raised when a field changes meaning.
PLAN_FORMAT = 1


def stack_entry(config: StackConfig, run: StackRun) -> dict[str, Any]:
    """One stack of the environment: what it holds and declares, and a cell's use of its budget."""
    counts = run.declaration.count_by_type()
    load = None if run.cell is None else config.cell_loads.get(run.cell)
    holds_all = config.cells is None  # the one stack of an environment without cells holds every tenant
    return {
        "name": run.stack,
        "kind": run.kind,
        "cell": run.cell,
        "tier": None if run.cell is None else cell_tier(run.cell),  # the tier the cell was opened for
        "tenants": list(load.tenants) if load else [tenant.id for tenant in config.tenants] if holds_all else [],
        "sources": list(load.sources) if load else [],  # tenants moving away whose old side it still holds
        "resources": {
            "byType": dict(sorted(counts.items())),
            "total": sum(counts.values()),
            "stackReferences": len(run.declaration.references),  # read, not declared, but in its state too
        },
        # A cell's resources as tiers/cells.py counts them (declared and read) against tenant-pipeline:cells.budget.
        "budget": None
        if load is None or config.cells is None
        else {
            "limit": config.cells.budget,
            "counted": load.resources,
            "use": round(load.resources / config.cells.budget, 4),
        },
    }


def stacks_table(name: str, stacks: list[dict[str, Any]]) -> Table:
    table = Table(title=f"Stacks of environment '{name}'", title_justify="left")
    for column in ("stack", "kind", "tier", "tenants", "resources", "budget"):
        table.add_column(column, justify="right" if column in ("resources", "budget") else "left")
    for stack in stacks:
        tenants = stack["tenants"]
        more = len(tenants) - STREAM_TENANTS_SHOWN
        shown = ", ".join(tenants[:STREAM_TENANTS_SHOWN]) + (f", +{more:,}" if more > 0 else "")
        if stack["sources"]:
            shown += f" (leaving: {', '.join(stack['sources'])})"
        budget = stack["budget"]
        table.add_row(
            stack["name"],
            stack["kind"],
            stack["tier"] or "",
            f"{len(tenants)}: {shown}" if tenants else "[dim]none[/]",
            f"{stack['resources']['total']:,}",
            "" if budget is None else f"{budget['use']:.0%} of {budget['limit']:,}",
        )
    return table


def plan_document(run: EnvironmentRun, previous: PreviousRoster | None = None) -> dict[str, Any]:
    config, declaration = run.config, run.declaration
    counts = declaration.count_by_type()
    return {
        "format": PLAN_FORMAT,
        "stack": config.environment,
        "region": config.region,
        # Each tenant's step from the roster deployed last; null without one (a first deploy).
        "previous": None if previous is None else previous.source,
        "transitions": None if config.transitions is None else [step.to_entry() for step in config.transitions],
        "tiers": tier_entries(config),
        "pool": keyspace_entry(config.pool),
        "tenants": [tenant_entry(config, plan) for plan in config.plans],
        "quotas": [quota_entry(use) for use in config.quota_uses()],
        "resources": {"byType": dict(sorted(counts.items())), "total": sum(counts.values())},
        "stacks": [stack_entry(config, stack) for stack in run.stacks],
    }


def tenant_entry(config: StackConfig, plan: TenantPlan) -> dict[str, Any]:
    throttle = plan.tier.throttle
    stream = config.delivery_shards.stream_by_tenant.get(plan.tenant_id)
    return {
        "id": plan.tenant_id,
        "tier": plan.tier.name,
        "status": plan.status,
        "storage": plan.tier.storage,
        "keyspace": plan.keyspace,
        "s3Prefix": plan.s3_prefix,
        "role": plan.role_name if plan.served else None,
        "apiLimits": {
            "rateLimit": throttle.rate_limit,
            "burstLimit": throttle.burst_limit,
            "quotaPerDay": throttle.quota_per_day,
        }
        if plan.served
        else None,
        "offboarding": plan.tier.offboarding,
        "cell": plan.cell,  # the cell that declares it; null in an environment without cells
        "migration": None
        if plan.migration is None
        else {
            "from": plan.migration.from_tier.name,
            "state": plan.migration.state,
            "sourceKeyspace": plan.migration.source_keyspace,
            "fromCell": plan.from_cell,
            "verified": plan.migration.verified,
        },
        # The enriched-events delivery stream its events go through (null once offboarded).
        "deliveryStream": None if stream is None else config.namer.events_delivery_stream(stream),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--stack", default="dev", help="environment: reads Pulumi.<stack>.yaml (and plans its cells, if it has any)"
    )
    parser.add_argument("--project-dir", type=Path, default=PROJECT_ROOT, help=argparse.SUPPRESS)
    parser.add_argument(
        "--previous",
        type=Path,
        help="the roster deployed last: `pulumi stack output tenants --json`, a directory document or a stack "
        "export (default: the stack's checkpoint in a local backend, if any)",
    )
    add_json_option(parser, "the plan")
    args = parser.parse_args(argv)
    previous = read_previous(args.previous) if args.previous else local_backend_roster(args.stack)
    stack = read_environment(args.stack, args.project_dir, previous=previous)
    if args.json:
        write_json(plan_document(stack, previous), args.json)
    if not json_on_stdout(args.json):
        # Wide enough for the tenant table when the output is a pipe or a CI log.
        console = Console(width=None if sys.stdout.isatty() else 240)
        console.print(transition_table(stack.config, previous))
        console.print(tier_table(stack.config))
        console.print(tenant_table(stack.config))
        console.print(delivery_stream_table(stack.config))
        console.print(quota_table(stack.config.quota_uses()))
        console.print(stacks_table(stack.name, [stack_entry(stack.config, run) for run in stack.stacks]))
        console.print(resource_table(stack.declaration))
    return 0


if __name__ == "__main__":
    run_command(main, EXPECTED_FAILURES)
