"""`tenant-pipeline`: plan, deploy and change an environment (its platform stack and tenant cells).

    tenant-pipeline plan --env dev [--json [FILE]]        every stack under mocks: no cloud account
    tenant-pipeline preview --env dev                     `pulumi preview` of every stack
    tenant-pipeline up --env dev [--parallel 2] [--force] the platform, then the cells, a progress bar each
    tenant-pipeline onboard newco --tier basic --env dev  a roster entry in a cell with room; deploys that cell
    tenant-pipeline offboard newco --env dev              status offboarded; deploys its cell
    tenant-pipeline move newco --tier premium --env dev [-- JOB OPTIONS]   a tier move, the migration job between steps

README "Deploying an environment" says what each does. An expected failure ends with `error: <message>` and exit 2.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import NoReturn

from rich.console import Console

from functions.contracts.cli import run_command
from local.json_output import add_json_option, json_on_stdout, write_json
from local.paths import PROJECT_ROOT
from orchestrator import lifecycle, moves, rollout
from orchestrator.deploy import DEFAULT_PARALLEL
from orchestrator.errors import EXPECTED_FAILURES
from orchestrator.migration_job import MIGRATE, MigrationJob
from orchestrator.plan import plan, print_plan
from orchestrator.session import Session
from orchestrator.stacks import read_environment
from orchestrator.workspace import EngineOptions

WIDE = 200  # columns for tables written to a pipe or a CI log


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="tenant-pipeline", description=__doc__.splitlines()[0])
    main.add_argument("--project-dir", type=Path, default=PROJECT_ROOT, help="the Pulumi project (default: this one)")
    main.add_argument(
        "--backend", metavar="URL", help="the state backend (default: PULUMI_BACKEND_URL, else `pulumi login`'s)"
    )
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.add_argument("--env", required=True, help="the environment: its settings file is Pulumi.<env>.yaml")
        return sub

    planning = command("plan", "every stack of the environment under Pulumi's mocks (no cloud account)")
    add_json_option(planning, "the plan")
    planning.add_argument("--offline", action="store_true", help="read no backend: plan a first deploy")
    previewing = command("preview", "`pulumi preview` of every stack of the environment")
    previewing.add_argument("--parallel", type=int, default=DEFAULT_PARALLEL, help="stacks previewed at once")
    deploying = command("up", "deploy the environment: the platform, then its cells")
    deploying.add_argument("--parallel", type=int, default=DEFAULT_PARALLEL, help="cells deployed at once")
    deploying.add_argument("--force", action="store_true", help="run every cell, even one deployed as it is")
    onboarding = command("onboard", "add a tenant (in a cell with room) and deploy its cell")
    onboarding.add_argument("tenant")
    onboarding.add_argument("--tier", required=True)
    offboarding = command("offboard", "set a tenant's status offboarded and deploy its cell")
    offboarding.add_argument("tenant")
    moving = command("move", "move a tenant to another tier (between storage models: the migration, step by step)")
    moving.add_argument("tenant")
    moving.add_argument("--tier", required=True)
    moving.add_argument(
        "--migration-job",
        metavar="COMMAND",
        default=shlex.join(MIGRATE),
        help="the migration job's command (default: %(default)s); options after `--` go to it",
    )
    return main


def run(argv: list[str]) -> int:
    cut = argv.index("--") if "--" in argv else len(argv)
    args = parser().parse_args(argv[:cut])
    job_options = argv[cut + 1 :]
    if job_options and args.command != "move":
        parser().error(f"options after `--` are the migration job's (tenant-pipeline move), not {args.command}'s")
    wide = None if sys.stdout.isatty() else WIDE
    session = Session(
        project_dir=args.project_dir.resolve(),
        engine=EngineOptions(backend_url=args.backend),
        parallel=getattr(args, "parallel", DEFAULT_PARALLEL),
        force=getattr(args, "force", False),
        job=MigrationJob(
            command=shlex.split(getattr(args, "migration_job", shlex.join(MIGRATE))), options=tuple(job_options)
        ),
        out=Console(width=wide),
        err=Console(stderr=True, width=None if sys.stderr.isatty() else WIDE),
    )
    purpose = "planned" if args.command == "plan" else "deployed"
    environment = read_environment(args.env, session.project_dir, purpose)
    if args.command == "plan":
        planned = plan(session, environment, use_backend=not args.offline)
        if args.json:
            write_json(planned.document(), args.json)
        if not json_on_stdout(args.json):
            print_plan(session.out, planned)
    elif args.command == "preview":
        rollout.preview(session, environment)
    elif args.command == "up":
        rollout.up(session, environment)
    elif args.command == "onboard":
        lifecycle.onboard(session, environment, args.tenant, args.tier)
    elif args.command == "offboard":
        lifecycle.offboard(session, environment, args.tenant)
    else:
        moves.move(session, environment, args.tenant, args.tier)
    return 0


def main(argv: list[str] | None = None) -> NoReturn:
    """The console script `tenant-pipeline` (pyproject.toml)."""
    run_command(lambda: run(sys.argv[1:] if argv is None else argv), EXPECTED_FAILURES)


if __name__ == "__main__":
    main()
