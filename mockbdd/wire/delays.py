"""``delayDistribution`` JSON ⇄ domain delay distributions, one registry entry per ``type``.

A :class:`DelayType` is everything the wire knows about one type: the pydantic model of its
fields (without ``type``), how to build the domain distribution, and how to write it back. The
schema, the error messages and ``/__admin/settings`` all read the registry, so a new type is
its sampler (``domain/delays.py`` or a plugin) plus one entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mockbdd.domain.delays import (
    MAX_DELAY_MS,
    DelayDistribution,
    FixedDelay,
    LogNormalDelay,
    UniformDelay,
)
from mockbdd.domain.errors import InvalidInput
from mockbdd.extensions import Extensions, Kind
from mockbdd.wire.errors import to_invalid_input, unknown_name

M = TypeVar("M", bound=BaseModel)
D = TypeVar("D")


@dataclass(frozen=True, slots=True)
class DelayType(Generic[M, D]):
    """One ``delayDistribution`` type. ``model`` validates the JSON object less its ``type``;
    ``build(model, pointer)`` makes the distribution (raising ``InvalidInput`` for checks across
    fields); ``encode`` writes a distribution of class ``distribution`` back, less ``type``."""

    model: type[M]
    distribution: type[D]
    build: Callable[[M, str], D]
    encode: Callable[[D], dict[str, Any]]


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


def parse_delay(obj: Any, pointer: str, *, extensions: Extensions) -> DelayDistribution:
    """One ``delayDistribution`` object, decoded by the entry its ``type`` names."""
    table = extensions.derived(_Table.of)
    if not isinstance(obj, dict):
        raise InvalidInput(pointer, f"must be an object with a 'type' ({table.valid})")
    name = obj.get("type")
    if name is None:
        raise InvalidInput(f"{pointer}/type", f"required: one of {table.valid}")
    entry = table.by_name.get(name) if isinstance(name, str) else None
    if entry is None:
        raise InvalidInput(f"{pointer}/type", unknown_name("delay type", name, table.by_name))
    fields = {k: v for k, v in obj.items() if k != "type"}
    try:
        model = entry.model.model_validate(fields)
    except ValidationError as exc:
        raise to_invalid_input(exc, entry.model, pointer) from None
    delay: DelayDistribution = entry.build(model, pointer)
    return delay


def delay_json(delay: DelayDistribution, *, extensions: Extensions) -> dict[str, Any]:
    """A distribution as its ``delayDistribution`` JSON, by the entry that built it."""
    found = extensions.derived(_Table.of).by_class.get(type(delay))
    if found is None:
        raise TypeError(f"no delay type is registered for {type(delay).__name__}")
    name, entry = found
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
LOGNORMAL = DelayType(
    LogNormalDistribution,
    LogNormalDelay,
    lambda m, pointer: LogNormalDelay(m.median, m.sigma, m.maxValue),
    _lognormal_json,
)


def register(extensions: Extensions) -> None:
    extensions.add(DELAY_TYPES, "fixed", FIXED)
    extensions.add(DELAY_TYPES, "uniform", UNIFORM)
    extensions.add(DELAY_TYPES, "lognormal", LOGNORMAL)
