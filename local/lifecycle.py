"""`make migrate` and `make offboard`: the stack's side of the lifecycle jobs, then the jobs themselves.

    python -m local.lifecycle migrate --stack dev --tenant acme [--cassandra-port 9042] [-- job options]
    python -m local.lifecycle offboard --stack dev --tenant vandelay [--cassandra-port 9042] [-- job options]

What runtime code must not read comes from the stack here: the tenant directory (the program's `tenants`
output, from a run under mocks, written to build/lifecycle/<stack>/tenants.json), the tenant's place in the
stack config (for the `pulumi config set --path` commands the migration job prints), its tier's offboarding
strategy and the ingest bucket. Options after `--` go to the job as they are: on AWS, e.g.
`-- --region us-east-1 --directory s3://<directory bucket>/tenants.json` (the published directory).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from functions.contracts.cli import run_command
from functions.dal.errors import DalError
from functions.lifecycle import migrate, offboard
from functions.lifecycle.errors import LifecycleError
from local.errors import EXPECTED_FAILURES, StackRefusedError
from local.paths import BUILD_DIR, PROJECT_ROOT
from local.program import read_stack
from local.sandbox.declared import read_declaration
from tiers.stack_config import StackConfig

TENANTS_KEY = "tenant-pipeline:tenants"
LOCAL_CASSANDRA_PORT = 9042


def config_path(raw: Mapping[str, Any], tenant_id: str) -> str:
    """The tenant's entry in the stack config for `pulumi config set --path`: `tenant-pipeline:tenants[<index>]`."""
    tenants = raw.get(TENANTS_KEY)
    if isinstance(tenants, list):
        for index, entry in enumerate(tenants):
            if isinstance(entry, Mapping) and entry.get("id") == tenant_id:
                return f"{TENANTS_KEY}[{index}]"
    raise StackRefusedError(f"tenant {tenant_id!r} is not in the stack config's `tenants`")


def offboarding_strategy(config: StackConfig, tenant_id: str) -> str:
    """The offboarding strategy of the tenant's tier (stack config)."""
    spec = next((tenant for tenant in config.tenants if tenant.id == tenant_id), None)
    if spec is None:
        raise StackRefusedError(f"tenant {tenant_id!r} is not in the stack config's `tenants`")
    return config.tiers[spec.tier].offboarding


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.lifecycle", description=__doc__.splitlines()[0])
    parser.add_argument("job", choices=("migrate", "offboard"))
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--cassandra-port", type=int, help=f"a local Cassandra (default {LOCAL_CASSANDRA_PORT})")
    parser.add_argument("--project-dir", type=Path, default=PROJECT_ROOT, help=argparse.SUPPRESS)
    argv = sys.argv[1:] if argv is None else argv
    # Everything after `--` is the job's.
    cut = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:cut])
    args.job_options = argv[cut + 1 :]
    stack = read_stack(args.stack, args.project_dir, purpose="read")
    work = BUILD_DIR / "lifecycle" / args.stack
    work.mkdir(parents=True, exist_ok=True)
    directory = work / "tenants.json"
    directory.write_text(json.dumps(stack.declaration.outputs["tenants"], indent=2) + "\n")
    options = ["--tenant", args.tenant, "--directory", str(directory)]
    if "--region" not in args.job_options:
        options += ["--cassandra-port", str(args.cassandra_port or LOCAL_CASSANDRA_PORT)]
    if args.job == "migrate":
        ledger = work / "migrations" / f"{args.tenant}.json"
        path = config_path(stack.raw, args.tenant)
        wired = ["--stack", args.stack, "--config-path", path, "--ledger", str(ledger)]
        # The user's options last: they win (e.g. --directory s3://..., --ledger).
        return migrate.main([*options, *wired, *args.job_options])
    if any(option.startswith("--strategy") for option in args.job_options):
        raise StackRefusedError("the offboarding strategy comes from the stack config (the tier's `offboarding`)")
    bucket = read_declaration(stack.declaration, stack.config.region).bucket
    strategy = offboarding_strategy(stack.config, args.tenant)
    receipts = BUILD_DIR / "receipts" / args.stack
    wired = ["--strategy", strategy, "--bucket", bucket, "--receipts", str(receipts)]
    return offboard.main([*options, *wired, *args.job_options])


if __name__ == "__main__":
    run_command(main, (*EXPECTED_FAILURES, LifecycleError, DalError))
