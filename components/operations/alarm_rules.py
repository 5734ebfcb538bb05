"""Every alarm of the platform as data: which metric (namespace, name, dimensions, statistic) of which resource,
compared how with which threshold (tiers/alarms.py), over which periods. Pure functions of resource names and
the stack's settings; the component (operations.py) declares one aws.cloudwatch.MetricAlarm per rule, the
dashboard (dashboard.py) draws the same metrics.

The metrics, as AWS documents them (names, namespaces and dimensions are case sensitive):
- Kinesis Data Streams, `AWS/Kinesis` by `StreamName`: `GetRecords.IteratorAgeMilliseconds` (Maximum: the
  consumer's lag), `WriteProvisionedThroughputExceeded` (Sum: records throttled), `IncomingRecords` (Sum).
- Managed Service for Apache Flink, `AWS/KinesisAnalytics` by `Application` (the application's name):
  `downtime` (ms failing or restarting; 0 when running; AWS recommends alarming on Average > 0),
  `numberOfFailedCheckpoints` and `fullRestarts` (counts since the job started: AWS recommends alarming on
  their RATE, the increase). Flink 1.20 (the job's runtime) reports both; Flink 2.2 renames fullRestarts.
- Firehose, `AWS/Firehose` by `DeliveryStreamName`: `DeliveryToS3.DataFreshness` (Maximum, seconds: the oldest
  record not yet in S3), `DeliveryToS3.Success` (Average: successful S3 puts over all puts),
  `PartitionCountExceeded` (1 while dynamic partitioning is over the active partitions limit, else 0),
  `IncomingRecords` (Sum).
- Lambda, `AWS/Lambda` by `FunctionName`: `Errors`, `Invocations`, `Throttles` (Sum), `Duration` (p99).
- API Gateway REST, `AWS/ApiGateway` by `ApiName` and `Stage`: `5XXError` (Average: the share of requests).
- Amazon Keyspaces, `AWS/Cassandra` by `Keyspace`, `TableName` and `Operation` (the CQL statement: INSERT,
  UPDATE, DELETE, SELECT): `WriteThrottleEvents`, `ReadThrottleEvents`,
  `StoragePartitionThroughputCapacityExceeded` (Sum).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tiers import alarms
from tiers.alarms import AlarmSettings

KINESIS = "AWS/Kinesis"
FLINK = "AWS/KinesisAnalytics"
FIREHOSE = "AWS/Firehose"
LAMBDA = "AWS/Lambda"
API_GATEWAY = "AWS/ApiGateway"
KEYSPACES = "AWS/Cassandra"

GREATER = "GreaterThanThreshold"
LESS = "LessThanThreshold"
NOT_BREACHING = "notBreaching"
BREACHING = "breaching"

MINUTE = 60
FIVE_MINUTES = 300

# Keyspaces reports its per-table metrics per CQL operation; an alarm names each dimension set it watches.
WRITE_OPERATIONS = ("INSERT", "UPDATE", "DELETE")
READ_OPERATIONS = ("SELECT",)


@dataclass(frozen=True)
class Metric:
    id: str  # the metric's id in the alarm's metric math (m1, m2, ...)
    namespace: str
    name: str
    dimensions: Mapping[str, str]
    statistic: str  # Sum, Average, Maximum, or a percentile (p99)
    period: int = FIVE_MINUTES

    @property
    def percentile(self) -> bool:
        return self.statistic.startswith("p")


@dataclass(frozen=True)
class AlarmRule:
    role: str  # the alarm's part of its name, unique in the stack
    description: str
    metrics: tuple[Metric, ...]
    comparison: str
    threshold: float
    evaluation_periods: int = 1
    datapoints_to_alarm: int = 1
    treat_missing_data: str = NOT_BREACHING
    expression: str | None = None  # metric math over the metrics' ids; None: the one metric itself
    label: str = ""  # what the expression computes, for the dashboard


def _describe(key: str, subject: str) -> str:
    threshold = alarms.THRESHOLD_BY_KEY[key]
    return f"{subject}: {threshold.meaning} (tenant-pipeline:alarms.{key}, {threshold.unit})"


def stream_alarms(stream_name: str, settings: AlarmSettings) -> list[AlarmRule]:
    """The event stream: the Flink job's lag behind it, and writes Kinesis throttled."""
    stream = {"StreamName": stream_name}
    return [
        AlarmRule(
            role="stream-iterator-age",
            description=_describe(alarms.ITERATOR_AGE, f"Kinesis {stream_name}"),
            metrics=(Metric("m1", KINESIS, "GetRecords.IteratorAgeMilliseconds", stream, "Maximum", MINUTE),),
            comparison=GREATER,
            threshold=settings[alarms.ITERATOR_AGE] * 1000,
            evaluation_periods=5,
            datapoints_to_alarm=5,  # five minutes behind in a row: not a restore's catch-up blip
        ),
        AlarmRule(
            role="stream-write-throttles",
            description=_describe(alarms.WRITE_THROTTLES, f"Kinesis {stream_name}"),
            metrics=(Metric("m1", KINESIS, "WriteProvisionedThroughputExceeded", stream, "Sum"),),
            comparison=GREATER,
            threshold=settings[alarms.WRITE_THROTTLES],
        ),
    ]


def _increase(metric: Metric) -> str:
    """Metric math: how much a cumulative count grew in one period (RATE is per second)."""
    return f"RATE({metric.id}) * PERIOD({metric.id})"


def flink_alarms(application_name: str, settings: AlarmSettings) -> list[AlarmRule]:
    """The Flink application: downtime, failed checkpoints, restarts."""
    application = {"Application": application_name}
    checkpoints = Metric("m1", FLINK, "numberOfFailedCheckpoints", application, "Maximum")
    restarts = Metric("m1", FLINK, "fullRestarts", application, "Maximum")
    subject = f"Flink application {application_name}"
    return [
        AlarmRule(
            role="flink-downtime",
            description=_describe(alarms.FLINK_DOWNTIME, subject),
            metrics=(Metric("m1", FLINK, "downtime", application, "Average", MINUTE),),
            comparison=GREATER,
            threshold=settings[alarms.FLINK_DOWNTIME] * 1000,
            treat_missing_data=BREACHING,  # an application that reports nothing is not running
        ),
        AlarmRule(
            role="flink-failed-checkpoints",
            description=_describe(alarms.FAILED_CHECKPOINTS, subject),
            metrics=(checkpoints,),
            expression=_increase(checkpoints),
            label="failed checkpoints per period",
            comparison=GREATER,
            threshold=settings[alarms.FAILED_CHECKPOINTS],
        ),
        AlarmRule(
            role="flink-restarts",
            description=_describe(alarms.FLINK_RESTARTS, subject),
            metrics=(restarts,),
            expression=_increase(restarts),
            label="restarts per period",
            comparison=GREATER,
            threshold=settings[alarms.FLINK_RESTARTS],
        ),
    ]


def delivery_alarms(role: str, stream_name: str, settings: AlarmSettings, *, partitioned: bool) -> list[AlarmRule]:
    """A Firehose delivery stream (`role`: its part of the names, e.g. delivery-events-1): records waiting,
    failed S3 puts, and for a dynamically partitioned one, more active partitions than its limit."""
    stream = {"DeliveryStreamName": stream_name}
    subject = f"Firehose {stream_name}"
    rules = [
        AlarmRule(
            role=f"{role}-freshness",
            description=_describe(alarms.DELIVERY_FRESHNESS, subject),
            metrics=(Metric("m1", FIREHOSE, "DeliveryToS3.DataFreshness", stream, "Maximum"),),
            comparison=GREATER,
            threshold=settings[alarms.DELIVERY_FRESHNESS],
        ),
        AlarmRule(
            role=f"{role}-failures",
            description=_describe(alarms.DELIVERY_SUCCESS, subject),
            metrics=(Metric("m1", FIREHOSE, "DeliveryToS3.Success", stream, "Average"),),
            comparison=LESS,
            threshold=settings[alarms.DELIVERY_SUCCESS],
            evaluation_periods=3,
            datapoints_to_alarm=3,  # Firehose retries a failed put; only failures that last are news
        ),
    ]
    if partitioned:
        rules.append(
            AlarmRule(
                role=f"{role}-partitions-exceeded",
                description=f"{subject}: more active partitions than its limit; records go to the error prefix "
                "(activePartitionExceeded): raise tenant-pipeline:quotas.firehosePartitions after AWS raised it",
                metrics=(Metric("m1", FIREHOSE, "PartitionCountExceeded", stream, "Maximum", MINUTE),),
                comparison=GREATER,
                threshold=0,  # the metric is a flag: 1 while over the limit
            )
        )
    return rules


def authorizer_alarms(function_name: str, settings: AlarmSettings) -> list[AlarmRule]:
    """The API's Lambda authorizer: its error rate (every refusal is an error: API Gateway reads the raised
    `Unauthorized`), throttles and duration."""
    function = {"FunctionName": function_name}
    errors = Metric("m1", LAMBDA, "Errors", function, "Sum")
    invocations = Metric("m2", LAMBDA, "Invocations", function, "Sum")
    subject = f"authorizer {function_name}"
    return [
        AlarmRule(
            role="authorizer-errors",
            description=_describe(alarms.AUTHORIZER_ERROR_RATE, subject),
            metrics=(errors, invocations),
            expression=f"IF({invocations.id} > 0, {errors.id} / {invocations.id}, 0)",
            label="errors per invocation",
            comparison=GREATER,
            threshold=settings[alarms.AUTHORIZER_ERROR_RATE],
        ),
        AlarmRule(
            role="authorizer-throttles",
            description=_describe(alarms.AUTHORIZER_THROTTLES, subject),
            metrics=(Metric("m1", LAMBDA, "Throttles", function, "Sum"),),
            comparison=GREATER,
            threshold=settings[alarms.AUTHORIZER_THROTTLES],
        ),
        AlarmRule(
            role="authorizer-duration",
            description=_describe(alarms.AUTHORIZER_DURATION, subject),
            metrics=(Metric("m1", LAMBDA, "Duration", function, "p99"),),
            comparison=GREATER,
            threshold=settings[alarms.AUTHORIZER_DURATION],
            evaluation_periods=3,
            datapoints_to_alarm=2,
        ),
    ]


def api_alarms(api_name: str, stage: str, settings: AlarmSettings) -> list[AlarmRule]:
    """The ingest API's stage: the share of requests answered 5XX."""
    return [
        AlarmRule(
            role="api-5xx",
            description=_describe(alarms.API_5XX_RATE, f"API {api_name} stage {stage}"),
            metrics=(Metric("m1", API_GATEWAY, "5XXError", {"ApiName": api_name, "Stage": stage}, "Average"),),
            comparison=GREATER,
            threshold=settings[alarms.API_5XX_RATE],
        )
    ]


def rejects_alarm(stream_name: str, rejects_stream_name: str, settings: AlarmSettings) -> AlarmRule:
    """The share of the event stream's records the Flink job rejects: what reaches the rejects delivery stream
    over what reached the event stream (both AWS's own metrics: no custom metric, no per-tenant dimension)."""
    rejected = Metric("m1", FIREHOSE, "IncomingRecords", {"DeliveryStreamName": rejects_stream_name}, "Sum")
    incoming = Metric("m2", KINESIS, "IncomingRecords", {"StreamName": stream_name}, "Sum")
    return AlarmRule(
        role="flink-rejects",
        description=_describe(alarms.REJECTED_RATE, f"records of {stream_name} rejected to {rejects_stream_name}"),
        metrics=(rejected, incoming),
        expression=f"IF({incoming.id} > 0, {rejected.id} / {incoming.id}, 0)",
        label="rejected per record",
        comparison=GREATER,
        threshold=settings[alarms.REJECTED_RATE],
        evaluation_periods=3,
        datapoints_to_alarm=2,
    )


def keyspaces_alarms(keyspace: str, tables: Sequence[str], settings: AlarmSettings) -> list[AlarmRule]:
    """Each pooled table: requests Keyspaces throttled (table capacity, account or partition limits)."""
    watched = [
        *(("WriteThrottleEvents", operation) for operation in WRITE_OPERATIONS),
        *(("ReadThrottleEvents", operation) for operation in READ_OPERATIONS),
        *(
            ("StoragePartitionThroughputCapacityExceeded", operation)
            for operation in (*WRITE_OPERATIONS, *READ_OPERATIONS)
        ),
    ]
    rules = []
    for table in tables:
        metrics = tuple(
            Metric(
                f"m{number}", KEYSPACES, name, {"Keyspace": keyspace, "TableName": table, "Operation": operation}, "Sum"
            )
            for number, (name, operation) in enumerate(watched, start=1)
        )
        rules.append(
            AlarmRule(
                role=f"keyspaces-{table}-throttles",
                description=_describe(alarms.KEYSPACES_THROTTLES, f"Keyspaces {keyspace}.{table}"),
                metrics=metrics,
                expression=" + ".join(f"FILL({metric.id}, 0)" for metric in metrics),
                label="throttled requests",
                comparison=GREATER,
                threshold=settings[alarms.KEYSPACES_THROTTLES],
            )
        )
    return rules
