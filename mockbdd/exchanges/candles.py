"""Seeded random-walk candles: the same seed, symbol and interval give the same candle for the
same open time, whichever window is asked for (the walk starts at ``initialPrice`` at the start
of the UTC day it was mounted on). Each candle opens at the previous close; high
and low bracket open and close; volume is positive."""

from __future__ import annotations

import math
import random

from mockbdd.records import record

INTERVALS_MS = {
    "1s": 1_000, "1m": 60_000, "3m": 180_000, "5m": 300_000, "15m": 900_000,
    "30m": 1_800_000, "1h": 3_600_000, "2h": 7_200_000, "4h": 14_400_000,
    "6h": 21_600_000, "8h": 28_800_000, "12h": 43_200_000, "1d": 86_400_000,
    "3d": 259_200_000, "1w": 604_800_000,
}  # fmt: skip
MAX_CACHED = 200_000  # candles kept per series; older ones are recomputed from the anchor


@record
class Candle:
    open_time: int
    open: float
    high: float
    low: float
    close: float
    volume: float
    trades: int


class Series:
    """The candles of one symbol and interval around an anchor (candle 0 opens at
    ``anchor_ms`` at ``initial`` price); closes are kept as they are computed."""

    def __init__(self, seed: str, interval_ms: int, anchor_ms: int, initial: float) -> None:
        self._seed = seed
        self.interval_ms = interval_ms
        # candle 0 opens at the start of the UTC day (or the interval, for longer ones): mounts
        # made the same day with the same seed give the same candle for the same open time
        period = max(86_400_000, interval_ms)
        self._anchor = anchor_ms - anchor_ms % period
        self._closes: dict[int, float] = {-1: initial}  # candle k closes at _closes[k]
        self._candles: dict[int, Candle] = {}  # made once: a candle never changes
        self._vol = 0.002 * math.sqrt(interval_ms / 60_000)  # per-candle volatility

    def _rng(self, k: int) -> random.Random:
        return random.Random(f"{self._seed}:{self.interval_ms}:{k}")

    def _close(self, k: int) -> float:
        known = self._closes.get(k)
        if known is not None:
            return known
        if len(self._closes) > MAX_CACHED:
            self._closes = {-1: self._closes[-1]}
        if k >= 0:
            lo = max((i for i in self._closes if i < k), default=-1)
            price = self._closes[lo]
            for i in range(lo + 1, k + 1):
                price *= math.exp(self._rng(i).gauss(0.0, self._vol))
                self._closes[i] = price
        else:  # walking back: the close before candle i+1 is its open
            hi = min(i for i in self._closes if i > k)
            price = self._closes[hi]
            for i in range(hi, k, -1):
                price /= math.exp(self._rng(i).gauss(0.0, self._vol))
                self._closes[i - 1] = price
        return self._closes[k]

    def open_time(self, k: int) -> int:
        return self._anchor + k * self.interval_ms

    def index(self, time_ms: int) -> int:
        return (time_ms - self._anchor) // self.interval_ms

    def candle(self, k: int) -> Candle:
        found = self._candles.get(k)
        if found is not None:
            return found
        if len(self._candles) > MAX_CACHED:
            self._candles.clear()
        made = self._candles[k] = self._make(k)
        return made

    def _make(self, k: int) -> Candle:
        rng = self._rng(k)
        rng.gauss(0.0, 1.0)  # the draw the close used
        open_, close = self._close(k - 1), self._close(k)
        spread = abs(rng.gauss(0.0, self._vol)) / 2
        high = max(open_, close) * (1 + spread)
        low = min(open_, close) * (1 - spread)
        volume = 1 + rng.expovariate(1 / 50)
        return Candle(
            self._anchor + k * self.interval_ms, open_, high, low, close, volume,
            rng.randint(10, 2000),
        )  # fmt: skip
