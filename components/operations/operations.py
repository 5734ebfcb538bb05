"""Operating the platform: an alarm on every stage of the pipeline, the topic they notify, the environment's
dashboard, the Contributor Insights rules that name the noisiest tenants, and the metering table billing reads
(components/analytics/metering_table.py, in the analytics database beside the events table).

The alarms are alarm_rules.py's rules, one aws.cloudwatch.MetricAlarm each, every one notifying the topic
when it goes into ALARM and back to OK; the topic's subscribers are `tenant-pipeline:alarms.notify` (none by
default). Per-tenant usage is not a metric here (10,000 tenants would be 10,000 billed metrics): it is the
Flink job's metering output (docs/design.md "Metering"); tier is the finest dimension any alarm uses.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.analytics.json_lines import json_lines_storage
from components.analytics.metering_table import (
    METERING_COLUMNS,
    METERING_TABLE,
    metering_location,
    metering_parameters,
    metering_serde_parameters,
)
from components.operations import alarm_rules
from components.operations.alarm_rules import AlarmRule, Metric
from components.operations.contributor_insights import api_tenants_rule, authorizer_tenants_rule
from components.operations.dashboard import EXPRESSION_ID, dashboard_body
from components.operations.policies import alarm_topic_policy
from functions.contracts.metering import PARTITION_COLUMN
from tiers.alarms import AlarmSettings
from tiers.naming import Namer, events_delivery_part, logical

Names = Mapping[str, str]
RuleBuilder = Callable[[Names], list[AlarmRule]]


@dataclass
class PlatformOperationsArgs:
    namer: Namer
    region: str
    account_id: pulumi.Input[str]
    settings: AlarmSettings  # StackConfig.alarms
    stream_name: pulumi.Input[str]  # the event stream (Kinesis)
    application_name: pulumi.Input[str]  # the Flink application
    events_delivery_streams: Sequence[pulumi.Input[str]]  # the enriched-events Firehose streams, by index
    rejects_delivery_stream: pulumi.Input[str]
    authorizer_function: pulumi.Input[str]
    authorizer_log_group: pulumi.Input[str]
    api_name: pulumi.Input[str]
    api_stage: pulumi.Input[str]
    api_access_log_group: pulumi.Input[str]
    pooled_keyspace: pulumi.Input[str]
    pooled_tables: Sequence[str]  # the pooled tables' names (their keyspace: pooled_keyspace)
    ingest_bucket: pulumi.Input[str]  # the metering rows' bucket (its metering prefix)
    catalog_database: pulumi.Input[str]  # the analytics database: the metering table goes beside the events
    tags: Mapping[str, str]


class PlatformOperations(pulumi.ComponentResource):
    topic: aws.sns.Topic
    alarms: list[aws.cloudwatch.MetricAlarm]
    dashboard: aws.cloudwatch.Dashboard
    metering_table: aws.glue.CatalogTable

    def __init__(self, name: str, args: PlatformOperationsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tenant-pipeline:operations:PlatformOperations", name, None, opts)
        self._name, self._args = name, args
        child = pulumi.ResourceOptions(parent=self)
        namer, tags, settings = args.namer, dict(args.tags), args.settings

        self.topic = aws.sns.Topic(
            logical(name, "alarms"),
            name=namer.physical("sns-topic", "alarms"),
            display_name=f"{namer.prefix} alarms",
            tags=tags,
            opts=child,
        )
        aws.sns.TopicPolicy(
            logical(name, "alarms-policy"),
            arn=self.topic.arn,
            policy=pulumi.Output.all(self.topic.arn, args.account_id).apply(
                lambda values: json.dumps(alarm_topic_policy(values[0], args.region, values[1], namer.prefix + "-"))
            ),
            opts=child,
        )
        for index, subscription in enumerate(settings.notify):
            aws.sns.TopicSubscription(
                logical(name, "notify", str(index)),
                topic=self.topic.arn,
                protocol=subscription.protocol,
                endpoint=subscription.endpoint,
                opts=child,
            )

        groups = alarm_groups(args)
        self.alarms = []
        resolved: list[pulumi.Output[list[AlarmRule]]] = []
        for names, build in groups:
            rules = pulumi.Output.all(**names).apply(build)
            resolved.append(rules)
            # The rules' roles and shapes do not depend on the names: a stand-in for each says what to declare.
            stand_in = build({key: f"<{key}>" for key in names})
            for index, shape in enumerate(stand_in):
                self.alarms.append(self._alarm(shape, rules.apply(functools.partial(_nth, index))))

        self.dashboard = aws.cloudwatch.Dashboard(
            logical(name, "dashboard"),
            dashboard_name=namer.physical("dashboard", "platform"),
            dashboard_body=pulumi.Output.all(
                pulumi.Output.all(*resolved), pulumi.Output.all(*(alarm.arn for alarm in self.alarms))
            ).apply(
                lambda values: dashboard_body(
                    f"{namer.prefix}: the tenant pipeline",
                    args.region,
                    [rule for rules in values[0] for rule in rules],
                    values[1],
                )
            ),
            opts=child,
        )
        self.contributor_rules = [
            aws.cloudwatch.ContributorInsightRule(
                logical(name, role),
                rule_name=namer.physical("insight-rule", role),
                rule_state="ENABLED",
                rule_definition=pulumi.Output.from_input(log_group).apply(definition),
                tags=tags,
                opts=child,
            )
            for role, log_group, definition in (
                ("authorizer-tenants", args.authorizer_log_group, authorizer_tenants_rule),
                ("api-tenants", args.api_access_log_group, api_tenants_rule),
            )
        ]
        bucket = pulumi.Output.from_input(args.ingest_bucket)
        self.metering_table = aws.glue.CatalogTable(
            logical(name, "metering-table"),
            database_name=args.catalog_database,
            name=METERING_TABLE,
            description="Per-tenant usage per hour (the Flink job's metering, written exactly once), for billing",
            table_type="EXTERNAL_TABLE",
            parameters=bucket.apply(metering_parameters),
            partition_keys=[{"name": PARTITION_COLUMN, "type": "string", "comment": "the window's UTC day"}],
            storage_descriptor=json_lines_storage(
                bucket.apply(metering_location), METERING_COLUMNS, metering_serde_parameters(), compressed=False
            ),
            opts=child,
        )
        self.register_outputs(
            {
                "alarmTopicArn": self.topic.arn,
                "dashboardName": self.dashboard.dashboard_name,
                "alarmNames": pulumi.Output.all(*(alarm.name for alarm in self.alarms)),
                "meteringTable": self.metering_table.name,
            }
        )

    def stack_outputs(self) -> dict[str, pulumi.Output[str]]:
        """What operators need, by stack output name."""
        return {
            "alarmTopicArn": self.topic.arn,
            "dashboardName": self.dashboard.dashboard_name,
            "meteringTable": self.metering_table.name,
        }

    def _alarm(self, shape: AlarmRule, rule: pulumi.Output[AlarmRule]) -> aws.cloudwatch.MetricAlarm:
        """One alarm: a single metric as itself, metric math as metric queries (the expression returns the data)."""
        if shape.expression is None and len(shape.metrics) == 1:
            metric = rule.apply(lambda found: found.metrics[0])
            source: dict[str, Any] = {
                "namespace": metric.apply(lambda m: m.namespace),
                "metric_name": metric.apply(lambda m: m.name),
                "dimensions": metric.apply(lambda m: dict(m.dimensions)),
                "period": shape.metrics[0].period,
                # A percentile is an extended statistic to CloudWatch; the plain ones are statistics.
                "extended_statistic" if shape.metrics[0].percentile else "statistic": shape.metrics[0].statistic,
            }
        else:
            source = {"metric_queries": rule.apply(metric_queries)}
        topic = [self.topic.arn]
        return aws.cloudwatch.MetricAlarm(
            logical(self._name, shape.role),
            name=self._args.namer.physical("alarm", shape.role),
            alarm_description=rule.apply(lambda found: found.description),
            comparison_operator=shape.comparison,
            threshold=shape.threshold,
            evaluation_periods=shape.evaluation_periods,
            datapoints_to_alarm=shape.datapoints_to_alarm,
            treat_missing_data=shape.treat_missing_data,
            alarm_actions=topic,
            ok_actions=topic,
            tags=dict(self._args.tags),
            opts=pulumi.ResourceOptions(parent=self),
            **source,
        )


def _nth(index: int, rules: list[AlarmRule]) -> AlarmRule:
    return rules[index]


def alarm_groups(args: PlatformOperationsArgs) -> list[tuple[dict[str, pulumi.Input[str]], RuleBuilder]]:
    """The resources the alarms watch, by the names their rules take, and the rules of each."""
    settings = args.settings

    def delivery(role: str, partitioned: bool) -> RuleBuilder:
        return lambda names: alarm_rules.delivery_alarms(role, names["stream"], settings, partitioned=partitioned)

    groups: list[tuple[dict[str, pulumi.Input[str]], RuleBuilder]] = [
        ({"stream": args.stream_name}, lambda names: alarm_rules.stream_alarms(names["stream"], settings)),
        (
            {"application": args.application_name},
            lambda names: alarm_rules.flink_alarms(names["application"], settings),
        ),
    ]
    for index, stream in enumerate(args.events_delivery_streams):
        groups.append(({"stream": stream}, delivery(logical("delivery", events_delivery_part(index)), True)))
    groups += [
        ({"stream": args.rejects_delivery_stream}, delivery("delivery-rejects", False)),
        (
            {"stream": args.stream_name, "rejects": args.rejects_delivery_stream},
            lambda names: [alarm_rules.rejects_alarm(names["stream"], names["rejects"], settings)],
        ),
        (
            {"function": args.authorizer_function},
            lambda names: alarm_rules.authorizer_alarms(names["function"], settings),
        ),
        (
            {"api": args.api_name, "stage": args.api_stage},
            lambda names: alarm_rules.api_alarms(names["api"], names["stage"], settings),
        ),
        (
            {"keyspace": args.pooled_keyspace},
            lambda names: alarm_rules.keyspaces_alarms(names["keyspace"], args.pooled_tables, settings),
        ),
    ]
    return groups


MetricQuery = aws.cloudwatch.MetricAlarmMetricQueryArgsDict


def metric_queries(rule: AlarmRule) -> list[MetricQuery]:
    """The rule's metrics, none of them returned, then the expression over them, the one returned."""
    queries: list[MetricQuery] = [_metric_query(metric) for metric in rule.metrics]
    expression = rule.expression or rule.metrics[0].id
    queries.append({"id": EXPRESSION_ID, "expression": expression, "label": rule.label, "return_data": True})
    return queries


def _metric_query(metric: Metric) -> MetricQuery:
    return {
        "id": metric.id,
        "return_data": False,
        "metric": {
            "namespace": metric.namespace,
            "metric_name": metric.name,
            "dimensions": dict(metric.dimensions),
            "period": metric.period,
            "stat": metric.statistic,
        },
    }
