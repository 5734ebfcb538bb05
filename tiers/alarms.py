"""The operations settings (`tenant-pipeline:alarms`): each alarm's threshold and who is notified.

Every threshold has a default here, a unit and the values it may take; a value outside them, of the wrong
type, or a key that is none of them is refused, naming the key. `notify` lists the SNS subscriptions of the
alarm topic (none by default: the topic and the alarms exist, nobody is subscribed until the stack says so).
What each threshold is compared with (metric, statistic, period): components/operations/alarm_rules.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from tiers.errors import ConfigProblem
from tiers.fields import Fields

ALARMS_KEY = "tenant-pipeline:alarms"
NOTIFY = "notify"


@dataclass(frozen=True)
class Threshold:
    """One configurable threshold: its key under `tenant-pipeline:alarms`, its default and its range."""

    key: str
    default: float
    minimum: float
    maximum: float
    unit: str
    meaning: str  # what crossing it means, as the alarm's description says
    whole: bool = False  # a count: whole numbers only


# The key names, for the alarm rules that read them.
ITERATOR_AGE = "streamIteratorAgeSeconds"
WRITE_THROTTLES = "streamWriteThrottles"
FLINK_DOWNTIME = "flinkDowntimeSeconds"
FAILED_CHECKPOINTS = "flinkFailedCheckpoints"
FLINK_RESTARTS = "flinkRestarts"
DELIVERY_FRESHNESS = "deliveryFreshnessSeconds"
DELIVERY_SUCCESS = "deliverySuccessRate"
AUTHORIZER_ERROR_RATE = "authorizerErrorRate"
AUTHORIZER_THROTTLES = "authorizerThrottles"
AUTHORIZER_DURATION = "authorizerDurationMs"
API_5XX_RATE = "api5xxRate"
REJECTED_RATE = "rejectedRate"
KEYSPACES_THROTTLES = "keyspacesThrottles"

WEEK_SECONDS = 7 * 24 * 3600
# The authorizer's Lambda timeout (components/ingestion/api_authorizer.py TIMEOUT_SECONDS): a slower call has
# already failed, so a duration threshold above it could never be crossed.
AUTHORIZER_TIMEOUT_MS = 10_000

THRESHOLDS: tuple[Threshold, ...] = (
    Threshold(
        ITERATOR_AGE, 300, 1, WEEK_SECONDS, "seconds",
        "the Flink job is that far behind the event stream (its oldest unread record's age)",
    ),
    Threshold(
        WRITE_THROTTLES, 0, 0, 1_000_000_000, "records per 5 minutes",
        "Kinesis refused that many writes (the API answered them 429)", whole=True,
    ),
    Threshold(FLINK_DOWNTIME, 0, 0, WEEK_SECONDS, "seconds", "the Flink job has been failing or restarting that long"),
    Threshold(
        FAILED_CHECKPOINTS, 0, 0, 1_000_000, "checkpoints per 5 minutes",
        "that many of the Flink job's checkpoints failed", whole=True,
    ),
    Threshold(FLINK_RESTARTS, 0, 0, 1_000_000, "restarts per 5 minutes", "the Flink job restarted", whole=True),
    Threshold(
        DELIVERY_FRESHNESS, 900, 60, WEEK_SECONDS, "seconds",
        "a delivery stream holds a record that old, not yet in S3",
    ),
    Threshold(
        DELIVERY_SUCCESS, 1.0, 0.01, 1.0, "fraction of S3 puts",
        "a delivery stream's S3 puts succeeded less often than this (Firehose retries them) for 15 minutes",
    ),
    Threshold(
        AUTHORIZER_ERROR_RATE, 0.25, 0.01, 1.0, "fraction of invocations",
        "the authorizer refused or failed that share of its invocations (every 401 is a Lambda error)",
    ),
    Threshold(
        AUTHORIZER_THROTTLES, 0, 0, 1_000_000_000, "invocations per 5 minutes",
        "Lambda throttled that many authorizer invocations (callers got API Gateway's 500)", whole=True,
    ),
    Threshold(
        AUTHORIZER_DURATION, 1000, 1, AUTHORIZER_TIMEOUT_MS, "milliseconds",
        "the authorizer's 99th percentile duration (API Gateway waits for it on every uncached token)",
    ),
    Threshold(API_5XX_RATE, 0.01, 0.0001, 1.0, "fraction of requests", "that share of POST /events answered 5XX"),
    Threshold(
        REJECTED_RATE, 0.05, 0.0001, 1.0, "fraction of records",
        "the Flink job rejected that share of the records on the event stream",
    ),
    Threshold(
        KEYSPACES_THROTTLES, 0, 0, 1_000_000_000, "requests per 5 minutes",
        "Keyspaces throttled that many requests on a pooled table", whole=True,
    ),
)  # fmt: skip
THRESHOLD_BY_KEY: Mapping[str, Threshold] = MappingProxyType({t.key: t for t in THRESHOLDS})

# SNS subscription protocols a stack may subscribe to the alarm topic, with the endpoint each takes.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_HTTPS = re.compile(r"https://[^\s/?#]+(?:[/?#]\S*)?")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_SQS_ARN = re.compile(r"arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(?:\.fifo)?")
_LAMBDA_ARN = re.compile(r"arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9_$-]+)?")
ENDPOINTS: Mapping[str, tuple[re.Pattern[str], str]] = MappingProxyType(
    {
        "email": (_EMAIL, "an email address"),
        "email-json": (_EMAIL, "an email address"),
        "https": (_HTTPS, "an https:// URL"),
        "sms": (_E164, "a phone number in E.164 form (+<country><number>)"),
        "sqs": (_SQS_ARN, "an SQS queue ARN"),
        "lambda": (_LAMBDA_ARN, "a Lambda function ARN"),
    }
)


@dataclass(frozen=True)
class Subscription:
    protocol: str
    endpoint: str


@dataclass(frozen=True)
class AlarmSettings:
    thresholds: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType({t.key: t.default for t in THRESHOLDS})
    )
    notify: tuple[Subscription, ...] = ()

    def __getitem__(self, key: str) -> float:
        return self.thresholds[key]


def parse_alarms(raw: Any, problems: list[ConfigProblem]) -> AlarmSettings:
    fields = Fields(raw, ALARMS_KEY, "alarms", problems)
    fields.reject_unknown({NOTIFY, *THRESHOLD_BY_KEY})
    thresholds = {t.key: _threshold(fields, t) for t in THRESHOLDS}
    return AlarmSettings(thresholds=MappingProxyType(thresholds), notify=_subscriptions(fields))


def _threshold(fields: Fields, threshold: Threshold) -> float:
    value: float = fields.get(threshold.key, int if threshold.whole else float, threshold.default)
    where = f"{fields.where}.{threshold.key}"
    if not threshold.minimum <= value <= threshold.maximum:
        fields.problem(f"{where} must be {threshold.minimum:g}-{threshold.maximum:g} ({threshold.unit}), got {value!r}")
        return threshold.default
    return value


def _subscriptions(fields: Fields) -> tuple[Subscription, ...]:
    entries = fields.get(NOTIFY, list, [])
    subscriptions: list[Subscription] = []
    for index, entry in enumerate(entries):
        where = f"{fields.where}.{NOTIFY}[{index}]"
        if not isinstance(entry, Mapping) or set(entry) != {"protocol", "endpoint"}:
            fields.problem(f"{where} must be {{protocol, endpoint}}, got {entry!r}")
            continue
        protocol, endpoint = entry["protocol"], entry["endpoint"]
        if protocol not in ENDPOINTS:
            fields.problem(f"{where}.protocol must be one of {', '.join(ENDPOINTS)}, got {protocol!r}")
            continue
        pattern, shape = ENDPOINTS[protocol]
        if not isinstance(endpoint, str) or not pattern.fullmatch(endpoint):
            fields.problem(f"{where}.endpoint must be {shape} for protocol {protocol}, got {endpoint!r}")
            continue
        subscription = Subscription(protocol, endpoint)
        if subscription in subscriptions:
            fields.problem(f"{where} repeats {protocol} {endpoint}")
            continue
        subscriptions.append(subscription)
    return tuple(subscriptions)
