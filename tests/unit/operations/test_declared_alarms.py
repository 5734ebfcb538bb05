"""Every alarm of the declared stack, checked against the resource it watches: each expectation below is taken
from the declared resources (their names, types and settings), never from a list of today's names."""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterator
from typing import Any

import pytest

from local.program import DeclaredResource
from tests.support.declared import DeclaredPipeline, run
from tiers.alarms import THRESHOLDS

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
KEYSPACES_TABLE = "aws:keyspaces/table:Table"


def metrics_of(alarm: DeclaredResource) -> Iterator[tuple[str, str, dict[str, str], str]]:
    """(namespace, metric, dimensions, statistic) of every metric the alarm reads."""
    inputs = alarm.inputs
    if "metricQueries" not in inputs:
        yield (
            inputs["namespace"],
            inputs["metricName"],
            inputs["dimensions"],
            inputs.get("statistic") or inputs["extendedStatistic"],
        )
        return
    for query in inputs["metricQueries"]:
        if "metric" in query:
            metric = query["metric"]
            yield metric["namespace"], metric["metricName"], metric["dimensions"], metric["stat"]


def watching(dev: DeclaredPipeline, namespace: str, metric: str, dimensions: dict[str, str]) -> list[DeclaredResource]:
    return [
        alarm
        for alarm in dev.all(ALARM)
        if any((ns, name, dims) == (namespace, metric, dimensions) for ns, name, dims, _ in metrics_of(alarm))
    ]


def only(found: list[DeclaredResource]) -> DeclaredResource:
    assert len(found) == 1, [alarm.inputs["name"] for alarm in found]
    return found[0]


def test_the_event_stream_has_its_lag_and_its_throttles_watched(dev: DeclaredPipeline) -> None:
    stream = {"StreamName": dev.one("aws:kinesis/stream:Stream").outputs["name"]}
    lag = only(watching(dev, "AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", stream))
    assert (lag.inputs["statistic"], lag.inputs["comparisonOperator"]) == ("Maximum", "GreaterThanThreshold")
    throttles = only(watching(dev, "AWS/Kinesis", "WriteProvisionedThroughputExceeded", stream))
    assert throttles.inputs["statistic"] == "Sum"


def test_the_flink_application_has_downtime_checkpoints_and_restarts_watched(dev: DeclaredPipeline) -> None:
    application = {"Application": dev.one("aws:kinesisanalyticsv2/application:Application").inputs["name"]}
    downtime = only(watching(dev, "AWS/KinesisAnalytics", "downtime", application))
    assert downtime.inputs["treatMissingData"] == "breaching"
    for counter in ("numberOfFailedCheckpoints", "fullRestarts"):
        alarm = only(watching(dev, "AWS/KinesisAnalytics", counter, application))
        (returned,) = [query for query in alarm.inputs["metricQueries"] if query["returnData"]]
        assert returned["expression"].startswith("RATE(")  # a count since start: its increase is what alarms


def test_every_delivery_stream_has_freshness_and_failures_watched_and_partitioned_ones_their_partitions(
    dev: DeclaredPipeline,
) -> None:
    streams = dev.all(FIREHOSE)
    assert len(streams) >= 2
    for stream in streams:
        name = {"DeliveryStreamName": stream.inputs["name"]}
        only(watching(dev, "AWS/Firehose", "DeliveryToS3.DataFreshness", name))
        failures = only(watching(dev, "AWS/Firehose", "DeliveryToS3.Success", name))
        assert (failures.inputs["statistic"], failures.inputs["comparisonOperator"]) == ("Average", "LessThanThreshold")
        partitioned = stream.inputs["extendedS3Configuration"]["dynamicPartitioningConfiguration"]["enabled"]
        assert len(watching(dev, "AWS/Firehose", "PartitionCountExceeded", name)) == (1 if partitioned else 0)


def test_the_authorizer_has_errors_throttles_and_duration_watched(dev: DeclaredPipeline) -> None:
    function = dev.one("aws:lambda/function:Function", "authorizer")
    dimensions = {"FunctionName": function.inputs["name"]}
    errors = only(watching(dev, "AWS/Lambda", "Errors", dimensions))
    assert errors is only(watching(dev, "AWS/Lambda", "Invocations", dimensions))  # their ratio
    only(watching(dev, "AWS/Lambda", "Throttles", dimensions))
    duration = only(watching(dev, "AWS/Lambda", "Duration", dimensions))
    assert duration.inputs["extendedStatistic"] == "p99" and "statistic" not in duration.inputs


def test_the_apis_stage_has_its_5xx_watched(dev: DeclaredPipeline) -> None:
    api, stage = dev.one("aws:apigateway/restApi:RestApi"), dev.one("aws:apigateway/stage:Stage")
    alarm = only(
        watching(dev, "AWS/ApiGateway", "5XXError", {"ApiName": api.inputs["name"], "Stage": stage.inputs["stageName"]})
    )
    assert alarm.inputs["statistic"] == "Average"  # the share of requests


def test_the_rejected_share_is_what_reaches_the_rejects_stream_over_what_reached_the_event_stream(
    dev: DeclaredPipeline,
) -> None:
    rejects = dev.one(FIREHOSE, "delivery-rejects").inputs["name"]
    stream = dev.one("aws:kinesis/stream:Stream").outputs["name"]
    alarm = only(watching(dev, "AWS/Firehose", "IncomingRecords", {"DeliveryStreamName": rejects}))
    assert alarm is only(watching(dev, "AWS/Kinesis", "IncomingRecords", {"StreamName": stream}))
    ids = {query["metric"]["namespace"]: query["id"] for query in alarm.inputs["metricQueries"] if "metric" in query}
    (returned,) = [query for query in alarm.inputs["metricQueries"] if query["returnData"]]
    assert f"{ids['AWS/Firehose']} / {ids['AWS/Kinesis']}" in returned["expression"]


def test_every_pooled_table_has_its_throttling_watched_for_every_operation(dev: DeclaredPipeline) -> None:
    pool = dev.one("aws:keyspaces/keyspace:Keyspace", "pooled-storage").inputs["name"]
    tables = [table for table in dev.all(KEYSPACES_TABLE) if table.inputs["keyspaceName"] == pool]
    assert tables
    for table in tables:
        table_name = table.inputs["tableName"]
        found = {
            (name, dims["Operation"])
            for alarm in dev.all(ALARM)
            for namespace, name, dims, _ in metrics_of(alarm)
            if namespace == "AWS/Cassandra" and (dims["Keyspace"], dims["TableName"]) == (pool, table_name)
        }
        assert {("WriteThrottleEvents", op) for op in ("INSERT", "UPDATE", "DELETE")} <= found
        assert ("ReadThrottleEvents", "SELECT") in found
        assert {name for name, _ in found} >= {"StoragePartitionThroughputCapacityExceeded"}
    silo_tables = [table for table in dev.all(KEYSPACES_TABLE) if table.inputs["keyspaceName"] != pool]
    watched = {
        dims["Keyspace"] for alarm in dev.all(ALARM) for ns, _, dims, _ in metrics_of(alarm) if ns == "AWS/Cassandra"
    }
    assert watched == {pool} and silo_tables  # a silo tenant's tables are its own: not the platform's alarms


def test_every_alarm_notifies_the_topic_into_alarm_and_back_to_ok(dev: DeclaredPipeline) -> None:
    topic = dev.one("aws:sns/topic:Topic").outputs["arn"]
    alarms = dev.all(ALARM)
    assert len({alarm.inputs["name"] for alarm in alarms}) == len(alarms)
    for alarm in alarms:
        assert alarm.inputs["alarmActions"] == [topic] and alarm.inputs["okActions"] == [topic], alarm.inputs["name"]
        assert alarm.inputs["alarmDescription"]


def test_a_metric_math_alarm_returns_one_expression_over_metrics_it_does_not_return(dev: DeclaredPipeline) -> None:
    for alarm in dev.all(ALARM):
        queries = alarm.inputs.get("metricQueries")
        if not queries:
            continue
        returned = [query for query in queries if query["returnData"]]
        assert len(returned) == 1 and "expression" in returned[0], alarm.inputs["name"]
        metrics = [query for query in queries if "metric" in query]
        assert 1 <= len(metrics) <= 10  # PutMetricAlarm takes at most 10 metrics
        assert all(not query["returnData"] for query in metrics)


def test_only_cloudwatch_may_publish_only_this_stacks_alarms_to_the_topic(dev: DeclaredPipeline) -> None:
    topic = dev.one("aws:sns/topic:Topic")
    (statement,) = json.loads(dev.one("aws:sns/topicPolicy:TopicPolicy").inputs["policy"])["Statement"]
    assert statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert statement["Resource"] == topic.outputs["arn"] and statement["Action"] == "sns:Publish"
    pattern = statement["Condition"]["ArnLike"]["aws:SourceArn"]
    for alarm in dev.all(ALARM):
        assert fnmatch.fnmatchcase(alarm.outputs["arn"], pattern), alarm.outputs["arn"]


def test_nobody_is_subscribed_unless_the_stack_says_so() -> None:
    assert run("dev").all("aws:sns/topicSubscription:TopicSubscription") == []
    notify = [
        {"protocol": "email", "endpoint": "ops@example.com"},
        {"protocol": "https", "endpoint": "https://hooks.example.com/a"},
    ]
    declared = run("dev", **{"tenant-pipeline:alarms": {"notify": notify}})
    topic = declared.one("aws:sns/topic:Topic").outputs["arn"]
    subscriptions = declared.all("aws:sns/topicSubscription:TopicSubscription")
    assert [{"protocol": s.inputs["protocol"], "endpoint": s.inputs["endpoint"]} for s in subscriptions] == notify
    assert {s.inputs["topic"] for s in subscriptions} == {topic}


def _alarms_by_name(declared: DeclaredPipeline) -> dict[str, dict[str, Any]]:
    return {alarm.inputs["name"]: alarm.inputs for alarm in declared.all(ALARM)}


@pytest.mark.parametrize("threshold", THRESHOLDS, ids=lambda t: t.key)
def test_each_threshold_setting_moves_its_alarms_and_no_other(dev: DeclaredPipeline, threshold: Any) -> None:
    value = threshold.maximum if threshold.default != threshold.maximum else threshold.minimum
    before = _alarms_by_name(dev)
    after = _alarms_by_name(run("dev", **{"tenant-pipeline:alarms": {threshold.key: value}}))
    moved = {name for name in before if before[name]["threshold"] != after[name]["threshold"]}
    assert moved, threshold.key
    said = {
        name
        for name, alarm in before.items()
        if f"tenant-pipeline:alarms.{threshold.key}," in alarm["alarmDescription"]
    }
    assert moved == said
