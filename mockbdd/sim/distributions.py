"""Delay distributions beyond WireMock's three (DESIGN §11): normal, exponential, pareto,
poisson, mixture, percentiles and empirical. Each implements ``DelayDistribution`` (samples
milliseconds from the random source it is given) and is registered as a ``delayDistribution``
type in ``wire/delays.py``.

Truncated distributions (``max``, ``min``) are sampled by inverting the CDF over the kept
range: the same law as drawing again until the value is inside it, in one draw.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import field
from typing import TYPE_CHECKING

from mockbdd.domain.delays import MAX_DELAY_MS, DelayDistribution
from mockbdd.records import record

if TYPE_CHECKING:
    from statistics import NormalDist

# the standard normal law: set by _normal_laws() when the first delay that samples it is made,
# so statistics loads with it, not at start-up (idle RSS); the samplers read it as a global
_STANDARD: NormalDist = None  # type: ignore[assignment]
_TINY = 1e-300


def _normal_laws() -> type[NormalDist]:
    """``statistics.NormalDist``, imported now if not yet, with ``_STANDARD`` set."""
    global _STANDARD
    from statistics import NormalDist

    if _STANDARD is None:
        _STANDARD = NormalDist()
    return NormalDist


def _open_unit(rng: random.Random) -> float:
    """A uniform draw in (0, 1): ``random()`` may return 0, which no inverse CDF takes."""
    u = rng.random()
    return u if u > 0.0 else _TINY


def _capped(value: float) -> float:
    return min(max(value, 0.0), MAX_DELAY_MS)


@record
class NormalDelay:
    """A normal law truncated to ``[max(min, 0), max]``: never negative."""

    mean: float
    stddev: float
    min: float | None = None
    max: float | None = None
    _low: float = field(init=False, repr=False, compare=False)
    _high: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        normal = _normal_laws()
        lower = max(self.min or 0.0, 0.0)
        upper = MAX_DELAY_MS if self.max is None else self.max
        if self.stddev > 0:
            law = normal(self.mean, self.stddev)
            low, high = law.cdf(lower), law.cdf(upper)
        else:
            low = high = 0.0
        object.__setattr__(self, "_low", low)
        object.__setattr__(self, "_high", high)

    def sample_ms(self, rng: random.Random) -> float:
        lower = max(self.min or 0.0, 0.0)
        upper = MAX_DELAY_MS if self.max is None else self.max
        if self.stddev <= 0 or self._high - self._low < 1e-12:
            return min(max(self.mean, lower), upper)  # nothing (or next to nothing) to spread
        u = self._low + rng.random() * (self._high - self._low)
        u = min(max(u, _TINY), 1.0 - 1e-16)
        value = self.mean + self.stddev * _STANDARD.inv_cdf(u)
        return min(max(value, lower), upper)


@record
class ExponentialDelay:
    """An exponential law of mean ``mean``, truncated at ``max``."""

    mean: float
    max: float | None = None

    def sample_ms(self, rng: random.Random) -> float:
        if self.mean <= 0:
            return 0.0
        kept = 1.0 if self.max is None else -math.expm1(-self.max / self.mean)
        u = rng.random() * kept
        return _capped(-self.mean * math.log1p(-u))


@record
class ParetoDelay:
    """A Pareto law (type I): ``scale`` the smallest value, ``shape`` the tail index (the
    smaller, the heavier), truncated at ``max``."""

    scale: float
    shape: float
    max: float | None = None

    def sample_ms(self, rng: random.Random) -> float:
        kept = 1.0 if self.max is None else 1.0 - (self.scale / self.max) ** self.shape
        u = rng.random() * kept
        return _capped(self.scale * (1.0 - u) ** (-1.0 / self.shape))


@record
class PoissonDelay:
    """A Poisson law of mean ``mean``: whole milliseconds."""

    mean: float

    def sample_ms(self, rng: random.Random) -> float:
        if self.mean <= 0:
            return 0.0
        if self.mean < 10:
            return float(_poisson_small(self.mean, rng))
        return _capped(float(_poisson_ptrs(self.mean, rng)))


def _poisson_small(mean: float, rng: random.Random) -> int:
    """Knuth's multiplication method: fine below a mean of 10."""
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _poisson_ptrs(mean: float, rng: random.Random) -> int:
    """Hörmann's transformed rejection with squeeze (PTRS, 1993): a few draws at any mean."""
    root = math.sqrt(mean)
    b = 0.931 + 2.53 * root
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    log_mean = math.log(mean)
    while True:
        u = rng.random() - 0.5
        v = rng.random()
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + mean + 0.43) if us > 0 else -1
        if us >= 0.07 and v <= vr:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        if math.log(v) + math.log(inv_alpha) - math.log(a / (us * us) + b) <= (
            -mean + k * log_mean - math.lgamma(k + 1)
        ):
            return k


@record
class MixtureComponent:
    weight: float
    distribution: DelayDistribution


@record
class MixtureDelay:
    """One component chosen by weight (the weights sum to 1), then sampled: bimodal latency
    (a fast cache hit, a slow miss) and more."""

    components: tuple[MixtureComponent, ...]
    _bounds: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        bounds, total = [], 0.0
        for component in self.components:
            total += component.weight
            bounds.append(total)
        object.__setattr__(self, "_bounds", tuple(bounds))

    def sample_ms(self, rng: random.Random) -> float:
        u = rng.random() * self._bounds[-1]
        index = min(bisect.bisect_right(self._bounds, u), len(self.components) - 1)
        return self.components[index].distribution.sample_ms(rng)


PERCENTILES = ((0.5, "p50"), (0.9, "p90"), (0.95, "p95"), (0.99, "p99"))


@record
class PercentilesDelay:
    """A monotone curve through the given percentiles: the logarithm of the delay is linear
    in the normal score between two given points (a lognormal law through each pair), and
    continues the nearest segment's slope beyond them; values above ``max`` are ``max``.
    ``p50`` must be above 0 and the points must not decrease (the wire checks)."""

    p50: float
    p99: float
    p90: float | None = None
    p95: float | None = None
    max: float | None = None
    _z: tuple[float, ...] = field(init=False, repr=False, compare=False)
    _log: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _normal_laws()
        given = {"p50": self.p50, "p90": self.p90, "p95": self.p95, "p99": self.p99}
        points = [(q, given[name]) for q, name in PERCENTILES if given[name] is not None]
        z = tuple(_STANDARD.inv_cdf(q) for q, _ in points)
        logs = tuple(math.log(max(float(v), 1e-9)) for _, v in points if v is not None)
        object.__setattr__(self, "_z", z)
        object.__setattr__(self, "_log", logs)

    def quantile(self, u: float) -> float:
        """The delay at probability ``u`` (0 < u < 1)."""
        score = _STANDARD.inv_cdf(u)
        zs, logs = self._z, self._log
        i = min(max(bisect.bisect_right(zs, score) - 1, 0), len(zs) - 2)
        slope = (logs[i + 1] - logs[i]) / (zs[i + 1] - zs[i])
        value = math.exp(min(logs[i] + slope * (score - zs[i]), math.log(MAX_DELAY_MS)))
        return min(value, self.max) if self.max is not None else value

    def sample_ms(self, rng: random.Random) -> float:
        return self.quantile(min(_open_unit(rng), 1.0 - 1e-16))


@record
class EmpiricalDelay:
    """One of the recorded ``samples_ms``, each as likely (a bootstrap of a measured profile)."""

    samples_ms: tuple[float, ...]

    def sample_ms(self, rng: random.Random) -> float:
        return self.samples_ms[rng.randrange(len(self.samples_ms))]
