"""``delayDistribution`` JSON ⇄ domain delay distributions, one registry entry per ``type``.

A :class:`DelayType` is everything the wire knows about one type: the pydantic model of its
fields (without ``type``), how to build the domain distribution, and how to write it back. The
schema, the error messages and ``/__admin/settings`` all read the registry, so a new type is
its sampler (``domain/delays.py`` or a plugin) plus one entry here.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mockbdd.domain.delays import (
    MAX_DELAY_MS,
    DelayDistribution,
    FixedDelay,
    LogNormalDelay,
    SeededDelay,
    UniformDelay,
)
from mockbdd.domain.errors import InvalidInput
from mockbdd.extensions import Extensions, Kind
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
from mockbdd.wire.errors import to_invalid_input, unknown_name
from mockbdd.wire.refs import DelayDistributionJson

M = TypeVar("M", bound=BaseModel)
D = TypeVar("D")


@dataclass(frozen=True, slots=True)
class DelayType(Generic[M, D]):
    """One ``delayDistribution`` type. ``model`` validates the JSON object less its ``type``
    (and less ``seed``, which every type takes); ``build(model, pointer)`` makes the
    distribution (raising ``InvalidInput`` for checks across fields); ``encode`` writes a
    distribution of class ``distribution`` back, less ``type``. A type made of other
    distributions (a mixture) gives ``build_nested`` and ``encode_nested`` instead, which are
    handed the extensions to decode and encode its parts."""

    model: type[M]
    distribution: type[D]
    build: Callable[[M, str], D]
    encode: Callable[[D], dict[str, Any]]
    build_nested: Callable[[M, str, Extensions], D] | None = None
    encode_nested: Callable[[D, Extensions], dict[str, Any]] | None = None


def _check(name: str, entry: object) -> str:
    if not isinstance(entry, DelayType):
        return f"must be a mockbdd.wire.delays.DelayType, got {type(entry).__name__}"
    if not (isinstance(entry.model, type) and issubclass(entry.model, BaseModel)):
        return "its model must be a pydantic model"
    if "type" in entry.model.model_fields:
        return "its model must not declare 'type': the registered name is the type"
    if not callable(getattr(entry.distribution, "sample_ms", None)):
        return "its distribution must have sample_ms(rng) (mockbdd.domain.delays.DelayDistribution)"
    return ""


DELAY_TYPES: Kind[DelayType[Any, Any]] = Kind("delay type", _check)


@dataclass(frozen=True, slots=True)
class _Table:
    by_name: Mapping[str, DelayType[Any, Any]]
    by_class: Mapping[type, tuple[str, DelayType[Any, Any]]]
    valid: str

    @staticmethod
    def of(extensions: Extensions) -> _Table:
        by_name = dict(extensions.items(DELAY_TYPES))
        by_class: dict[type, tuple[str, DelayType[Any, Any]]] = {}
        for name, entry in by_name.items():  # two names for one class: the first is written
            by_class.setdefault(entry.distribution, (name, entry))
        return _Table(by_name, by_class, ", ".join(by_name))


def parse_delay(
    obj: Any, pointer: str, *, extensions: Extensions, seeded: bool = True
) -> DelayDistribution:
    """One ``delayDistribution`` object, decoded by the entry its ``type`` names; with a
    ``seed`` (where ``seeded``), a :class:`SeededDelay` drawing from a stream of its own."""
    table = extensions.derived(_Table.of)
    if not isinstance(obj, dict):
        raise InvalidInput(pointer, f"must be an object with a 'type' ({table.valid})")
    name = obj.get("type")
    if name is None:
        raise InvalidInput(f"{pointer}/type", f"required: one of {table.valid}")
    entry = table.by_name.get(name) if isinstance(name, str) else None
    if entry is None:
        raise InvalidInput(f"{pointer}/type", unknown_name("delay type", name, table.by_name))
    fields = {k: v for k, v in obj.items() if k not in ("type", "seed")}
    seed = _seed(obj.get("seed"), f"{pointer}/seed", seeded)
    try:
        model = entry.model.model_validate(fields)
    except ValidationError as exc:
        raise to_invalid_input(exc, entry.model, pointer) from None
    delay: DelayDistribution = (
        entry.build(model, pointer)
        if entry.build_nested is None
        else entry.build_nested(model, pointer, extensions)
    )
    return delay if seed is None else SeededDelay(delay, seed)


MAX_SEED = 2**63 - 1


def _seed(value: Any, pointer: str, allowed: bool) -> int | None:
    if value is None:
        return None
    if not allowed:
        raise InvalidInput(pointer, "a part draws from its whole's random source: seed the whole")
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_SEED:
        raise InvalidInput(pointer, f"must be a whole number in 0..{MAX_SEED}")
    return value


def delay_json(delay: DelayDistribution, *, extensions: Extensions) -> dict[str, Any]:
    """A distribution as its ``delayDistribution`` JSON, by the entry that built it."""
    if isinstance(delay, SeededDelay):
        return {**delay_json(delay.distribution, extensions=extensions), "seed": delay.seed}
    found = extensions.derived(_Table.of).by_class.get(type(delay))
    if found is None:
        raise TypeError(f"no delay type is registered for {type(delay).__name__}")
    name, entry = found
    if entry.encode_nested is not None:
        return {"type": name, **entry.encode_nested(delay, extensions)}
    return {"type": name, **entry.encode(delay)}


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


def register(extensions: Extensions) -> None:
    extensions.add(DELAY_TYPES, "fixed", FIXED)
    extensions.add(DELAY_TYPES, "uniform", UNIFORM)
    extensions.add(DELAY_TYPES, "lognormal", LOGNORMAL)
    extensions.add(DELAY_TYPES, "normal", NORMAL)
    extensions.add(DELAY_TYPES, "exponential", EXPONENTIAL)
    extensions.add(DELAY_TYPES, "pareto", PARETO)
    extensions.add(DELAY_TYPES, "poisson", POISSON)
    extensions.add(DELAY_TYPES, "mixture", MIXTURE)
    extensions.add(DELAY_TYPES, "percentiles", PERCENTILE_CURVE)
    extensions.add(DELAY_TYPES, "empirical", EMPIRICAL)
