"""`make plan`: preview a stack with no cloud account.

Validates the stack's config, shows what each tenant gets, then runs the Pulumi program under
mocks and counts what it declares, by resource type.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pulumi
from rich.console import Console
from rich.table import Table

from local.errors import StackFileError
from local.paths import PROJECT_ROOT
from local.program import Declaration, run_program
from local.stack_file import project_values, read_stack_config
from tiers.errors import ConfigError
from tiers.load import load_stack_config
from tiers.plan import TenantPlan
from tiers.stack_config import StackConfig


def tenant_table(config: StackConfig) -> Table:
    table = Table(title=f"Tenants of stack '{config.environment}' ({config.region})", title_justify="left")
    for column in ("tenant", "tier", "status", "keyspace", "S3 prefix", "IAM role", "API limits (rate/burst/day)"):
        table.add_column(column, no_wrap=True)
    for plan in config.plans:
        throttle = plan.tier.throttle
        keyspace = f"{plan.keyspace} (own)" if plan.tier.siloed else f"{plan.keyspace} (pooled)"
        served = plan.served
        table.add_row(
            plan.tenant_id,
            plan.tier.name,
            "active" if served else f"[yellow]offboarded[/] (data: {plan.tier.offboarding})",
            keyspace,
            plan.s3_prefix,
            role_column(plan),
            f"{throttle.rate_limit:g}/s / {throttle.burst_limit} / {throttle.quota_per_day:,}"
            if served
            else "[dim]no API key[/]",
        )
    return table


def role_column(plan: TenantPlan) -> str:
    if plan.role_name is None:
        return "[dim]none[/]"
    return plan.role_name if plan.pooled_shard is None else f"{plan.role_name} (pooled shard {plan.pooled_shard})"


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument("--project-dir", type=Path, default=PROJECT_ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # Wide enough for the tenant table when the output is a pipe or a CI log.
    console = Console(width=None if sys.stdout.isatty() else 200)
    try:
        raw = read_stack_config(args.stack, args.project_dir)
        config = load_stack_config(project_values(raw), args.stack, str(raw.get("aws:region", "")) or "us-east-1")
    except (StackFileError, ConfigError) as error:
        console.print(f"[bold red]Stack '{args.stack}' cannot be planned[/]: {error}", highlight=False)
        return 2
    console.print(tenant_table(config))
    try:
        declaration = run_program(args.stack, raw)
    except pulumi.RunError as error:
        console.print(f"[bold red]The program stopped[/]: {error}", highlight=False)
        return 2
    console.print(resource_table(declaration))
    return 0


if __name__ == "__main__":
    sys.exit(main())
