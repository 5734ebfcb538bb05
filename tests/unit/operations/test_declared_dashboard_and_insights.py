"""The dashboard shows every alarm and graphs what each watches; the Contributor Insights rules read the logs
the program declares for the authorizer and the API's access log."""

from __future__ import annotations

import json
from typing import Any

from tests.support.declared import DeclaredPipeline

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
RULE = "aws:cloudwatch/contributorInsightRule:ContributorInsightRule"


def body(dev: DeclaredPipeline) -> dict[str, Any]:
    return dict(json.loads(dev.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"]))


def test_the_dashboard_lists_every_alarm(dev: DeclaredPipeline) -> None:
    listed = [
        arn for widget in body(dev)["widgets"] if widget["type"] == "alarm" for arn in widget["properties"]["alarms"]
    ]
    assert sorted(listed) == sorted(alarm.outputs["arn"] for alarm in dev.all(ALARM))


def test_the_dashboard_graphs_each_alarms_metrics_with_its_threshold(dev: DeclaredPipeline) -> None:
    graphs = {widget["properties"]["title"]: widget for widget in body(dev)["widgets"] if widget["type"] == "metric"}
    prefix = "tenant-pipeline-dev-"
    for alarm in dev.all(ALARM):
        graph = graphs[alarm.inputs["name"].removeprefix(prefix)]["properties"]
        drawn = [line for line in graph["metrics"] if isinstance(line[0], str)]
        if "metricQueries" in alarm.inputs:
            expected = [query["metric"] for query in alarm.inputs["metricQueries"] if "metric" in query]
            (returned,) = [query for query in alarm.inputs["metricQueries"] if query["returnData"]]
            assert [line[0]["expression"] for line in graph["metrics"] if isinstance(line[0], dict)] == [
                returned["expression"]
            ]
        else:
            expected = [alarm.inputs | {"stat": alarm.inputs.get("statistic") or alarm.inputs["extendedStatistic"]}]
        assert len(drawn) == len(expected)
        for line, metric in zip(drawn, expected, strict=True):
            dimensions = dict(zip(line[2:-1:2], line[3:-1:2], strict=True))
            assert (line[0], line[1], dimensions, line[-1]["stat"]) == (
                metric["namespace"],
                metric["metricName"],
                metric["dimensions"],
                metric["stat"],
            )
        assert graph["annotations"]["horizontal"][0]["value"] == alarm.inputs["threshold"]


def test_the_dashboard_graphs_the_rejected_share(dev: DeclaredPipeline) -> None:
    rejects = dev.one("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "delivery-rejects").inputs["name"]
    assert any(
        line[:4] == ["AWS/Firehose", "IncomingRecords", "DeliveryStreamName", rejects]
        for widget in body(dev)["widgets"]
        if widget["type"] == "metric"
        for line in widget["properties"]["metrics"]
    )


def test_the_dashboards_widgets_fit_the_grid_without_overlapping(dev: DeclaredPipeline) -> None:
    cells: set[tuple[int, int]] = set()
    for widget in body(dev)["widgets"]:
        assert widget["x"] >= 0 and widget["x"] + widget["width"] <= 24
        area = {
            (x, y)
            for x in range(widget["x"], widget["x"] + widget["width"])
            for y in range(widget["y"], widget["y"] + widget["height"])
        }
        assert not cells & area
        cells |= area


def rule(dev: DeclaredPipeline, role: str) -> dict[str, Any]:
    return dict(json.loads(dev.one(RULE, role).inputs["ruleDefinition"]))


def test_the_authorizer_rule_reads_the_authorizers_own_log(dev: DeclaredPipeline) -> None:
    function = dev.one("aws:lambda/function:Function", "authorizer")
    definition = rule(dev, "authorizer-tenants")
    assert definition["Schema"] == {"Name": "CloudWatchLogRule", "Version": 1}
    assert definition["LogGroupNames"] == [function.inputs["loggingConfig"]["logGroup"]]
    assert definition["LogFormat"] == "JSON" and definition["AggregateOn"] == "Count"


def test_the_api_rule_reads_the_stages_access_log_by_its_fields(dev: DeclaredPipeline) -> None:
    stage = dev.one("aws:apigateway/stage:Stage")
    log_group = next(
        group
        for group in dev.all("aws:cloudwatch/logGroup:LogGroup")
        if group.outputs["arn"] == stage.inputs["accessLogSettings"]["destinationArn"]
    )
    definition = rule(dev, "api-tenants")
    assert definition["LogGroupNames"] == [log_group.inputs["name"]]
    logged = json.loads(stage.inputs["accessLogSettings"]["format"])
    for key in definition["Contribution"]["Keys"]:
        assert key.removeprefix("$.") in logged, key
