"""The built-in ``delayDistribution`` types: WireMock's three and mockbdd's (DESIGN §11), each a
:class:`~mockbdd.wire.delay_codec.DelayType` of a pydantic model and a sampler. Imported at the
first delay decoded or encoded (:func:`mockbdd.wire.delay_codec.register` names them at
start-up); the codec and the registry key are re-exported here, where plugins import them.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from mockbdd.domain.delays import (
    MAX_DELAY_MS,
    FixedDelay,
    LogNormalDelay,
    UniformDelay,
)
from mockbdd.domain.errors import InvalidInput
from mockbdd.extensions import Extensions
from mockbdd.sim.distributions import (
    PERCENTILES,
    EmpiricalDelay,
    ExponentialDelay,
    MixtureComponent,
    MixtureDelay,
    NormalDelay,
    ParetoDelay,
    PercentilesDelay,
    PoissonDelay,
)
from mockbdd.wire.delay_codec import (
    DELAY_TYPES,
    MAX_SEED,
    DelayType,
    delay_json,
    parse_delay,
)
from mockbdd.wire.refs import DelayDistributionJson

__all__ = ["BUILTIN_TYPES", "DELAY_TYPES", "MAX_SEED", "DelayType", "delay_json", "parse_delay"]


# -- the built-in types: WireMock's three ---------------------------------------------------------

MAX_SIGMA = 20.0  # lognormal spread; e**20 ≈ 5e8 already dwarfs any useful ratio

# finite (JSON ``1e400``, ``Infinity`` and ``NaN`` are refused) and bounded
Milliseconds = Annotated[float, Field(ge=0, le=MAX_DELAY_MS, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FixedDistribution(_Strict):
    milliseconds: Milliseconds


class UniformDistribution(_Strict):
    lower: Milliseconds
    upper: Milliseconds


class LogNormalDistribution(_Strict):
    median: Milliseconds
    sigma: Annotated[float, Field(ge=0, le=MAX_SIGMA, allow_inf_nan=False)]
    maxValue: Milliseconds | None = None


def _uniform(model: UniformDistribution, pointer: str) -> UniformDelay:
    if model.lower > model.upper:
        raise InvalidInput(f"{pointer}/lower", "must not be greater than 'upper'")
    return UniformDelay(model.lower, model.upper)


def _lognormal_json(delay: LogNormalDelay) -> dict[str, Any]:
    data: dict[str, Any] = {"median": delay.median, "sigma": delay.sigma}
    if delay.max_value is not None:
        data["maxValue"] = delay.max_value
    return data


FIXED = DelayType(
    FixedDistribution,
    FixedDelay,
    lambda m, pointer: FixedDelay(m.milliseconds),
    lambda d: {"milliseconds": d.milliseconds},
)
UNIFORM = DelayType(
    UniformDistribution, UniformDelay, _uniform, lambda d: {"lower": d.lower, "upper": d.upper}
)


def _lognormal(model: LogNormalDistribution, pointer: str) -> LogNormalDelay:
    if model.maxValue is not None and model.maxValue < model.median:
        raise InvalidInput(
            f"{pointer}/maxValue",
            f"must not be below the median ({model.median:g}): draws above it are drawn again",
        )
    return LogNormalDelay(model.median, model.sigma, model.maxValue)


LOGNORMAL = DelayType(LogNormalDistribution, LogNormalDelay, _lognormal, _lognormal_json)


# -- mockbdd's types (DESIGN §11), sampled in mockbdd.sim.distributions --------------------------

Positive = Annotated[float, Field(gt=0, le=MAX_DELAY_MS, allow_inf_nan=False)]


def _without_none(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


class NormalDistribution(_Strict):
    mean: Milliseconds
    stddev: Annotated[float, Field(ge=0, le=MAX_DELAY_MS, allow_inf_nan=False)]
    min: Milliseconds | None = None
    max: Milliseconds | None = None


def _normal(model: NormalDistribution, pointer: str) -> NormalDelay:
    if model.min is not None and model.max is not None and model.min > model.max:
        raise InvalidInput(f"{pointer}/min", f"must not be greater than 'max' ({model.max:g})")
    return NormalDelay(model.mean, model.stddev, model.min, model.max)


NORMAL = DelayType(
    NormalDistribution,
    NormalDelay,
    _normal,
    lambda d: _without_none(mean=d.mean, stddev=d.stddev, min=d.min, max=d.max),
)


class ExponentialDistribution(_Strict):
    mean: Milliseconds
    max: Milliseconds | None = None


EXPONENTIAL = DelayType(
    ExponentialDistribution,
    ExponentialDelay,
    lambda m, pointer: ExponentialDelay(m.mean, m.max),
    lambda d: _without_none(mean=d.mean, max=d.max),
)


class ParetoDistribution(_Strict):
    scale: Positive
    shape: Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)]
    max: Milliseconds | None = None


def _pareto(model: ParetoDistribution, pointer: str) -> ParetoDelay:
    if model.max is not None and model.max < model.scale:
        raise InvalidInput(
            f"{pointer}/max", f"must not be below 'scale' ({model.scale:g}), the smallest value"
        )
    return ParetoDelay(model.scale, model.shape, model.max)


PARETO = DelayType(
    ParetoDistribution,
    ParetoDelay,
    _pareto,
    lambda d: _without_none(scale=d.scale, shape=d.shape, max=d.max),
)


class PoissonDistribution(_Strict):
    mean: Milliseconds


POISSON = DelayType(
    PoissonDistribution,
    PoissonDelay,
    lambda m, pointer: PoissonDelay(m.mean),
    lambda d: {"mean": d.mean},
)

WEIGHT_TOLERANCE = 1e-6
MAX_COMPONENTS = 32


class MixtureComponentModel(_Strict):
    weight: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]
    distribution: DelayDistributionJson


class MixtureDistribution(_Strict):
    components: Annotated[
        list[MixtureComponentModel], Field(min_length=1, max_length=MAX_COMPONENTS)
    ]


def _mixture(model: MixtureDistribution, pointer: str, extensions: Extensions) -> MixtureDelay:
    total = sum(c.weight for c in model.components)
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        raise InvalidInput(
            f"{pointer}/components", f"the weights must sum to 1, they sum to {total:g}"
        )
    parts = tuple(
        MixtureComponent(
            c.weight,
            parse_delay(
                c.distribution,
                f"{pointer}/components/{i}/distribution",
                extensions=extensions,
                seeded=False,
            ),
        )
        for i, c in enumerate(model.components)
    )
    return MixtureDelay(parts)


def _mixture_json(delay: MixtureDelay, extensions: Extensions) -> dict[str, Any]:
    return {
        "components": [
            {"weight": c.weight, "distribution": delay_json(c.distribution, extensions=extensions)}
            for c in delay.components
        ]
    }


def _nested_only(*args: Any) -> Any:  # pragma: no cover - build_nested/encode_nested are used
    raise TypeError("a mixture is decoded and encoded with the extensions")


MIXTURE = DelayType(
    MixtureDistribution,
    MixtureDelay,
    _nested_only,
    _nested_only,
    build_nested=_mixture,
    encode_nested=_mixture_json,
)


class PercentilesDistribution(_Strict):
    p50: Positive
    p90: Positive | None = None
    p95: Positive | None = None
    p99: Positive
    max: Positive | None = None


def _percentiles(model: PercentilesDistribution, pointer: str) -> PercentilesDelay:
    given = {"p50": model.p50, "p90": model.p90, "p95": model.p95, "p99": model.p99}
    points = [(name, v) for _, name in PERCENTILES if (v := given[name]) is not None]
    if model.max is not None:
        points.append(("max", model.max))
    for (low_name, low), (name, value) in itertools.pairwise(points):
        if value < low:
            raise InvalidInput(
                f"{pointer}/{name}", f"must not be below {low_name} ({low:g}): percentiles rise"
            )
    return PercentilesDelay(model.p50, model.p99, model.p90, model.p95, model.max)


PERCENTILE_CURVE = DelayType(
    PercentilesDistribution,
    PercentilesDelay,
    _percentiles,
    lambda d: _without_none(p50=d.p50, p90=d.p90, p95=d.p95, p99=d.p99, max=d.max),
)

MAX_SAMPLES = 100_000


class EmpiricalDistribution(_Strict):
    samplesMs: Annotated[list[Milliseconds], Field(min_length=1, max_length=MAX_SAMPLES)]


EMPIRICAL = DelayType(
    EmpiricalDistribution,
    EmpiricalDelay,
    lambda m, pointer: EmpiricalDelay(tuple(m.samplesMs)),
    lambda d: {"samplesMs": list(d.samples_ms)},
)


# by name, in delay_codec.BUILTIN_NAMES' order (the names a server registers at start-up)
BUILTIN_TYPES: Mapping[str, DelayType[Any, Any]] = {
    "fixed": FIXED,
    "uniform": UNIFORM,
    "lognormal": LOGNORMAL,
    "normal": NORMAL,
    "exponential": EXPONENTIAL,
    "pareto": PARETO,
    "poisson": POISSON,
    "mixture": MIXTURE,
    "percentiles": PERCENTILE_CURVE,
    "empirical": EMPIRICAL,
}
