"""A Glue table's storage for JSON lines read by the OpenX SerDe: what the events table and the metering table
(components/analytics/metering_table.py) share. Their locations, columns and key mappings are their own."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

import pulumi
import pulumi_aws as aws

from components.analytics.catalog import JSON_SERDE, TEXT_INPUT_FORMAT, TEXT_OUTPUT_FORMAT


class TableColumn(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def comment(self) -> str: ...


def json_lines_storage(
    location: pulumi.Input[str], columns: Iterable[TableColumn], serde: Mapping[str, str], *, compressed: bool
) -> aws.glue.CatalogTableStorageDescriptorArgs:
    return aws.glue.CatalogTableStorageDescriptorArgs(
        location=location,
        input_format=TEXT_INPUT_FORMAT,
        output_format=TEXT_OUTPUT_FORMAT,
        compressed=compressed,
        ser_de_info=aws.glue.CatalogTableStorageDescriptorSerDeInfoArgs(
            serialization_library=JSON_SERDE, parameters=dict(serde)
        ),
        columns=[
            aws.glue.CatalogTableStorageDescriptorColumnArgs(name=c.name, type=c.type, comment=c.comment)
            for c in columns
        ],
    )
