"""Delay distributions: how long a response waits before it is sent (WireMock's three, more later)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Protocol

MAX_DELAY_MS = 24 * 60 * 60 * 1000  # a day: any longer delay is a mistake, and is capped to this
_LOG_MAX_DELAY = math.log(MAX_DELAY_MS)


class DelayDistribution(Protocol):
    """Samples a delay in milliseconds from the given random source."""

    def sample_ms(self, rng: random.Random) -> float: ...


@dataclass(frozen=True, slots=True)
class FixedDelay:
    milliseconds: float

    def sample_ms(self, rng: random.Random) -> float:
        return self.milliseconds


@dataclass(frozen=True, slots=True)
class UniformDelay:
    lower: float
    upper: float

    def sample_ms(self, rng: random.Random) -> float:
        return rng.uniform(self.lower, self.upper)


@dataclass(frozen=True, slots=True)
class LogNormalDelay:
    """``median`` in ms and ``sigma`` of the underlying normal, capped at ``max_value`` if given."""

    median: float
    sigma: float
    max_value: float | None = None

    def sample_ms(self, rng: random.Random) -> float:
        if self.median <= 0:
            return 0.0
        # lognormvariate is exp(normalvariate): capping before exp cannot overflow
        exponent = rng.normalvariate(math.log(self.median), self.sigma)
        value = min(math.exp(min(exponent, _LOG_MAX_DELAY)), MAX_DELAY_MS)
        return min(value, self.max_value) if self.max_value is not None else value
