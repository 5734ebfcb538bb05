"""The metering table as the program declares it: beside the events table, over where the Flink job writes the
metering rows, with every column of the row contract read from its key."""

from __future__ import annotations

import json
from typing import Any

from components.analytics.metering_table import METERING_TABLE
from functions.contracts.flink_properties import METERING_BUCKET_KEY, METERING_GROUP
from functions.contracts.metering import COLUMNS, PARTITION_COLUMN
from functions.contracts.s3_layout import METERING_PREFIX
from tests.support.declared import DeclaredPipeline

TABLE = "aws:glue/catalogTable:CatalogTable"


def metering_table(dev: DeclaredPipeline) -> dict[str, Any]:
    (table,) = [t for t in dev.all(TABLE) if t.inputs["name"] == METERING_TABLE]
    return table.inputs


def test_it_is_in_the_analytics_database_beside_the_events_table(dev: DeclaredPipeline) -> None:
    (database,) = dev.all("aws:glue/catalogDatabase:CatalogDatabase")
    tables = {t.inputs["name"]: t.inputs["databaseName"] for t in dev.all(TABLE)}
    assert tables == {"events": database.inputs["name"], METERING_TABLE: database.inputs["name"]}


def test_its_location_is_where_the_job_writes_the_metering_rows(dev: DeclaredPipeline) -> None:
    """The job's Metering property group names the bucket; the table reads that bucket's metering prefix, by day."""
    (application,) = dev.all("aws:kinesisanalyticsv2/application:Application")
    groups = application.inputs["applicationConfiguration"]["environmentProperties"]["propertyGroups"]
    (group,) = [g for g in groups if g["propertyGroupId"] == METERING_GROUP]
    bucket = group["propertyMap"][METERING_BUCKET_KEY]
    inputs = metering_table(dev)
    location = f"s3://{bucket}/{METERING_PREFIX}"
    assert inputs["storageDescriptor"]["location"] == location
    parameters = inputs["parameters"]
    assert parameters["projection.enabled"] == "true"
    assert parameters[f"projection.{PARTITION_COLUMN}.type"] == "date"
    assert parameters["storage.location.template"] == f"{location}{PARTITION_COLUMN}=${{{PARTITION_COLUMN}}}/"
    assert [key["name"] for key in inputs["partitionKeys"]] == [PARTITION_COLUMN]


def test_every_field_of_the_row_is_a_column_read_from_its_key(dev: DeclaredPipeline) -> None:
    descriptor = metering_table(dev)["storageDescriptor"]
    columns = {c["name"]: c["type"] for c in descriptor["columns"]}
    mappings = {
        name.removeprefix("mapping."): key
        for name, key in descriptor["serDeInfo"]["parameters"].items()
        if name.startswith("mapping.")
    }
    assert set(mappings) == set(columns)
    assert sorted((mappings[column], kind) for column, kind in columns.items()) == sorted(COLUMNS)
    assert descriptor["serDeInfo"]["serializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
    json.dumps(descriptor)  # plain data all the way down
