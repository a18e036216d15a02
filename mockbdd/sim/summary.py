"""Samples of a delay distribution and their summary (``POST /__admin/delays/sample``)."""

from __future__ import annotations

import math
import random

from mockbdd.domain.delays import MAX_DELAY_MS, DelayDistribution


def draw(delay: DelayDistribution, count: int, rng: random.Random) -> list[float]:
    """``count`` delays in milliseconds, capped as the server caps them."""
    return [min(delay.sample_ms(rng), MAX_DELAY_MS) for _ in range(count)]


def percentile(ordered: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of sorted values, interpolated linearly between ranks."""
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarise(samples: list[float]) -> dict[str, float]:
    import statistics  # at the first summary: a server that is never asked for one holds none

    ordered = sorted(samples)
    return {
        "mean": statistics.fmean(ordered),
        "stddev": statistics.pstdev(ordered) if len(ordered) > 1 else 0.0,
        "p50": percentile(ordered, 0.5),
        "p90": percentile(ordered, 0.9),
        "p99": percentile(ordered, 0.99),
        "max": ordered[-1],
    }
