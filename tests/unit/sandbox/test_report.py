"""The demo's closing line: front-door refusals and pipeline rejects counted apart, `lost` last."""

from __future__ import annotations

from local.sandbox.report import TenantOutcome, totals


def outcomes() -> list[TenantOutcome]:
    return [
        TenantOutcome("acme", "premium", sent=30, landed=26, rejected=0, refused=4),
        TenantOutcome("initech", "basic", sent=90, landed=26, rejected=0, refused=64),
        TenantOutcome("bad-producer", "-", sent=4, landed=0, rejected=4, refused=0),
    ]


def test_refused_and_rejected_are_reported_apart_and_lost_is_last() -> None:
    summary = totals(outcomes())
    assert (summary.sent, summary.landed, summary.refused, summary.rejected, summary.lost) == (124, 52, 68, 4, 0)
    assert summary.line() == "sent=124 landed=52 refused=68 rejected=4 lost=0"


def test_what_is_neither_landed_refused_nor_rejected_is_lost() -> None:
    summary = totals([TenantOutcome("acme", "premium", sent=10, landed=7, rejected=1, refused=1)])
    assert summary.lost == 1
    assert summary.line().endswith(" lost=1")
