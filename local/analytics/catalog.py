"""The analytics catalog as the program declares it: the events table and the tiers' workgroups.

The local Athena (athena.py) and the benchmark read the table from here, so they query with the declared
location template, partition projection and columns, not a second copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from local.errors import DeclarationError
from local.program import Declaration


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Hive type: string, bigint, int, double, boolean
    key: str  # the JSON key it reads (the SerDe's mapping; the name itself without one)


@dataclass(frozen=True)
class Workgroup:
    name: str
    bytes_scanned_cutoff: int
    output_location: str  # its own (a query that names none writes here)


@dataclass(frozen=True)
class EventsTable:
    database: str
    name: str
    columns: tuple[Column, ...]
    partition_keys: tuple[str, ...]
    parameters: dict[str, str]  # projection.*, storage.location.template
    serde: str

    @property
    def qualified(self) -> str:
        return f"{self.database}.{self.name}"

    @property
    def template(self) -> str:
        return self.parameters["storage.location.template"]

    def injected(self) -> list[str]:
        return [key for key in self.partition_keys if self.parameters.get(f"projection.{key}.type") == "injected"]


@dataclass(frozen=True)
class DeclaredAnalytics:
    table: EventsTable
    workgroups: dict[str, Workgroup]  # by tier
    results_bucket: str
    region: str
    account: str

    def workgroup_arn(self, tier: str) -> str:
        return f"arn:aws:athena:{self.region}:{self.account}:workgroup/{self.workgroups[tier].name}"

    def catalog_arns(self) -> list[str]:
        glue = f"arn:aws:glue:{self.region}:{self.account}"
        return [
            f"{glue}:catalog",
            f"{glue}:database/{self.table.database}",
            f"{glue}:table/{self.table.database}/{self.table.name}",
        ]


def read_analytics(declaration: Declaration, region: str, account: str) -> DeclaredAnalytics:
    outputs = declaration.outputs
    tables = [
        t
        for t in declaration.of_type("aws:glue/catalogTable:CatalogTable")
        if t.inputs["name"] == outputs["analyticsTable"]
    ]
    if len(tables) != 1:
        raise DeclarationError(f"expected one declared table {outputs.get('analyticsTable')!r}, found {len(tables)}")
    inputs: dict[str, Any] = tables[0].inputs
    descriptor = inputs["storageDescriptor"]
    serde = descriptor["serDeInfo"]
    mapping = {
        k.removeprefix("mapping."): v for k, v in (serde.get("parameters") or {}).items() if k.startswith("mapping.")
    }
    table = EventsTable(
        database=inputs["databaseName"],
        name=inputs["name"],
        columns=tuple(Column(c["name"], c["type"], mapping.get(c["name"], c["name"])) for c in descriptor["columns"]),
        partition_keys=tuple(key["name"] for key in inputs["partitionKeys"]),
        parameters=dict(inputs["parameters"]),
        serde=serde["serializationLibrary"],
    )
    by_name = {
        w.inputs["name"]: w.inputs["configuration"] for w in declaration.of_type("aws:athena/workgroup:Workgroup")
    }
    workgroups = {
        tier: Workgroup(
            name,
            int(by_name[name]["bytesScannedCutoffPerQuery"]),
            by_name[name]["resultConfiguration"]["outputLocation"],
        )
        for tier, name in outputs["analyticsWorkgroups"].items()
    }
    return DeclaredAnalytics(table, workgroups, outputs["analyticsResultsBucket"], region, account)
