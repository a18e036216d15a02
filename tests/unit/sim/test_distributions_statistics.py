"""Every delay distribution against its analytic law: 10,000 seeded samples, whose mean,
standard deviation, p50 and p99 are within 2 % of the law's, and a Kolmogorov-Smirnov test (a
chi-square test for the whole-millisecond laws). Seeded, so they never flake."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from scipy import integrate, optimize, stats

from mockbdd.domain.delays import DelayDistribution
from mockbdd.sim.distributions import PercentilesDelay
from mockbdd.wire.builtins import BUILTIN
from mockbdd.wire.delays import parse_delay

N = 10_000
TOLERANCE = 0.02
SEED = 20261202


@dataclass
class Law:
    """What a test needs of a law: moments, quantiles and the CDF."""

    mean: float
    std: float
    ppf: Callable[[float], float]
    cdf: Callable[[Any], Any]


def of_scipy(frozen: Any) -> Law:
    return Law(float(frozen.mean()), float(frozen.std()), frozen.ppf, frozen.cdf)


def truncated_above(frozen: Any, high: float) -> Law:
    """``frozen`` conditioned on being at most ``high`` (what resampling above it gives)."""
    kept = float(frozen.cdf(high))
    lower = float(frozen.ppf(0.0))

    def cdf(x: Any) -> Any:
        return np.minimum(frozen.cdf(x) / kept, 1.0)

    def ppf(q: float) -> float:
        return float(frozen.ppf(q * kept))

    mean = integrate.quad(lambda x: x * frozen.pdf(x) / kept, lower, high)[0]
    second = integrate.quad(lambda x: x * x * frozen.pdf(x) / kept, lower, high)[0]
    return Law(mean, math.sqrt(second - mean * mean), ppf, cdf)


def of_quantile(quantile: Callable[[float], float], top: float) -> Law:
    """A law given by its quantile function (moments by integration, CDF by inversion)."""
    mean = integrate.quad(quantile, 0, 1, limit=200)[0]
    second = integrate.quad(lambda u: quantile(u) ** 2, 0, 1, limit=200)[0]

    def cdf_one(x: float) -> float:
        if x <= quantile(1e-12):
            return 0.0
        if x >= quantile(1 - 1e-12):
            return 1.0
        return float(optimize.brentq(lambda u: quantile(u) - x, 1e-12, 1 - 1e-12))

    return Law(mean, math.sqrt(second - mean * mean), quantile, np.vectorize(cdf_one))


def of_mixture(parts: list[tuple[float, Any]]) -> Law:
    mean = sum(w * float(d.mean()) for w, d in parts)
    second = sum(w * (float(d.var()) + float(d.mean()) ** 2) for w, d in parts)

    def cdf(x: Any) -> Any:
        return sum(w * d.cdf(x) for w, d in parts)

    def ppf(q: float) -> float:
        return float(optimize.brentq(lambda x: cdf(x) - q, 0.0, 1e6))

    return Law(mean, math.sqrt(second - mean * mean), ppf, cdf)


def samples(obj: dict[str, Any]) -> np.ndarray:
    delay: DelayDistribution = parse_delay(obj, "/d", extensions=BUILTIN)
    rng = random.Random(SEED)
    return np.array([delay.sample_ms(rng) for _ in range(N)])


def close(observed: float, expected: float, what: str) -> None:
    assert abs(observed - expected) <= TOLERANCE * abs(expected), (
        f"{what}: {observed:.4f} is not within 2 % of {expected:.4f}"
    )


def check_summary(drawn: np.ndarray, law: Law) -> None:
    close(float(drawn.mean()), law.mean, "mean")
    close(float(drawn.std()), law.std, "standard deviation")
    close(float(np.quantile(drawn, 0.5)), law.ppf(0.5), "p50")
    close(float(np.quantile(drawn, 0.99)), law.ppf(0.99), "p99")


CONTINUOUS: list[tuple[str, dict[str, Any], Callable[[], Law]]] = [
    (
        "lognormal",
        {"type": "lognormal", "median": 2000, "sigma": 0.3},
        lambda: of_scipy(stats.lognorm(s=0.3, scale=2000)),
    ),
    (
        "lognormal below maxValue",
        {"type": "lognormal", "median": 2000, "sigma": 0.4, "maxValue": 3000},
        lambda: truncated_above(stats.lognorm(s=0.4, scale=2000), 3000),
    ),
    (
        "normal",
        {"type": "normal", "mean": 100, "stddev": 15},
        lambda: of_scipy(stats.truncnorm((0 - 100) / 15, np.inf, loc=100, scale=15)),
    ),
    (
        "normal truncated both sides",
        {"type": "normal", "mean": 100, "stddev": 40, "min": 60, "max": 180},
        lambda: of_scipy(stats.truncnorm((60 - 100) / 40, (180 - 100) / 40, loc=100, scale=40)),
    ),
    (
        "exponential",
        {"type": "exponential", "mean": 50},
        lambda: of_scipy(stats.expon(scale=50)),
    ),
    (
        "exponential with max",
        {"type": "exponential", "mean": 50, "max": 120},
        lambda: of_scipy(stats.truncexpon(b=120 / 50, scale=50)),
    ),
    (
        "pareto",
        {"type": "pareto", "scale": 20, "shape": 8},
        lambda: of_scipy(stats.pareto(b=8, scale=20)),
    ),
    (
        "pareto with max",
        {"type": "pareto", "scale": 20, "shape": 2, "max": 200},
        lambda: truncated_above(stats.pareto(b=2, scale=20), 200),
    ),
    (
        "mixture",
        {
            "type": "mixture",
            "components": [
                {"weight": 0.7, "distribution": {"type": "normal", "mean": 50, "stddev": 5}},
                {"weight": 0.3, "distribution": {"type": "normal", "mean": 100, "stddev": 10}},
            ],
        },
        lambda: of_mixture(
            [
                (0.7, stats.truncnorm(-10, np.inf, loc=50, scale=5)),
                (0.3, stats.truncnorm(-10, np.inf, loc=100, scale=10)),
            ]
        ),
    ),
    (
        "percentiles",
        {"type": "percentiles", "p50": 100, "p90": 150, "p95": 170, "p99": 220},
        lambda: of_quantile(PercentilesDelay(100, 220, 150, 170).quantile, 220),
    ),
]


@pytest.mark.parametrize(("name", "obj", "law"), CONTINUOUS, ids=[c[0] for c in CONTINUOUS])
def test_continuous_laws_match_their_analytic_values(
    name: str, obj: dict[str, Any], law: Callable[[], Law]
) -> None:
    drawn = samples(obj)
    expected = law()
    check_summary(drawn, expected)
    ks = stats.kstest(drawn, expected.cdf)
    assert ks.pvalue > 0.001, f"{name}: KS statistic {ks.statistic:.4f}, p {ks.pvalue:.2g}"


def test_lognormal_keeps_wiremocks_semantics() -> None:
    drawn = samples({"type": "lognormal", "median": 90, "sigma": 0.39, "maxValue": 120})
    assert drawn.max() <= 120  # above maxValue: drawn again, never capped to it
    assert (drawn == 120).mean() < 0.05
    assert np.all(drawn == np.round(drawn))  # whole milliseconds, as WireMock's long


def test_percentiles_go_through_the_given_points() -> None:
    drawn = samples({"type": "percentiles", "p50": 100, "p90": 180, "p99": 400, "max": 1000})
    for q, value in ((0.5, 100), (0.9, 180), (0.99, 400)):
        close(float(np.quantile(drawn, q)), value, f"p{round(q * 100)}")
    assert drawn.max() <= 1000


def chi_square_p(drawn: np.ndarray, pmf: Callable[[Any], Any], support: np.ndarray) -> float:
    """A chi-square goodness of fit over ``support``, the tails pooled into the end bins."""
    observed = np.array([(drawn == k).sum() for k in support], dtype=float)
    expected = pmf(support) * N
    expected *= observed.sum() / expected.sum()
    return float(stats.chisquare(observed, expected, ddof=0).pvalue)


def test_poisson_matches_its_law() -> None:
    for mean in (4, 40):
        drawn = samples({"type": "poisson", "mean": mean})
        law = stats.poisson(mean)
        check_summary(drawn, of_scipy(law))
        low, high = int(law.ppf(0.001)), int(law.ppf(0.999))
        support = np.arange(low, high + 1)
        inside = drawn[(drawn >= low) & (drawn <= high)]
        assert len(inside) > 0.99 * N
        assert chi_square_p(inside, law.pmf, support) > 0.001


def test_uniform_is_wiremocks_whole_milliseconds_both_ends_included() -> None:
    drawn = samples({"type": "uniform", "lower": 50, "upper": 60})
    law = stats.randint(50, 61)
    check_summary(drawn, of_scipy(law))
    assert set(np.unique(drawn)) == set(range(50, 61))
    assert chi_square_p(drawn, law.pmf, np.arange(50, 61)) > 0.001


def test_empirical_draws_the_recorded_samples_evenly() -> None:
    recorded = [5.0, 7.0, 7.0, 30.0, 250.0]
    drawn = samples({"type": "empirical", "samplesMs": recorded})
    close(float(drawn.mean()), float(np.mean(recorded)), "mean")
    close(float(drawn.std()), float(np.std(recorded)), "standard deviation")
    values, counts = np.unique(drawn, return_counts=True)
    assert list(values) == [5.0, 7.0, 30.0, 250.0]
    expected = np.array([1, 2, 1, 1]) / 5 * N
    assert stats.chisquare(counts, expected).pvalue > 0.001


def test_fixed_is_fixed() -> None:
    assert set(samples({"type": "fixed", "milliseconds": 42})) == {42.0}


def test_the_same_seed_draws_the_same_delays() -> None:
    obj = {"type": "mixture", "components": [
        {"weight": 0.5, "distribution": {"type": "exponential", "mean": 10}},
        {"weight": 0.5, "distribution": {"type": "pareto", "scale": 5, "shape": 1.5}}]}  # fmt: skip
    assert np.array_equal(samples(obj), samples(obj))
