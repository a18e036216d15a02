"""Delay distributions: how long a response waits before it is sent (WireMock's three, more later)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Protocol


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
        value = rng.lognormvariate(math.log(self.median), self.sigma) if self.median > 0 else 0.0
        return min(value, self.max_value) if self.max_value is not None else value
