"""Timelines: settings that change over time from the moment they are set (brown-outs,
latency ramps, error-rate steps), and the values in force at a moment.

A step (``{"atMs", "settings"}``) sets the keys it names from ``atMs`` on. A ramp
(``{"atMs", "rampMs", "to"}``) moves every number of the keys it names, linearly, from the value
in force at ``atMs`` to the target at ``atMs + rampMs``: rates, delays (of the same type) and
limits. A key not in force when the ramp starts ramps up from zero where zero means "nothing"
(chaos, network, degradation, a delay); bandwidth and limits, which have no such zero, and a
delay of another type, switch to the target when the ramp starts. Whole-number fields (limits,
statuses) stay whole; seeds, statuses, modes and keys never ramp.

Everything but the ramp's interpolation is worked out once per settings object
(:func:`compile_timeline`), so reading the values in force costs a bisection and, in a ramp,
one interpolation.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import field, fields, is_dataclass, replace
from typing import Any, TypeVar

from mockbdd.domain.delays import DelayDistribution, FixedDelay
from mockbdd.domain.namespace import Namespace, Settings
from mockbdd.domain.simulation import (
    Chaos,
    Degradation,
    Network,
    Phase,
    Simulation,
)
from mockbdd.records import record

T = TypeVar("T")
NEVER_RAMPED = frozenset({"seed", "error_status", "status", "reject_status", "key", "model"})
ZERO_IS_NOTHING: tuple[type, ...] = (Chaos, Network, Degradation)


def merged(base: Settings, phase: Phase) -> Settings:
    """``base`` with what ``phase`` sets (a step)."""
    delay, fixed = base.delay_distribution, base.fixed_delay_ms
    if phase.delay is not None:
        delay, fixed = phase.delay, None
    elif phase.fixed_delay_ms is not None:
        delay, fixed = None, phase.fixed_delay_ms
    return replace(
        base,
        delay_distribution=delay,
        fixed_delay_ms=fixed,
        simulation=phase.simulation.over(base.simulation),
        rate_limit=base.rate_limit if phase.rate_limit is None else phase.rate_limit,
        concurrency=base.concurrency if phase.concurrency is None else phase.concurrency,
    )


def _lerp_number(a: Any, b: Any, t: float) -> Any:
    value = a + (b - a) * t
    return round(value) if isinstance(a, int) and isinstance(b, int) else value


def lerp(a: T | None, b: T, t: float) -> T:
    """The value a fraction ``t`` of the way from ``a`` to ``b`` (see the module's rules)."""
    if t >= 1.0:
        return b
    if a is None:
        if isinstance(b, ZERO_IS_NOTHING) or _is_delay(b):
            a = _zero(b)
        else:
            return b
    if type(a) is not type(b) or not is_dataclass(b) or isinstance(b, type):
        return b
    changes: dict[str, Any] = {}
    for f in fields(b):
        if not f.init or f.name in NEVER_RAMPED:
            continue
        old, new = getattr(a, f.name), getattr(b, f.name)
        if _number(old) and _number(new):
            changes[f.name] = _lerp_number(old, new, t)
        elif is_dataclass(new) and not isinstance(new, type):
            changes[f.name] = lerp(old, new, t)
        elif isinstance(new, tuple) and isinstance(old, tuple) and len(old) == len(new):
            changes[f.name] = tuple(lerp(x, y, t) for x, y in zip(old, new, strict=True))
    return replace(b, **changes) if changes else b


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_delay(value: object) -> bool:
    return callable(getattr(value, "sample_ms", None))


def _zero(value: T) -> T:
    if not is_dataclass(value) or isinstance(value, type):
        return value
    zeros = {
        f.name: 0 if isinstance(getattr(value, f.name), int) else 0.0
        for f in fields(value)
        if f.init and f.name not in NEVER_RAMPED and _number(getattr(value, f.name))
    }
    return replace(value, **zeros)


def _ramped(start: Settings, end: Settings, phase: Phase, t: float) -> Settings:
    """``start`` moved a fraction ``t`` towards ``end`` for the keys ``phase`` names."""
    changes: dict[str, Any] = {}
    if phase.delay is not None or phase.fixed_delay_ms is not None:
        changes["delay_distribution"] = _delay_between(start, end, t)
        changes["fixed_delay_ms"] = None
    sim: dict[str, Any] = {}
    for f in fields(Simulation):
        target = getattr(phase.simulation, f.name)
        if target is not None:
            sim[f.name] = lerp(
                getattr(start.simulation, f.name), getattr(end.simulation, f.name), t
            )
    if sim:
        changes["simulation"] = replace(start.simulation, **sim)
    if phase.rate_limit is not None:
        changes["rate_limit"] = lerp(start.rate_limit, end.rate_limit, t)
    if phase.concurrency is not None:
        changes["concurrency"] = lerp(start.concurrency, end.concurrency, t)
    return replace(start, **changes)


def _delay_between(start: Settings, end: Settings, t: float) -> DelayDistribution | None:
    a = _as_distribution(start)
    b = _as_distribution(end)
    if b is None:
        return None
    return lerp(a, b, t)


def _as_distribution(settings: Settings) -> DelayDistribution | None:
    if settings.delay_distribution is not None:
        return settings.delay_distribution
    if settings.fixed_delay_ms:
        return FixedDelay(float(settings.fixed_delay_ms))
    return None


@record
class _Segment:
    start_ms: float
    end_ms: float  # == start_ms for a step
    before: Settings  # in force when the entry starts
    after: Settings  # in force once it is over
    phase: Phase


@record
class CompiledTimeline:
    """A settings object's timeline, with the settings in force around every entry."""

    base: Settings
    starts: tuple[float, ...]
    segments: tuple[_Segment, ...]
    # [from_ms, until_ms, settings]: the last settings found that hold over a stretch of time
    # (outside ramps), so a request inside that stretch costs two comparisons
    _held: list[Any] = field(default_factory=lambda: [1.0, 0.0, None], compare=False, repr=False)

    def at(self, elapsed_ms: float) -> Settings:
        """The settings in force ``elapsed_ms`` after the timeline started."""
        held = self._held
        if held[0] <= elapsed_ms < held[1]:
            found: Settings = held[2]
            return found
        starts = self.starts
        i = bisect.bisect_right(starts, elapsed_ms) - 1
        until = starts[i + 1] if i + 1 < len(starts) else math.inf
        if i < 0:
            held[:] = (-math.inf, until, self.base)
            return self.base
        segment = self.segments[i]
        if elapsed_ms >= segment.end_ms:
            held[:] = (segment.end_ms, until, segment.after)
            return segment.after
        t = (elapsed_ms - segment.start_ms) / (segment.end_ms - segment.start_ms)
        return _ramped(segment.before, segment.after, segment.phase, t)


def compile_timeline(settings: Settings) -> CompiledTimeline:
    base = replace(settings, timeline=())
    current = base
    segments = []
    for entry in settings.timeline:
        after = merged(current, entry.phase)
        segments.append(
            _Segment(entry.at_ms, entry.at_ms + entry.ramp_ms, current, after, entry.phase)
        )
        current = after
    return CompiledTimeline(base, tuple(s.start_ms for s in segments), tuple(segments))


def settings_in_force(ns: Namespace, now: float) -> Settings:
    """The settings of ``ns`` in force at ``now`` (epoch seconds, as ``ns.clock()``): its
    settings as set, with its timeline applied from ``ns.settings_since``. Without a timeline,
    the settings object itself (no work). The result has no timeline of its own. The compiled
    timeline is kept by the namespace until its settings change."""
    settings = ns.settings
    if not settings.timeline:
        return settings
    return ns.settings_derived(compile_timeline).at((now - ns.settings_since) * 1000.0)
