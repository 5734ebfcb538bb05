"""Where records come from and go to, as Flink table DDL: local files, or Kinesis and Firehose.

Every source is a table with one STRING column `line` (the raw record, format 'raw'); every sink
takes one STRING column (a JSON document per record). The same SQL runs between any of them. (The metering
sink is functions/flink/metering.py's.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from functions.flink.errors import JobConfigurationError

INITIAL_POSITIONS = ("TRIM_HORIZON", "LATEST")


def _with(options: dict[str, str]) -> str:
    return ", ".join(f"'{key}' = '{value}'" for key, value in options.items())


def _endpoint_options(endpoint: str | None) -> dict[str, str]:
    """Options pointing an AWS client at a local emulator (moto) instead of the region's endpoint."""
    if not endpoint:
        return {}
    return {"aws.endpoint": endpoint, "aws.trust.all.certificates": "true"}


def stream_name_from_arn(stream_arn: str) -> str:
    """arn:aws:kinesis:<region>:<account>:stream/<name> -> <name>."""
    prefix, _, name = stream_arn.partition(":stream/")
    if not prefix.startswith("arn:aws:kinesis:") or not name:
        raise JobConfigurationError(f"not a Kinesis stream ARN: {stream_arn!r}")
    return name


@dataclass(frozen=True)
class FileSource:
    """Newline-delimited records in a file (or a directory of files); every line is one record."""

    path: str

    def ddl(self, table: str) -> str:
        return f"CREATE TEMPORARY TABLE {table} (line STRING) WITH ({_with(self.options())})"

    def options(self) -> dict[str, str]:
        return {"connector": "filesystem", "path": self.path, "format": "raw"}


@dataclass(frozen=True)
class KinesisSource:
    """A Kinesis data stream, read by the connector's 'kinesis' table source (polling GetRecords)."""

    stream_arn: str
    region: str
    initial_position: str = "TRIM_HORIZON"
    endpoint: str | None = None  # e.g. moto's http://127.0.0.1:<port>
    extra: dict[str, str] = field(default_factory=dict)  # further 'scan.*' / 'aws.*' connector options

    def __post_init__(self) -> None:
        stream_name_from_arn(self.stream_arn)
        if not self.region:
            raise JobConfigurationError("the Kinesis source needs aws.region")
        if self.initial_position not in INITIAL_POSITIONS:
            raise JobConfigurationError(
                f"initial.position must be one of {INITIAL_POSITIONS}, not {self.initial_position!r}"
            )

    def ddl(self, table: str) -> str:
        return f"CREATE TEMPORARY TABLE {table} (line STRING) WITH ({_with(self.options())})"

    def options(self) -> dict[str, str]:
        return {
            "connector": "kinesis",
            "stream": stream_name_from_arn(self.stream_arn),
            "aws.region": self.region,
            "scan.stream.initpos": self.initial_position,
            "format": "raw",
            **_endpoint_options(self.endpoint),
            **self.extra,
        }


@dataclass(frozen=True)
class FileSink:
    """Newline-delimited JSON files under a directory (part files, committed at checkpoints)."""

    path: str

    def ddl(self, table: str) -> str:
        return f"CREATE TEMPORARY TABLE {table} (record STRING) WITH ({_with(self.options())})"

    def options(self) -> dict[str, str]:
        return {"connector": "filesystem", "path": self.path, "format": "raw"}


@dataclass(frozen=True)
class FirehoseSink:
    """A Firehose delivery stream, one record per JSON document."""

    delivery_stream: str
    region: str
    endpoint: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.delivery_stream:
            raise JobConfigurationError("the Firehose sink needs delivery.stream.name")
        if not self.region:
            raise JobConfigurationError("the Firehose sink needs aws.region")

    def ddl(self, table: str) -> str:
        return f"CREATE TEMPORARY TABLE {table} (record STRING) WITH ({_with(self.options())})"

    def options(self) -> dict[str, str]:
        local = {"sink.http-client.protocol.version": "HTTP1_1"} if self.endpoint else {}
        return {
            "connector": "firehose",
            "delivery-stream": self.delivery_stream,
            "aws.region": self.region,
            "format": "raw",
            **_endpoint_options(self.endpoint),
            **local,
            **self.extra,
        }


Source = FileSource | KinesisSource
Sink = FileSink | FirehoseSink
