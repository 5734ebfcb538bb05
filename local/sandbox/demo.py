"""`make demo`: the stack's declared resources brought up on local components, driven, and reported.

    python -m local.sandbox.demo [--stack dev] [--events 20] [--run-dir build/demo/<time>]

Every service runs under a run directory (logs included) and is stopped on the way out, whatever
happens; ports are chosen free. See README "make demo" for what each local part stands in for.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.status import Status

from functions.contracts.cli import run_command
from functions.dal import RoleAssumer, TenantDataAccess, TenantDirectory
from local.analytics.catalog import read_analytics
from local.analytics.iam_matrix import analytics_matrix
from local.environment import read_environment
from local.errors import EXPECTED_FAILURES
from local.fake_cloud import ACCOUNT_ID
from local.iam.matrix import read_access
from local.json_output import add_json_option, json_on_stdout, write_json
from local.paths import PROJECT_ROOT
from local.sandbox.declared import DeclaredStack, read_declaration
from local.sandbox.delivery import deliver
from local.sandbox.firehose_buffer import Progress, create_delivery_streams, wait_for_records
from local.sandbox.flink_stage import FlinkJob
from local.sandbox.front_door import FrontDoor, FrontDoorServer, kinesis_put_record
from local.sandbox.iam_isolation import check, pooled_isolation
from local.sandbox.keyspaces import schema_statements
from local.sandbox.ledger import DIRECT_PRODUCER, Ledger
from local.sandbox.lifecycle import LifecycleResult, LiveStack, lifecycle_document, render_lifecycle, run_lifecycle
from local.sandbox.local_cloud import LocalCloud, provision
from local.sandbox.report import IsolationCheck, TenantOutcome, render, totals
from local.sandbox.routing import misrouted, streams_by_tenant
from local.sandbox.run_log import LOG_NAME, python_log
from local.sandbox.s3_isolation import s3_isolation
from local.sandbox.tenant_analytics import TenantQueries, tenant_queries
from local.sandbox.tenant_data import dal_isolation, row_counts, write_orders
from local.sandbox.throttle import Throttler
from local.sandbox.traffic import TenantTraffic, bad_producer, burst, preflight, tenant_traffic
from local.services.cassandra import CassandraNode
from local.services.moto_server import LOCAL_CREDENTIALS, MotoServer

UNLISTED_ORIGIN = "https://not-a-tenant-app.example"  # a page no tenant app serves: its preflight is refused


@dataclass(frozen=True)
class DemoSettings:
    stack: str = "dev"
    events_per_tenant: int = 20
    burst: bool = True  # the served tenant with the smallest burst limit goes past its usage plan's
    lifecycle: bool = True  # two tier moves and an offboarding (local/sandbox/lifecycle.py)
    customers: int = 3
    orders_per_customer: int = 4
    run_dir: Path | None = None
    project_dir: Path = PROJECT_ROOT  # where Pulumi.<stack>.yaml is


@dataclass
class DemoResult:
    stack: str
    outcomes: list[TenantOutcome]  # every served tenant's, then the direct producer's (DIRECT_PRODUCER)
    checks: list[IsolationCheck]
    forged_landed_in_place: bool  # every landed event sits under its token's tenant, whatever its body said
    cors: dict[str, str | None] = field(default_factory=dict)  # origin -> the Allow-Origin its preflight got
    cors_origins: tuple[str, ...] = ()  # the configured ones
    lifecycle: LifecycleResult | None = None  # None: the section was skipped (--no-lifecycle)
    event_streams: tuple[str, ...] = ()  # the declared enriched-events delivery streams, by routing index
    misrouted: dict[str, tuple[str, ...]] = field(default_factory=dict)  # tenant -> streams, when not its own
    analytics: dict[str, TenantQueries] = field(default_factory=dict)  # served tenant -> its SQL over its events

    @property
    def analytics_holds(self) -> bool:
        """Every served tenant's query counted what landed for it, and its query for another was refused."""
        served = [o.tenant_id for o in self.outcomes if o.tenant_id != DIRECT_PRODUCER]
        return all(t in self.analytics and self.analytics[t].holds for t in served)

    # The environment's stacks as deployed here (the platform, then each cell) and the tenants each holds.
    stacks: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)  # (name, kind, tenants)

    @property
    def tenants_by_stream(self) -> dict[str, list[str]]:
        """Each declared delivery stream and the tenants whose events came through it."""
        return {
            stream: [o.tenant_id for o in self.outcomes if stream in o.delivery_streams]
            for stream in self.event_streams
        }

    @property
    def routing_holds(self) -> bool:
        """Every tenant's enriched events came through its own delivery stream only (local/sandbox/routing.py)."""
        return not self.misrouted

    @property
    def cors_holds(self) -> bool:
        """Each configured origin is allowed as itself, any other origin is not."""
        return all((allowed == origin) is (origin in self.cors_origins) for origin, allowed in self.cors.items())

    @property
    def every_accepted_event_landed(self) -> bool:
        return all(o.landed == o.sent - o.refused for o in self.outcomes if o.tenant_id != DIRECT_PRODUCER)

    @property
    def ok(self) -> bool:
        return (
            totals(self.outcomes).lost == 0
            and self.every_accepted_event_landed
            and self.isolation_holds
            and self.forged_landed_in_place
            and self.cors_holds
            and self.routing_holds
            and self.analytics_holds
            and (self.lifecycle is None or self.lifecycle.ok)
        )

    @property
    def isolation_holds(self) -> bool:
        return all(c.holds for c in self.checks)


class Step:
    """One step on the display; `update` shows how far it has got, beside its spinner and on its outcome line."""

    def __init__(self, title: str, status: Status):
        self.title = title
        self.status = status
        self.detail = ""

    def update(self, detail: str) -> None:
        self.detail = detail
        self.status.update(f"[bold]{self.title}[/]… {detail}")


class Steps:
    """The progress display: a spinner per step, then its outcome and duration."""

    def __init__(self, console: Console):
        self.console = console

    @contextmanager
    def step(self, title: str) -> Iterator[Step]:
        started = time.monotonic()
        with self.console.status(f"[bold]{title}[/]…") as status:
            step = Step(title, status)
            try:
                yield step
            except BaseException:
                self.console.print(f"[red]✗[/] {title}" + (f" [dim]({step.detail})[/]" if step.detail else ""))
                raise
        detail = f"{step.detail}, " if step.detail else ""
        self.console.print(f"[green]✓[/] {title} [dim]({detail}{time.monotonic() - started:.1f}s)[/]")


def records_written(step: Step) -> Progress:
    return lambda written, expected: step.update(f"{written}/{expected} records through the job")


def local_environment(endpoint: str) -> None:
    """Every AWS SDK call in this process (the authorizer's SSM, the DAL's STS) goes to moto."""
    os.environ.update(LOCAL_CREDENTIALS)
    os.environ["AWS_ENDPOINT_URL"] = endpoint


def authorizer_environment(stack: DeclaredStack, cloud: LocalCloud) -> dict[str, str]:
    """The authorizer's environment as the declared function sets it, pointed at the local pool."""
    return {
        "USER_POOL_ID": cloud.user_pool_id,
        "APP_CLIENT_IDS": cloud.app_client_id,
        "AWS_REGION": stack.region,
        "API_KEY_SECRET_PARAMETER": stack.api_key_secret_parameter,
        "TENANT_DIRECTORY_BUCKET": stack.directory_bucket,
        "TENANT_DIRECTORY_PREFIX": stack.directory_prefix,
        "JWKS_URL": cloud.jwks_url,  # moto serves the pool's keys itself
    }


def authorizer_handler(stack: DeclaredStack, cloud: LocalCloud, log_path: Path) -> Any:
    """The real Lambda handler, configured as the declared function's environment configures it."""
    os.environ.update(authorizer_environment(stack, cloud))
    from functions.authorizer import handler as module  # configured at import, as at a cold start
    from functions.authorizer.local import LocalContext
    from functions.authorizer.log import logger

    logger.registered_handler.setStream(log_path.open("a"))  # type: ignore[attr-defined]
    return lambda event: module.handler(event, LocalContext())  # type: ignore[arg-type]


def declared_front_door(stack: DeclaredStack, cloud: LocalCloud, authorize: Any) -> FrontDoor:
    """`POST /events` as the stack declares it, writing to moto's Kinesis."""
    return FrontDoor(
        method_arn=f"arn:aws:execute-api:{stack.region}:{ACCOUNT_ID}:local/v1/POST/events",
        authorize=authorize,
        limits_by_key=stack.limits_by_key,
        request_schema=stack.request_schema,
        mapping_template=stack.mapping_template,
        put_record=kinesis_put_record(cloud.client("kinesis")),
        throttler=Throttler(),
        responses=stack.responses,
        preflight_response=stack.preflight_response,
        gateway_responses=stack.gateway_responses,
    )


def start_local_cloud(stack: DeclaredStack, run_dir: Path, services: ExitStack) -> tuple[MotoServer, LocalCloud]:
    """moto with the declared resources created, this process's AWS SDK calls pointed at it; stopped with `services`."""
    moto = MotoServer(run_dir / "moto.log").start()
    services.callback(moto.stop)
    local_environment(moto.endpoint)
    cloud = provision(stack, moto.endpoint)
    create_delivery_streams(cloud, stack)
    return moto, cloud


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


def create_declared_schema(
    node: CassandraNode, started: threading.Thread, errors: list[BaseException], stack: DeclaredStack
) -> None:
    """Once the node start_cassandra started is up (or its failure raised): the declared keyspaces and tables."""
    started.join()
    if errors:
        raise errors[0]
    with node.cql() as admin:
        for statement in schema_statements(stack):
            admin.execute(statement, timeout=60)


def run_demo(settings: DemoSettings, console: Console) -> DemoResult:
    steps = Steps(console)
    with steps.step(f"Reading stack {settings.stack!r} from the program under mocks"):
        # Before anything starts: a missing or refused stack ends the demo with its message alone.
        read = read_environment(settings.stack, settings.project_dir, purpose="run")
        stack = read_declaration(read.declaration, read.config.region)
    run_dir = settings.run_dir or PROJECT_ROOT / "build" / "demo" / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    run_dir.mkdir(parents=True, exist_ok=True)
    console.print(f"[dim]run directory: {run_dir} (Python's log records: {LOG_NAME})[/]")
    with ExitStack() as services:
        services.enter_context(python_log(run_dir))
        served = [t for t in stack.tenants if t.active]
        with steps.step("Judging each pooled session and the pooled roles' trust with the IAM evaluator"):
            iam_checks = pooled_isolation(read.declaration, stack.region, f"{read.config.namer.prefix}-")
        with steps.step("Judging every tenant's analytics (events, results, workgroups) with the IAM evaluator"):
            access = read_access(read.declaration, stack.region)
            analytics = read_analytics(read.declaration, stack.region, ACCOUNT_ID)
            name_prefix = f"{read.config.namer.prefix}-"
            iam_checks += [check(c, c.role.removeprefix(name_prefix)) for c in analytics_matrix(access, analytics)]

        node, cassandra_thread, cassandra_errors = start_cassandra(run_dir)
        services.callback(node.stop)
        with steps.step("Starting moto (Cognito, S3, Kinesis, IAM/STS, SSM) and creating the declared resources"):
            moto, cloud = start_local_cloud(stack, run_dir, services)

        with steps.step("Starting the Flink job as deployed: Kinesis source, enrichment, Firehose sinks"):
            job = FlinkJob(stack.flink_properties, moto.endpoint, run_dir).start()
            services.callback(job.stop)

        ledger = Ledger({t.tenant_id: TenantTraffic(t.tenant_id) for t in served})
        with steps.step(f"Sending events through the front door ({settings.events_per_tenant} per tenant)"):
            authorize = authorizer_handler(stack, cloud, run_dir / "authorizer.log")
            door = declared_front_door(stack, cloud, authorize)
            with FrontDoorServer(door) as server:
                for n, tenant in enumerate(served):
                    other = served[(n + 1) % len(served)].tenant_id
                    token = cloud.id_token(tenant.tenant_id)
                    ledger.traffic[tenant.tenant_id] = tenant_traffic(
                        server.url, token, tenant.tenant_id, other, settings.events_per_tenant
                    )
                origins = tuple(read.config.ingest.cors_origins)
                cors = {origin: preflight(server.url, origin) for origin in (*origins, UNLISTED_ORIGIN)}
                if settings.burst and served:
                    # The cheapest to push past its plan: the first served tenant of the smallest burst limit.
                    bursting = min(served, key=lambda t: stack.limits_by_key[stack.api_keys[t.tenant_id]].burst_limit)
                    limits = stack.limits_by_key[stack.api_keys[bursting.tenant_id]]
                    token = cloud.id_token(bursting.tenant_id)
                    burst(server.url, token, ledger.traffic[bursting.tenant_id], limits.burst_limit)
            ledger.direct = bad_producer(cloud.client("kinesis"), stack.stream_name)

        s3 = cloud.client("s3")
        expected = ledger.on_stream()
        with steps.step(f"Waiting for the Flink job to enrich or reject all {expected} records on the stream") as step:
            # What has reached moto's Firehose buffer bucket, against what was put on the stream.
            enriched, rejected = wait_for_records(
                s3, stack.event_streams, stack.rejects, expected, job.check_alive, progress=records_written(step)
            )
            job.stop()
        routing = streams_by_tenant(enriched)
        event_streams = tuple(stream.name for stream in stack.event_streams)

        with steps.step("Delivering through the declared Firehose partitioning into the ingest bucket"):
            for stream in stack.event_streams:
                deliver(stream, enriched[stream.name], s3, stack.bucket)
            deliver(stack.rejects, rejected, s3, stack.bucket)
            landed = ledger.count_landed(s3, stack)

        with steps.step("Waiting for Cassandra and creating the declared keyspaces and tables"):
            create_declared_schema(node, cassandra_thread, cassandra_errors, stack)

        with steps.step("Writing and reading tenant orders through the DAL"):
            dal = tenant_dal(stack.directory, node.native_port, stack.region)
            services.callback(dal.close)
            rows = {}
            for tenant in served:
                write_orders(dal, tenant, settings.customers, settings.orders_per_customer)
            for tenant in served:
                rows[tenant.tenant_id] = row_counts(dal, tenant, settings.customers)
            checks = dal_isolation(dal, served)

        with steps.step("Checking each silo tenant's role against every tenant's prefix (moto enforcing IAM)"):
            siloed = [t for t in served if t.role_arn and not t.pooled]
            checks += s3_isolation(cloud, stack.bucket, siloed, landed.sample_keys)

        with steps.step("Each tenant queries its own events with SQL (local Athena: DataFusion, IAM-judged)"):
            queries = tenant_queries(cloud, access, analytics, served, dict(landed.landed))

        lifecycle = None
        if settings.lifecycle:
            with steps.step(
                "Tenant lifecycle: a tier move each way while the tenants write, then an offboarding"
            ) as step:
                live = LiveStack(read, node, cloud, run_dir / "stacks")
                lifecycle = run_lifecycle(live, stack, node.native_port, run_dir, say=step.update)

    checks += iam_checks

    outcomes = [ledger.outcome(tenant, landed, rows.get(tenant.tenant_id, {})) for tenant in served]
    for outcome in outcomes:
        outcome.delivery_streams = routing.get(outcome.tenant_id, ())
    outcomes.append(ledger.direct_outcome(landed))
    return DemoResult(
        settings.stack,
        outcomes,
        checks,
        landed.forged_in_place,
        cors,
        origins,
        lifecycle=lifecycle,
        event_streams=event_streams,
        misrouted=misrouted(routing, event_streams),
        analytics={q.tenant_id: q for q in queries},
        stacks=[
            (run.stack, run.kind, () if run.cell is None else read.config.cell_loads[run.cell].tenants)
            for run in read.stacks
        ],
    )


def tenant_dal(directory: TenantDirectory, port: int, region: str, **options: Any) -> TenantDataAccess:
    # Tenant roles are assumed through moto's STS, as the DAL does on AWS.
    return TenantDataAccess.local(directory, port, roles=RoleAssumer(region), **options)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.sandbox.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--events", type=int, default=20, help="good events per tenant")
    parser.add_argument("--no-burst", action="store_true", help="skip the burst past a usage plan")
    parser.add_argument("--no-lifecycle", action="store_true", help="skip the tier moves and the offboarding")
    parser.add_argument("--run-dir", type=Path)
    add_json_option(parser, "the results")
    parser.add_argument("--project-dir", type=Path, default=PROJECT_ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # With the JSON on stdout, the steps and the report go to stderr.
    stderr = json_on_stdout(args.json)
    console = (
        Console(stderr=stderr) if (sys.stderr if stderr else sys.stdout).isatty() else Console(width=150, stderr=stderr)
    )
    settings = DemoSettings(
        stack=args.stack,
        events_per_tenant=args.events,
        burst=not args.no_burst,
        lifecycle=not args.no_lifecycle,
        run_dir=args.run_dir,
        project_dir=args.project_dir,
    )
    result = run_demo(settings, console)
    console.print(render(result.outcomes, result.checks))
    if result.lifecycle is not None:
        console.print(render_lifecycle(result.lifecycle))
        if not result.lifecycle.ok:
            console.print("[bold red]a tier move lost or left rows, or the offboarded tenant's data remains[/]")
    if not result.every_accepted_event_landed:
        console.print("[bold red]an event the front door accepted did not land in its tenant's prefix[/]")
    if not result.forged_landed_in_place:
        console.print("[bold red]an event landed under a tenant other than its token's[/]")
    for stream, tenants in result.tenants_by_stream.items():
        console.print(f"delivery stream {stream}: {', '.join(tenants) or 'no tenant'}")
    if not result.routing_holds:
        console.print(f"[bold red]events came through another tenant's delivery stream: {result.misrouted}[/]")
    for origin, allowed in result.cors.items():
        console.print(f"CORS preflight from {origin}: {'allowed' if allowed else 'refused'}")
    for tenant_id, queried in result.analytics.items():
        console.print(
            f"analytics {tenant_id}: queried={queried.queried} landed={queried.landed} "
            f"other tenant's partition: {'refused' if queried.refused_other else 'ANSWERED'} ({queried.refusal})"
        )
    if not result.analytics_holds:
        console.print("[bold red]a tenant's SQL did not count what landed for it, or reached another tenant[/]")
    if not result.cors_holds:
        console.print("[bold red]a CORS preflight was answered other than the configured origins say[/]")
    if args.json:
        write_json(result_document(result), args.json)
    console.print(totals(result.outcomes).line())
    return 0 if result.ok else 1


# The shape of `--json`, documented in README "Machine-readable output"; raised when a field changes meaning.
DEMO_FORMAT = 1


def result_document(result: DemoResult) -> dict[str, Any]:
    summary = totals(result.outcomes)
    direct = [o for o in result.outcomes if o.tenant_id == DIRECT_PRODUCER]
    return {
        "format": DEMO_FORMAT,
        "stack": result.stack,
        "ok": result.ok,
        "tenants": [
            {**outcome_entry(o), "analytics": analytics_entry(result, o.tenant_id)}
            for o in result.outcomes
            if o.tenant_id != DIRECT_PRODUCER
        ],
        "straightToStream": {
            "sent": sum(o.sent for o in direct),
            "landed": sum(o.landed for o in direct),
            "rejected": sum(o.rejected for o in direct),
        },
        "isolation": [
            {
                "kind": c.kind,
                "principal": c.principal,
                "target": c.target,
                "allowed": c.allowed,
                "expected": c.expected,
                "holds": c.holds,
            }
            for c in result.checks
        ],
        "totals": {
            "sent": summary.sent,
            "landed": summary.landed,
            "refused": summary.refused,
            "rejected": summary.rejected,
            "lost": summary.lost,
        },
        "checks": {
            "everyAcceptedEventLanded": result.every_accepted_event_landed,
            "forgedLandedInPlace": result.forged_landed_in_place,
            "isolationHolds": result.isolation_holds,
            "corsHolds": result.cors_holds,
            "routingHolds": result.routing_holds,
            "analyticsHolds": result.analytics_holds,
        },
        "deliveryStreams": result.tenants_by_stream,
        # The platform and each cell the environment was brought up as, with the tenants each declares.
        "stacks": [{"name": name, "kind": kind, "tenants": list(tenants)} for name, kind, tenants in result.stacks],
        "cors": {"preflight": result.cors, "configured": list(result.cors_origins)},
        "lifecycle": None if result.lifecycle is None else lifecycle_document(result.lifecycle),
    }


def analytics_entry(result: DemoResult, tenant_id: str) -> dict[str, Any] | None:
    queries = result.analytics.get(tenant_id)
    return None if queries is None else queries.to_json()


def outcome_entry(outcome: TenantOutcome) -> dict[str, Any]:
    return {
        "id": outcome.tenant_id,
        "tier": outcome.tier,
        "sent": outcome.sent,
        "landed": outcome.landed,
        "refused": outcome.refused,
        "rejected": outcome.rejected,
        "answers": {str(status): count for status, count in sorted(outcome.answers.items())},
        "deliveryStreams": list(outcome.delivery_streams),
        "s3Prefix": outcome.s3_prefix,
        "keyspace": outcome.keyspace,
        "rows": dict(sorted(outcome.rows.items())),
    }


if __name__ == "__main__":
    run_command(main, EXPECTED_FAILURES)
