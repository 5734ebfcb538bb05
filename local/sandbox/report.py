"""The demo's closing report: per tenant what happened to its events and data, the isolation matrix,
and the one line that says whether anything was lost."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Group
from rich.table import Table


@dataclass
class TenantOutcome:
    tenant_id: str
    tier: str
    sent: int = 0  # requests made to the front door (or records written straight to the stream)
    landed: int = 0  # enriched events found in S3 under the tenant's prefix
    rejected: int = 0  # records the pipeline rejected (errors/ prefix), attributed to the tenant
    refused: int = 0  # requests the front door refused (401/400/413/429): never entered the pipeline
    s3_prefix: str = ""
    keyspace: str = ""
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows the tenant sees through the DAL
    answers: dict[int, int] = field(default_factory=dict)  # front door HTTP status -> count
    delivery_streams: tuple[str, ...] = ()  # the Firehose streams its enriched events came through


@dataclass(frozen=True)
class IsolationCheck:
    principal: str  # whose credentials or DAL context
    target: str  # whose data
    kind: str  # "s3", "dal", or the IAM evaluator's "iam-trust", "iam-s3", "iam-keyspaces"
    allowed: bool
    should_allow: bool | None = None  # None: allowed exactly when principal and target are the same tenant

    @property
    def expected(self) -> bool:
        return self.principal == self.target if self.should_allow is None else self.should_allow

    @property
    def holds(self) -> bool:
        return self.allowed == self.expected


@dataclass
class Totals:
    sent: int
    landed: int
    refused: int  # refused at the front door (401/400/429): never entered the pipeline
    rejected: int  # rejected by the pipeline (the errors/ prefix)

    @property
    def lost(self) -> int:
        """Neither landed nor accounted for as refused or rejected."""
        return self.sent - self.landed - self.refused - self.rejected

    def line(self) -> str:
        return f"sent={self.sent} landed={self.landed} refused={self.refused} rejected={self.rejected} lost={self.lost}"


def totals(outcomes: list[TenantOutcome]) -> Totals:
    return Totals(
        sent=sum(o.sent for o in outcomes),
        landed=sum(o.landed for o in outcomes),
        refused=sum(o.refused for o in outcomes),
        rejected=sum(o.rejected for o in outcomes),
    )


def tenant_table(outcomes: list[TenantOutcome]) -> Table:
    table = Table(title="Per tenant", title_justify="left")
    for column in (
        "tenant",
        "tier",
        "sent",
        "landed",
        "rejected",
        "refused",
        "delivery stream",
        "S3 prefix",
        "keyspace",
        "rows via the DAL",
    ):
        table.add_column(column, justify="right" if column in ("sent", "landed", "rejected", "refused") else "left")
    for o in outcomes:
        rows = ", ".join(f"{name}={count}" for name, count in sorted(o.rows.items()))
        table.add_row(
            o.tenant_id,
            o.tier,
            str(o.sent),
            str(o.landed),
            str(o.rejected),
            str(o.refused),
            ", ".join(o.delivery_streams),
            o.s3_prefix,
            o.keyspace,
            rows,
        )
    return table


def isolation_table(checks: list[IsolationCheck], kind: str, title: str, corner: str = "principal \\ data of") -> Table:
    principals = sorted({c.principal for c in checks if c.kind == kind})
    targets = sorted({c.target for c in checks if c.kind == kind})
    cells = {(c.principal, c.target): c for c in checks if c.kind == kind}
    table = Table(title=title, title_justify="left")
    table.add_column(corner)
    for target in targets:
        table.add_column(target, justify="center")
    for principal in principals:
        row = []
        for target in targets:
            check = cells.get((principal, target))
            if check is None:
                row.append("")
                continue
            word = "allowed" if check.allowed else "denied"
            row.append(f"[green]{word}[/]" if check.holds else f"[bold red]{word} (WRONG)[/]")
        table.add_row(principal, *row)
    return table


def render(outcomes: list[TenantOutcome], checks: list[IsolationCheck]) -> Group:
    return Group(
        tenant_table(outcomes),
        isolation_table(checks, "s3", "Isolation: each silo tenant's role against every tenant's S3 prefix"),
        isolation_table(
            checks,
            "iam-trust",
            "Isolation (IAM evaluator): may the application assume each pooled role with each TenantId tag",
            corner="role \\ session tag",
        ),
        isolation_table(
            checks,
            "iam-s3",
            "Isolation (IAM evaluator): each pooled session (tag @ role) against every tenant's S3 prefix "
            "(GetObject, ListBucket); a session its role's trust refuses reaches nothing",
        ),
        isolation_table(
            checks,
            "iam-keyspaces",
            "Isolation (IAM evaluator): each pooled session against every tenant's tables (Select, Modify); "
            "pooled tenants share the pooled tables, whose rows the DAL isolates (below)",
        ),
        isolation_table(checks, "dal", "Isolation: each tenant's DAL context against every other tenant's data"),
        *(
            isolation_table(checks, f"iam-{kind}", f"Analytics (IAM evaluator): each tenant's session against {what}")
            for kind, what in (
                ("analytics-data", "every tenant's events, as a query naming it lists and reads them"),
                ("analytics-results", "every tenant's query results prefix (write, read)"),
                ("analytics-workgroup", "every tier's workgroup (StartQueryExecution)"),
            )
        ),
    )
