"""tenant-pipeline:alarms: every threshold's default, range and type; the alarm topic's subscriptions."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.config import base_config, load, only_problem, problems_of
from tiers.alarms import ALARMS_KEY, ENDPOINTS, THRESHOLDS, Subscription, Threshold


def test_every_threshold_has_its_default_and_nobody_is_notified_by_default() -> None:
    settings = load(base_config()).alarms
    assert {key: settings[key] for key in settings.thresholds} == {t.key: t.default for t in THRESHOLDS}
    assert settings.notify == ()


def test_every_default_is_within_its_own_range() -> None:
    for threshold in THRESHOLDS:
        assert threshold.minimum <= threshold.default <= threshold.maximum, threshold.key
        assert not threshold.whole or float(threshold.default).is_integer(), threshold.key


@pytest.mark.parametrize("threshold", THRESHOLDS, ids=lambda t: t.key)
def test_a_threshold_is_read_at_either_end_of_its_range(threshold: Threshold) -> None:
    for value in (threshold.minimum, threshold.maximum):
        written = int(value) if threshold.whole else value
        assert load(base_config(alarms={threshold.key: written})).alarms[threshold.key] == value


@pytest.mark.parametrize("threshold", THRESHOLDS, ids=lambda t: t.key)
def test_a_threshold_outside_its_range_is_refused_by_name(threshold: Threshold) -> None:
    step = 1 if threshold.whole else threshold.minimum or 1
    below = threshold.minimum - step
    written = int(below) if threshold.whole else below
    message = only_problem(base_config(alarms={threshold.key: written}))
    assert message.startswith(f"{ALARMS_KEY}: alarms.{threshold.key} must be ")
    assert threshold.unit in message and repr(written) in message


@pytest.mark.parametrize("threshold", [t for t in THRESHOLDS if t.whole], ids=lambda t: t.key)
def test_a_count_threshold_takes_whole_numbers_only(threshold: Threshold) -> None:
    assert only_problem(base_config(alarms={threshold.key: 1.5})) == (
        f"{ALARMS_KEY}: alarms.{threshold.key} must be a whole number, got 1.5"
    )


def test_a_threshold_set_with_the_cli_as_a_string_is_read_as_its_number() -> None:
    fraction = next(t for t in THRESHOLDS if not t.whole and t.maximum == 1.0)
    assert load(base_config(alarms={fraction.key: "0.5"})).alarms[fraction.key] == 0.5


@pytest.mark.parametrize(("value", "shape"), [(True, "a number"), ("soon", "a number"), ([1], "a number")])
def test_a_threshold_of_the_wrong_type_is_refused(value: Any, shape: str) -> None:
    fraction = next(t for t in THRESHOLDS if not t.whole)
    assert only_problem(base_config(alarms={fraction.key: value})) == (
        f"{ALARMS_KEY}: alarms.{fraction.key} must be {shape}, got {value!r}"
    )


def test_an_unknown_key_is_refused_listing_the_known_ones() -> None:
    message = only_problem(base_config(alarms={"iteratorAge": 60}))
    assert message.startswith(f"{ALARMS_KEY}: unknown key 'iteratorAge' in alarms (allowed: ")
    for threshold in THRESHOLDS:
        assert threshold.key in message


def test_every_problem_is_reported_at_once() -> None:
    counts = [t for t in THRESHOLDS if t.whole][:2]
    problems = problems_of(base_config(alarms={counts[0].key: -1, counts[1].key: -1, "notify": "ops"}))
    assert len(problems) == 3


VALID_ENDPOINTS = {
    "email": "ops@example.com",
    "email-json": "ops+alarms@example.com",
    "https": "https://hooks.example.com/alarms?team=ops",
    "sms": "+14155550100",
    "sqs": "arn:aws:sqs:us-east-1:123456789012:alarms",
    "lambda": "arn:aws:lambda:us-east-1:123456789012:function:page-oncall",
}


def test_every_protocol_has_a_valid_example_here() -> None:
    assert set(VALID_ENDPOINTS) == set(ENDPOINTS)


def test_subscriptions_are_read_in_order() -> None:
    notify = [{"protocol": protocol, "endpoint": endpoint} for protocol, endpoint in VALID_ENDPOINTS.items()]
    assert load(base_config(alarms={"notify": notify})).alarms.notify == tuple(
        Subscription(protocol, endpoint) for protocol, endpoint in VALID_ENDPOINTS.items()
    )


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"protocol": "email"}, "alarms.notify[0] must be {protocol, endpoint}, got {'protocol': 'email'}"),
        (
            {"protocol": "pager", "endpoint": "x"},
            f"alarms.notify[0].protocol must be one of {', '.join(ENDPOINTS)}, got 'pager'",
        ),
        (
            {"protocol": "email", "endpoint": "ops.example.com"},
            "alarms.notify[0].endpoint must be an email address for protocol email, got 'ops.example.com'",
        ),
        (
            {"protocol": "https", "endpoint": "http://hooks.example.com"},
            "alarms.notify[0].endpoint must be an https:// URL for protocol https, got 'http://hooks.example.com'",
        ),
        (
            {"protocol": "sqs", "endpoint": "arn:aws:sns:us-east-1:123456789012:alarms"},
            "alarms.notify[0].endpoint must be an SQS queue ARN for protocol sqs, "
            "got 'arn:aws:sns:us-east-1:123456789012:alarms'",
        ),
        (
            {"protocol": "sms", "endpoint": "0800 555 0100"},
            "alarms.notify[0].endpoint must be a phone number in E.164 form (+<country><number>) for protocol "
            "sms, got '0800 555 0100'",
        ),
    ],
)
def test_a_bad_subscription_is_refused(entry: dict[str, Any], expected: str) -> None:
    assert only_problem(base_config(alarms={"notify": [entry]})) == f"{ALARMS_KEY}: {expected}"


def test_a_repeated_subscription_is_refused() -> None:
    entry = {"protocol": "email", "endpoint": "ops@example.com"}
    assert only_problem(base_config(alarms={"notify": [entry, dict(entry)]})) == (
        f"{ALARMS_KEY}: alarms.notify[1] repeats email ops@example.com"
    )
