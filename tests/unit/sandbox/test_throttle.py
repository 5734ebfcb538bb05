"""Usage-plan throttling: token bucket for rate and burst, a daily quota."""

from __future__ import annotations

from local.sandbox.throttle import Throttler, UsagePlanLimits


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_rate() -> None:
    clock = FakeClock()
    throttler = Throttler(clock=clock, wall_clock=clock)
    limits = UsagePlanLimits(rate_limit=2, burst_limit=3, quota_per_day=100)
    assert [throttler.admit("k", limits) for _ in range(4)] == [None, None, None, "Too Many Requests"]
    clock.now += 0.5  # one token back at 2/s
    assert [throttler.admit("k", limits) for _ in range(2)] == [None, "Too Many Requests"]


def test_keys_are_throttled_apart() -> None:
    clock = FakeClock()
    throttler = Throttler(clock=clock, wall_clock=clock)
    limits = UsagePlanLimits(rate_limit=1, burst_limit=1, quota_per_day=100)
    assert throttler.admit("a", limits) is None
    assert throttler.admit("a", limits) == "Too Many Requests"
    assert throttler.admit("b", limits) is None


def test_daily_quota_resets_the_next_day() -> None:
    clock = FakeClock()
    throttler = Throttler(clock=clock, wall_clock=clock)
    limits = UsagePlanLimits(rate_limit=1000, burst_limit=1000, quota_per_day=2)
    assert [throttler.admit("k", limits) for _ in range(3)] == [None, None, "Limit Exceeded"]
    clock.now += 86_400
    assert throttler.admit("k", limits) is None
