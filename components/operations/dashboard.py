"""The environment's CloudWatch dashboard (DashboardBody JSON), drawn from the alarm rules (alarm_rules.py): the
alarms' states first, then one graph per rule, of the very metrics and math its alarm watches, with the
threshold as a line; the rejects' share has its own rule (flink-rejects) and graph.

Body format (CloudWatch "Dashboard Body Structure and Syntax"): {"widgets": [...]}, each widget `type`, `x`, `y`,
`width`, `height` (a 24-unit grid) and `properties`; a metric widget lists `metrics` as
[namespace, name, dimension name, value, ..., {rendering options}] or [{"expression", "id", "label"}]; an
alarm widget lists at most 100 alarm ARNs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from components.errors import ComponentInputError
from components.operations.alarm_rules import LESS, AlarmRule, Metric

GRID_WIDTH = 24
GRAPH_WIDTH = 12
GRAPH_HEIGHT = 6
ALARM_WIDGET_HEIGHT = 4
ALARMS_PER_WIDGET = 100  # the alarm widget's limit
EXPRESSION_ID = "e1"


def metric_line(metric: Metric, visible: bool) -> list[Any]:
    dimensions = [part for name, value in metric.dimensions.items() for part in (name, value)]
    return [metric.namespace, metric.name, *dimensions, {"id": metric.id, "stat": metric.statistic, "visible": visible}]


def graph(rule: AlarmRule, region: str) -> dict[str, Any]:
    """The rule's metrics (or its expression over them), as its alarm evaluates them, and its threshold."""
    lines: list[list[Any]] = [metric_line(metric, visible=rule.expression is None) for metric in rule.metrics]
    if rule.expression is not None:
        lines.append([{"expression": rule.expression, "id": EXPRESSION_ID, "label": rule.label or rule.role}])
    side = "below" if rule.comparison == LESS else "above"
    return {
        "type": "metric",
        "properties": {
            "title": rule.role,
            "region": region,
            "view": "timeSeries",
            "stacked": False,
            "period": rule.metrics[0].period,
            "metrics": lines,
            "annotations": {"horizontal": [{"label": f"alarm {side}", "value": rule.threshold}]},
        },
    }


def dashboard_body(title: str, region: str, rules: Sequence[AlarmRule], alarm_arns: Sequence[str]) -> str:
    """The dashboard: a heading, the alarms' states (every rule's alarm, in `rules`' order), a graph per rule."""
    if len(alarm_arns) != len(rules):
        raise ComponentInputError(f"{len(rules)} alarm rules but {len(alarm_arns)} alarms for the dashboard")
    if not rules:
        raise ComponentInputError("the dashboard needs at least one alarm rule")
    widgets: list[dict[str, Any]] = [
        {
            "type": "text",
            "width": GRID_WIDTH,
            "height": 2,
            "properties": {
                "markdown": f"# {title}\nEvery alarm of the platform, then the metrics each one watches. "
                "Thresholds: stack config `tenant-pipeline:alarms` (README); per-tenant usage: the metering table."
            },
        }
    ]
    for start in range(0, len(alarm_arns), ALARMS_PER_WIDGET):
        widgets.append(
            {
                "type": "alarm",
                "width": GRID_WIDTH,
                "height": ALARM_WIDGET_HEIGHT,
                "properties": {
                    "title": "Alarms",
                    "alarms": list(alarm_arns[start : start + ALARMS_PER_WIDGET]),
                    "sortBy": "stateUpdatedTimestamp",
                },
            }
        )
    widgets += [{"width": GRAPH_WIDTH, "height": GRAPH_HEIGHT, **graph(rule, region)} for rule in rules]
    return json.dumps({"widgets": _laid_out(widgets)}, separators=(",", ":"))


def _laid_out(widgets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Left to right, top to bottom on the 24-unit grid."""
    x = y = row_height = 0
    placed = []
    for widget in widgets:
        if x + widget["width"] > GRID_WIDTH:
            x, y, row_height = 0, y + row_height, 0
        placed.append({"type": widget["type"], "x": x, "y": y, **{k: v for k, v in widget.items() if k != "type"}})
        x += widget["width"]
        row_height = max(row_height, widget["height"])
    return placed
