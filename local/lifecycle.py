"""`make migrate` and `make offboard`: the stack's side of the lifecycle jobs, then the jobs themselves.

    python -m local.lifecycle migrate --stack dev --tenant acme [--cassandra-port 9042] [-- job options]
    python -m local.lifecycle offboard --stack dev --tenant vandelay [--cassandra-port 9042] [-- job options]

What runtime code must not read comes from the stack here: the tenant directory (the program's `tenants`
output, from a run under mocks, written to build/lifecycle/<stack>/tenants.json), the tenant's place in the
stack config (for the `pulumi config set --path` commands the migration job prints), its tier's offboarding
strategy and the ingest bucket. Options after `--` go to the job as they are: on AWS, e.g.
`-- --region us-east-1 --directory s3://<directory bucket>/tenants/` (the published directory: every slice).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from functions.contracts.cli import run_command
from functions.dal.errors import DalError
from functions.lifecycle import migrate, offboard
from functions.lifecycle.errors import LifecycleError
from local.environment import read_environment
from local.errors import EXPECTED_FAILURES, StackRefusedError
from local.paths import BUILD_DIR, PROJECT_ROOT
from local.stack_file import config_path
from tiers.model import TenantSpec
from tiers.stack_config import StackConfig

LOCAL_CASSANDRA_PORT = 9042


def tenant_spec(config: StackConfig, tenant_id: str) -> TenantSpec:
    """The tenant's entry in the stack config; StackRefusedError if it has none."""
    spec = next((tenant for tenant in config.tenants if tenant.id == tenant_id), None)
    if spec is None:
        raise StackRefusedError(f"tenant {tenant_id!r} is not in the stack config's `tenants`")
    return spec


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
    stack = read_environment(args.stack, args.project_dir, purpose="read")
    spec = tenant_spec(stack.config, args.tenant)
    work = BUILD_DIR / "lifecycle" / args.stack
    work.mkdir(parents=True, exist_ok=True)
    directory = work / "tenants.json"
    directory.write_text(json.dumps(stack.declaration.outputs["tenants"], indent=2) + "\n")
    options = ["--tenant", args.tenant, "--directory", str(directory)]
    if "--region" not in args.job_options:
        options += ["--cassandra-port", str(args.cassandra_port or LOCAL_CASSANDRA_PORT)]
    if args.job == "migrate":
        ledger = work / "migrations" / f"{args.tenant}.json"
        wired = ["--stack", args.stack, "--config-path", config_path(spec), "--ledger", str(ledger)]
        # The user's options last: they win (e.g. --directory s3://..., --ledger).
        return migrate.main([*options, *wired, *args.job_options])
    if any(option.startswith("--strategy") for option in args.job_options):
        raise StackRefusedError("the offboarding strategy comes from the stack config (the tier's `offboarding`)")
    bucket = stack.declaration.outputs["ingestBucket"]
    strategy = stack.config.tiers[spec.tier].offboarding
    receipts = BUILD_DIR / "receipts" / args.stack
    wired = ["--strategy", strategy, "--bucket", bucket, "--receipts", str(receipts)]
    return offboard.main([*options, *wired, *args.job_options])


if __name__ == "__main__":
    run_command(main, (*EXPECTED_FAILURES, LifecycleError, DalError))
