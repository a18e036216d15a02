"""What a run measures, in memory that does not grow with the run's length.

Latencies go into HdrHistograms (fixed-size arrays of counts, 3 significant digits, 1 µs to
1 hour); the timeline has at most ``MAX_POINTS`` points whatever the run's duration, each with
the percentiles of its own interval, taken from one interval histogram that is reset in turn.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hdrh.histogram import HdrHistogram

LOWEST_US = 1
HIGHEST_US = 3_600_000_000  # one hour
MAX_POINTS = 600
SHORT_POINTS = 120  # a short run's intervals shrink to 0.1 s until it has this many
PERCENTILES = (("p50", 50.0), ("p90", 90.0), ("p95", 95.0), ("p99", 99.0), ("p99.9", 99.9))


def new_histogram(digits: int = 3) -> HdrHistogram:
    return HdrHistogram(LOWEST_US, HIGHEST_US, digits)


def record(hist: HdrHistogram, seconds: float) -> None:
    us = int(seconds * 1_000_000)
    hist.record_value(LOWEST_US if us < LOWEST_US else HIGHEST_US if us > HIGHEST_US else us)


def latency_summary(hist: HdrHistogram) -> dict[str, float | None]:
    """min, mean, p50 … p99.9, max in milliseconds (``None`` for an empty histogram)."""
    if hist.get_total_count() == 0:
        return {k: None for k in ("min", "mean", *(n for n, _ in PERCENTILES), "max")}
    out: dict[str, float | None] = {"min": hist.get_min_value() / 1000.0}
    out["mean"] = round(hist.get_mean_value() / 1000.0, 3)
    values = hist.get_percentile_to_value_dict([p for _, p in PERCENTILES])
    for name, p in PERCENTILES:
        out[name] = values[p] / 1000.0
    out["max"] = hist.get_max_value() / 1000.0
    return out


@dataclass(slots=True)
class StageStats:
    """Counters and a latency histogram for one stage (by intended send time)."""

    scheduled: int = 0  # arrivals the schedule made
    sent: int = 0
    sent_on_time: int = 0  # sent before the stage's end (what its achieved rate counts)
    completed: int = 0  # answered, whatever the status
    dropped: int = 0  # not sent: maxInFlight requests were already in flight
    failed: int = 0  # status >= 400, a timeout or a transport error
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    latency: HdrHistogram = field(default_factory=new_histogram)

    def merge(self, other: StageStats) -> None:
        self.scheduled += other.scheduled
        self.sent += other.sent
        self.sent_on_time += other.sent_on_time
        self.completed += other.completed
        self.dropped += other.dropped
        self.failed += other.failed
        self.statuses.update(other.statuses)
        self.errors.update(other.errors)
        self.latency.add(other.latency)


@dataclass(slots=True)
class Point:
    t: float  # start of the interval, seconds from the run's start
    arrivals: int = 0  # intended sends in the interval
    completed: int = 0  # answers (and failures) that ended in the interval
    failed: int = 0
    p50: float | None = None  # ms, of the requests that ended in the interval
    p99: float | None = None


def interval_for(duration: float, max_points: int = MAX_POINTS) -> float:
    """1 s for runs of one to ten minutes; finer for short runs (a half-second spike stays
    visible), coarser beyond, so that there are never more than ``max_points``."""
    if duration > max_points:
        return float(math.ceil(duration / max_points))
    for step in (0.1, 0.2, 0.25, 0.5):
        if duration / step <= SHORT_POINTS:
            return step
    return 1.0


class Timeline:
    """At most ``MAX_POINTS`` intervals over the planned duration (see :func:`interval_for`),
    so its memory is fixed by the script, not by the traffic."""

    def __init__(self, duration: float, max_points: int = MAX_POINTS) -> None:
        self.interval = interval_for(duration, max_points)
        count = max(1, math.ceil(duration / self.interval - 1e-9))
        # one spare interval for the answers that come in after the last arrival
        self.points = [Point(round(i * self.interval, 6)) for i in range(count + 1)]
        self._hist = new_histogram(2)
        self._open = 0  # the interval whose latencies _hist holds

    def _slot(self, t: float) -> int:
        return min(max(int(t / self.interval), 0), len(self.points) - 1)

    def arrival(self, t: float) -> None:
        self.points[self._slot(t)].arrivals += 1

    def ended(self, t: float, latency: float, failed: bool) -> None:
        slot = self._slot(t)
        if slot > self._open:
            self.close_until(slot)
        point = self.points[slot]
        point.completed += 1
        if failed:
            point.failed += 1
        record(self._hist, latency)

    def failed(self, t: float) -> None:
        """A request that ended without an answer (a timeout, a reset): no latency to record."""
        point = self.points[self._slot(t)]
        point.completed += 1
        point.failed += 1

    def close_until(self, slot: int) -> None:
        """Fix the percentiles of every interval before ``slot``."""
        slot = min(slot, len(self.points) - 1)
        while self._open < slot:
            point = self.points[self._open]
            if self._hist.get_total_count():
                point.p50 = self._hist.get_value_at_percentile(50.0) / 1000.0
                point.p99 = self._hist.get_value_at_percentile(99.0) / 1000.0
                self._hist.reset()
            self._open += 1

    def finish(self) -> None:
        self.close_until(len(self.points))
        point = self.points[-1]
        if self._hist.get_total_count():
            point.p50 = self._hist.get_value_at_percentile(50.0) / 1000.0
            point.p99 = self._hist.get_value_at_percentile(99.0) / 1000.0
            self._hist.reset()

    def json(self) -> dict[str, Any]:
        width = self.interval
        last = len(self.points)
        while (
            last > 1 and self.points[last - 1].arrivals == 0 and not self.points[last - 1].completed
        ):
            last -= 1
        return {
            "intervalS": width,
            "points": [
                {
                    "t": p.t,
                    "arrivalRate": round(p.arrivals / width, 3),
                    "throughput": round(p.completed / width, 3),
                    "errors": p.failed,
                    "p50": p.p50,
                    "p99": p.p99,
                }
                for p in self.points[:last]
            ],
        }
