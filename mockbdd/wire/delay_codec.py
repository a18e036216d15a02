"""``delayDistribution`` JSON ⇄ domain delay distributions, one registry entry per ``type``.

A :class:`DelayType` is everything the wire knows about one type: the pydantic model of its
fields (without ``type``), how to build the domain distribution, and how to write it back. The
schema, the error messages and ``/__admin/settings`` all read the registry, so a new type is
its sampler (``domain/delays.py`` or a plugin) plus one entry. The built-in entries, their
models and the samplers of :mod:`mockbdd.sim.distributions` are in :mod:`mockbdd.wire.delays`,
imported when a delay is first decoded or encoded (a server that never delays never holds
them: idle RSS, ``bench/run.py rss``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from mockbdd.domain.delays import DelayDistribution, SeededDelay
from mockbdd.domain.errors import InvalidInput
from mockbdd.extensions import Extensions, Kind
from mockbdd.records import record
from mockbdd.wire.errors import to_invalid_input, unknown_name

M = TypeVar("M", bound=BaseModel)
D = TypeVar("D")


@record
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


@record
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


# the built-in types, in the order errors and the schema list them (mockbdd.wire.delays)
BUILTIN_NAMES = (
    "fixed",
    "uniform",
    "lognormal",
    "normal",
    "exponential",
    "pareto",
    "poisson",
    "mixture",
    "percentiles",
    "empirical",
)


def register(extensions: Extensions) -> None:
    """The built-in types by name; their module loads with the first lookup (a delay decoded
    or encoded, the schema, a plugin asking for one)."""
    for name in BUILTIN_NAMES:
        extensions.add_on_first_use(DELAY_TYPES, name, partial(_builtin, name))


def _builtin(name: str) -> DelayType[Any, Any]:
    from mockbdd.wire.delays import BUILTIN_TYPES  # the models and the samplers

    return BUILTIN_TYPES[name]
