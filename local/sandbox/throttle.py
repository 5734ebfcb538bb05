"""API Gateway usage-plan limits, enforced per API key as API Gateway does: a token bucket for the
rate and burst, and a daily quota. Over either limit the front door answers 429."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class UsagePlanLimits:
    rate_limit: float  # tokens added per second
    burst_limit: int  # bucket size
    quota_per_day: int


@dataclass
class _Bucket:
    tokens: float
    refilled_at: float
    day: int
    used_today: int = 0


@dataclass
class Throttler:
    clock: Callable[[], float] = time.monotonic
    wall_clock: Callable[[], float] = time.time
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def admit(self, api_key: str, limits: UsagePlanLimits) -> str | None:
        """None if the request may pass; otherwise why it is throttled."""
        now, today = self.clock(), int(self.wall_clock() // 86_400)
        bucket = self._buckets.setdefault(api_key, _Bucket(tokens=limits.burst_limit, refilled_at=now, day=today))
        if bucket.day != today:
            bucket.day, bucket.used_today = today, 0
        bucket.tokens = min(limits.burst_limit, bucket.tokens + (now - bucket.refilled_at) * limits.rate_limit)
        bucket.refilled_at = now
        if bucket.used_today >= limits.quota_per_day:
            return "Limit Exceeded"  # API Gateway's message for a spent quota
        if bucket.tokens < 1:
            return "Too Many Requests"
        bucket.tokens -= 1
        bucket.used_today += 1
        return None
