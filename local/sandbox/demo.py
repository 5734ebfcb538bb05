"""`make demo`: the stack's declared resources brought up on local components, driven, and reported.

    python -m local.sandbox.demo [--stack dev] [--events 20] [--run-dir build/demo/<time>]

Every service runs under a run directory (logs included) and is stopped on the way out, whatever
happens; ports are chosen free. See README "make demo" for what each local part stands in for.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from functions.dal import RoleAssumer, TenantDataAccess, TenantDirectory
from local.fake_cloud import ACCOUNT_ID
from local.paths import PROJECT_ROOT
from local.program import run_program
from local.sandbox.declared import DeclaredStack, read_declaration
from local.sandbox.delivery import deliver
from local.sandbox.firehose_buffer import create_delivery_streams, wait_for_records
from local.sandbox.flink_stage import FlinkJob
from local.sandbox.front_door import FrontDoor, FrontDoorServer, kinesis_put_record
from local.sandbox.iam_isolation import pooled_isolation
from local.sandbox.keyspaces import schema_statements
from local.sandbox.ledger import DIRECT_PRODUCER, Ledger
from local.sandbox.local_cloud import LocalCloud, provision
from local.sandbox.report import IsolationCheck, TenantOutcome, render, totals
from local.sandbox.s3_isolation import s3_isolation
from local.sandbox.tenant_data import dal_isolation, row_counts, write_orders
from local.sandbox.throttle import Throttler
from local.sandbox.traffic import TenantTraffic, bad_producer, burst, tenant_traffic
from local.services.cassandra import CassandraNode
from local.services.moto_server import LOCAL_CREDENTIALS, MotoServer
from local.stack_file import read_stack_config
from tiers.naming import Namer


@dataclass(frozen=True)
class DemoSettings:
    stack: str = "dev"
    events_per_tenant: int = 20
    burst: bool = True  # one basic tenant goes past its usage plan's burst limit
    customers: int = 3
    orders_per_customer: int = 4
    run_dir: Path | None = None


@dataclass
class DemoResult:
    outcomes: list[TenantOutcome]
    checks: list[IsolationCheck]
    forged_landed_in_place: bool  # every landed event sits under its token's tenant, whatever its body said

    @property
    def every_accepted_event_landed(self) -> bool:
        return all(o.landed == o.sent - o.refused for o in self.outcomes if o.tenant_id != DIRECT_PRODUCER)

    @property
    def ok(self) -> bool:
        return (
            totals(self.outcomes).lost == 0
            and self.every_accepted_event_landed
            and all(c.holds for c in self.checks)
            and self.forged_landed_in_place
        )


class Steps:
    """The progress display: a spinner per step, then its outcome and duration."""

    def __init__(self, console: Console):
        self.console = console

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        started = time.monotonic()
        with self.console.status(f"[bold]{title}[/]…"):
            try:
                yield
            except BaseException:
                self.console.print(f"[red]✗[/] {title}")
                raise
        self.console.print(f"[green]✓[/] {title} [dim]({time.monotonic() - started:.1f}s)[/]")


def local_environment(endpoint: str) -> None:
    """Every AWS SDK call in this process (the authorizer's SSM, the DAL's STS) goes to moto."""
    os.environ.update(LOCAL_CREDENTIALS)
    os.environ["AWS_ENDPOINT_URL"] = endpoint


def authorizer_handler(stack: DeclaredStack, cloud: LocalCloud, log_path: Path) -> Any:
    """The real Lambda handler, configured as the declared function's environment configures it."""
    os.environ.update(
        {
            "USER_POOL_ID": cloud.user_pool_id,
            "APP_CLIENT_IDS": cloud.app_client_id,
            "AWS_REGION": stack.region,
            "API_KEY_SECRET_PARAMETER": stack.api_key_secret_parameter,
            "JWKS_URL": cloud.jwks_url,  # moto serves the pool's keys itself
        }
    )
    from functions.authorizer import handler as module  # configured at import, as at a cold start
    from functions.authorizer.local import LocalContext
    from functions.authorizer.log import logger

    logger.registered_handler.setStream(log_path.open("a"))  # type: ignore[attr-defined]
    return lambda event: module.handler(event, LocalContext())  # type: ignore[arg-type]


def start_cassandra(run_dir: Path) -> tuple[CassandraNode, threading.Thread, list[BaseException]]:
    """Start Cassandra in the background (it takes the longest) while moto is set up."""
    node = CassandraNode(run_dir / "cassandra")
    errors: list[BaseException] = []

    def start() -> None:
        try:
            node.start()
        except BaseException as error:  # reported by the step that waits for it
            errors.append(error)

    thread = threading.Thread(target=start, name="cassandra-start", daemon=True)
    thread.start()
    return node, thread, errors


def run_demo(settings: DemoSettings, console: Console) -> DemoResult:
    run_dir = settings.run_dir or PROJECT_ROOT / "build" / "demo" / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    run_dir.mkdir(parents=True, exist_ok=True)
    console.print(f"[dim]run directory: {run_dir}[/]")
    steps = Steps(console)
    with ExitStack() as services:
        with steps.step(f"Reading stack {settings.stack!r} from the program under mocks"):
            config = read_stack_config(settings.stack)
            declaration = run_program(settings.stack, config)
            stack = read_declaration(declaration, str(config.get("aws:region", "us-east-1")))
        served = [t for t in stack.tenants if t.active]
        with steps.step("Judging each pooled session and the pooled roles' trust with the IAM evaluator"):
            iam_checks = pooled_isolation(declaration, stack.region, f"{Namer(settings.stack).prefix}-")

        node, cassandra_thread, cassandra_errors = start_cassandra(run_dir)
        services.callback(node.stop)
        with steps.step("Starting moto (Cognito, S3, Kinesis, IAM/STS, SSM) and creating the declared resources"):
            moto = MotoServer(run_dir / "moto.log").start()
            services.callback(moto.stop)
            local_environment(moto.endpoint)
            cloud = provision(stack, moto.endpoint)
            create_delivery_streams(cloud, stack)

        with steps.step("Starting the Flink job as deployed: Kinesis source, enrichment, Firehose sinks"):
            job = FlinkJob(stack.flink_properties, moto.endpoint, run_dir).start()
            services.callback(job.stop)

        ledger = Ledger({t.tenant_id: TenantTraffic(t.tenant_id) for t in served})
        with steps.step(f"Sending events through the front door ({settings.events_per_tenant} per tenant)"):
            authorize = authorizer_handler(stack, cloud, run_dir / "authorizer.log")
            door = FrontDoor(
                method_arn=f"arn:aws:execute-api:{stack.region}:{ACCOUNT_ID}:local/v1/POST/events",
                authorize=authorize,
                limits_by_key=stack.limits_by_key,
                request_schema=stack.request_schema,
                mapping_template=stack.mapping_template,
                put_record=kinesis_put_record(cloud.client("kinesis")),
                throttler=Throttler(),
            )
            with FrontDoorServer(door) as server:
                for n, tenant in enumerate(served):
                    other = served[(n + 1) % len(served)].tenant_id
                    token = cloud.id_token(tenant.tenant_id)
                    ledger.traffic[tenant.tenant_id] = tenant_traffic(
                        server.url, token, tenant.tenant_id, other, settings.events_per_tenant
                    )
                basic = next((t for t in served if t.tier == "basic"), None)
                if settings.burst and basic:
                    limits = stack.limits_by_key[stack.api_keys[basic.tenant_id]]
                    token = cloud.id_token(basic.tenant_id)
                    burst(server.url, token, ledger.traffic[basic.tenant_id], limits.burst_limit)
            ledger.direct = bad_producer(cloud.client("kinesis"), stack.stream_name)

        s3 = cloud.client("s3")
        expected = ledger.on_stream()
        with steps.step(f"Waiting for the Flink job to enrich or reject all {expected} records on the stream"):
            enriched, rejected = wait_for_records(s3, stack, expected, job.check_alive)
            job.stop()

        with steps.step("Delivering through the declared Firehose partitioning into the ingest bucket"):
            deliver(stack.events, enriched, s3, stack.bucket)
            deliver(stack.rejects, rejected, s3, stack.bucket)
            landed = ledger.count_landed(s3, stack)

        with steps.step("Waiting for Cassandra and creating the declared keyspaces and tables"):
            cassandra_thread.join()
            if cassandra_errors:
                raise cassandra_errors[0]
            with node.cql() as admin:
                for statement in schema_statements(stack):
                    admin.execute(statement, timeout=60)

        with steps.step("Writing and reading tenant orders through the DAL"):
            dal = tenant_dal(stack.directory, node.native_port, stack.region)
            services.callback(dal.close)
            rows = {}
            for tenant in served:
                write_orders(dal, tenant, settings.customers, settings.orders_per_customer)
            for tenant in served:
                rows[tenant.tenant_id] = row_counts(dal, tenant, settings.customers)
            checks = dal_isolation(dal, served)

        with steps.step("Checking each premium role against every tenant's prefix (moto enforcing IAM)"):
            premium = [t for t in served if t.role_arn and t.tier == "premium"]
            checks += s3_isolation(cloud, stack.bucket, premium, landed.sample_keys)

    checks += iam_checks

    outcomes = [ledger.outcome(tenant, landed, rows.get(tenant.tenant_id, {})) for tenant in served]
    outcomes.append(ledger.direct_outcome(landed))
    return DemoResult(outcomes, checks, landed.forged_in_place)


def tenant_dal(directory: TenantDirectory, port: int, region: str) -> TenantDataAccess:
    # Tenant roles are assumed through moto's STS, as the DAL does on AWS.
    return TenantDataAccess.local(directory, port, roles=RoleAssumer(region))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.sandbox.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--events", type=int, default=20, help="good events per tenant")
    parser.add_argument("--no-burst", action="store_true", help="skip the burst past a usage plan")
    parser.add_argument("--run-dir", type=Path)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    console = Console() if sys.stdout.isatty() else Console(width=150)
    settings = DemoSettings(
        stack=args.stack, events_per_tenant=args.events, burst=not args.no_burst, run_dir=args.run_dir
    )
    result = run_demo(settings, console)
    summary = totals(result.outcomes)
    console.print(render(result.outcomes, result.checks))
    if not result.every_accepted_event_landed:
        console.print("[bold red]an event the front door accepted did not land in its tenant's prefix[/]")
    if not result.forged_landed_in_place:
        console.print("[bold red]an event landed under a tenant other than its token's[/]")
    if args.json:
        args.json.write_text(json.dumps(result_document(result), indent=2, default=str))
    console.print(summary.line())
    return 0 if result.ok else 1


def result_document(result: DemoResult) -> dict[str, Any]:
    summary = totals(result.outcomes)
    return {
        "tenants": {o.tenant_id: o.__dict__ for o in result.outcomes},
        "isolation": [c.__dict__ | {"expected": c.expected, "holds": c.holds} for c in result.checks],
        "totals": {"sent": summary.sent, "landed": summary.landed, "rejected": summary.rejected, "lost": summary.lost},
        "forgedLandedInPlace": result.forged_landed_in_place,
    }


if __name__ == "__main__":
    sys.exit(main())
