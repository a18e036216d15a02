"""The stages' arrival-rate curves: each gives its rate, its cumulative intensity Λ(t) (the
arrivals it asks for in its first ``t`` seconds) and the inverse Λ⁻¹, which the schedule uses."""

from __future__ import annotations

import math

from mockbdd.records import record


@record
class Constant:
    rate: float
    duration: float
    kind: str = "constant"

    def rate_at(self, t: float) -> float:
        return self.rate

    def expected(self, t: float) -> float:
        """Λ(t): the number of arrivals the stage asks for in its first ``t`` seconds."""
        return self.rate * t

    def time_of(self, u: float) -> float:
        """Λ⁻¹(u): when the stage's cumulative arrivals reach ``u``."""
        return u / self.rate


@record
class Ramp:
    start: float  # `from` in the script
    end: float  # `to`
    duration: float
    kind: str = "ramp"

    def rate_at(self, t: float) -> float:
        return self.start + (self.end - self.start) * t / self.duration

    def expected(self, t: float) -> float:
        return self.start * t + (self.end - self.start) * t * t / (2 * self.duration)

    def time_of(self, u: float) -> float:
        slope = (self.end - self.start) / self.duration
        if abs(slope) < 1e-12:
            return u / self.start
        disc = max(self.start * self.start + 2 * slope * u, 0.0)
        return (math.sqrt(disc) - self.start) / slope


@record
class Spike:
    base: float
    peak: float
    at: float
    hold: float
    duration: float
    kind: str = "spike"

    def rate_at(self, t: float) -> float:
        return self.peak if self.at <= t < self.at + self.hold else self.base

    def expected(self, t: float) -> float:
        before = self.base * min(t, self.at)
        during = self.peak * min(max(t - self.at, 0.0), self.hold)
        after = self.base * max(t - self.at - self.hold, 0.0)
        return before + during + after

    def time_of(self, u: float) -> float:
        first = self.base * self.at
        if u < first:
            return u / self.base
        second = first + self.peak * self.hold
        if u < second:
            return self.at + (u - first) / self.peak
        return self.at + self.hold + (u - second) / self.base if self.base > 0 else self.duration


@record
class Cycle:
    """A sine wave between ``low`` and ``high`` (``min``/``max``), starting at ``low``."""

    low: float
    high: float
    period: float
    duration: float
    kind: str = "cycle"

    def rate_at(self, t: float) -> float:
        mid, amp = (self.low + self.high) / 2, (self.high - self.low) / 2
        return mid - amp * math.cos(2 * math.pi * t / self.period)

    def expected(self, t: float) -> float:
        mid, amp = (self.low + self.high) / 2, (self.high - self.low) / 2
        w = 2 * math.pi / self.period
        return mid * t - amp * math.sin(w * t) / w

    def time_of(self, u: float) -> float:
        lo, hi = 0.0, self.duration
        t = min(max(u / ((self.low + self.high) / 2), lo), hi)
        for _ in range(60):  # Newton's method, kept inside a shrinking bracket
            f = self.expected(t) - u
            if abs(f) < 1e-9:
                return t
            if f > 0:
                hi = t
            else:
                lo = t
            r = self.rate_at(t)
            nxt = t - f / r if r > 1e-12 else (lo + hi) / 2
            t = nxt if lo < nxt < hi else (lo + hi) / 2
        return t


Stage = Constant | Ramp | Spike | Cycle
