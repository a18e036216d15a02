"""Delay distributions: how long a response waits before it is sent. WireMock's three here, with
WireMock's semantics (whole milliseconds); the others in ``mockbdd.sim.distributions``."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Protocol

from mockbdd.records import record

MAX_DELAY_MS = 24 * 60 * 60 * 1000  # a day: any longer delay is a mistake, and is capped to this
_LOG_MAX_DELAY = math.log(MAX_DELAY_MS)


class DelayDistribution(Protocol):
    """Samples a delay in milliseconds from the given random source."""

    def sample_ms(self, rng: random.Random) -> float: ...


@record
class FixedDelay:
    milliseconds: float

    def sample_ms(self, rng: random.Random) -> float:
        return self.milliseconds


@record
class UniformDelay:
    """WireMock's: a whole number of milliseconds from ``lower`` to ``upper``, both included."""

    lower: float
    upper: float

    def sample_ms(self, rng: random.Random) -> float:
        return float(
            rng.randint(math.ceil(self.lower), max(math.floor(self.upper), math.ceil(self.lower)))
        )


MAX_RESAMPLES = 1000  # a maxValue at the median accepts half the draws: this is never reached


@record
class LogNormalDelay:
    """WireMock's: ``median`` in ms and ``sigma`` of the underlying normal, rounded to whole
    milliseconds; a draw above ``max_value`` is drawn again (the wire refuses a ``max_value``
    below the median, so at least half the draws are kept)."""

    median: float
    sigma: float
    max_value: float | None = None

    def sample_ms(self, rng: random.Random) -> float:
        if self.median <= 0:
            return 0.0
        log_median = math.log(self.median)
        value = 0.0
        for _ in range(MAX_RESAMPLES):
            # lognormvariate is exp(normalvariate): capping before exp cannot overflow
            exponent = rng.normalvariate(log_median, self.sigma)
            value = float(round(min(math.exp(min(exponent, _LOG_MAX_DELAY)), MAX_DELAY_MS)))
            if self.max_value is None or value <= self.max_value:
                return value
        return (
            min(value, self.max_value) if self.max_value is not None else value
        )  # pragma: no cover


@dataclass(frozen=True, slots=True, eq=False)
class SeededDelay:
    """A distribution with a ``seed`` of its own: the namespace samples it from its own random
    stream (``Namespace.rng_for``), so the same seed gives the same delays whatever else
    draws. Compared by identity: two stubs with the same seed keep two streams."""

    distribution: DelayDistribution
    seed: int

    def sample_ms(self, rng: random.Random) -> float:
        return self.distribution.sample_ms(rng)
