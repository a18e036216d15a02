"""Namespace settings ⇄ WireMock's global settings JSON (``/__admin/settings``), plus the
simulation keys of DESIGN §11 (``chaos``, ``network``, ``bandwidth``, ``degradation``,
``rateLimit``, ``concurrency``, ``timeline``, ``seed``)."""

from __future__ import annotations

from typing import Any

from mockbdd.domain.delays import MAX_DELAY_MS
from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.namespace import Settings
from mockbdd.domain.simulation import Timeline
from mockbdd.extensions import Extensions
from mockbdd.wire.builtins import BUILTIN
from mockbdd.wire.delay_codec import MAX_SEED, delay_json, parse_delay
from mockbdd.wire.limits import (
    concurrency_json,
    parse_concurrency,
    parse_rate_limit,
    rate_limit_json,
)
from mockbdd.wire.sim_models import SIMULATION_FIELDS
from mockbdd.wire.simulation import parse_simulation, parse_timeline, simulation_json, timeline_json

SUPPORTED = (
    "fixedDelay",
    "delayDistribution",
    "extended",
    "rateLimit",
    "concurrency",
    *SIMULATION_FIELDS,
    "timeline",
    "seed",
)
ACCEPTED_AND_IGNORED = (
    "proxyPassThrough",  # sent by WireMock's Java client on every update
    "timelineElapsedMs",  # shown by GET /settings: settings sent back as shown are taken
)


def parse_settings(body: dict[str, Any], *, extensions: Extensions = BUILTIN) -> Settings:
    """``fixedDelay``, ``delayDistribution``, ``extended``, the limits (``rateLimit``,
    ``concurrency``) and the other simulation keys; anything else is refused by name. All or
    nothing: the first bad field refuses the whole update."""
    unknown = sorted(set(body) - set(SUPPORTED) - set(ACCEPTED_AND_IGNORED))
    if unknown:
        raise InvalidInput(
            f"/{unknown[0]}",
            f"setting not supported by this mockbdd version (supported: {', '.join(SUPPORTED)})",
        )
    fixed = body.get("fixedDelay")
    if fixed is not None and (
        not isinstance(fixed, int) or isinstance(fixed, bool) or not 0 <= fixed <= MAX_DELAY_MS
    ):
        raise InvalidInput(
            "/fixedDelay", f"must be a whole number of milliseconds in 0..{MAX_DELAY_MS}"
        )
    delay = None
    if body.get("delayDistribution") is not None:
        delay = parse_delay(body["delayDistribution"], "/delayDistribution", extensions=extensions)
    extended = body.get("extended") or {}
    if not isinstance(extended, dict):
        raise InvalidInput("/extended", "must be an object")
    rate = body.get("rateLimit")
    concurrency = body.get("concurrency")
    seed = body.get("seed")
    if seed is not None and (
        not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED
    ):
        raise InvalidInput("/seed", f"must be a whole number in 0..{MAX_SEED}")
    timeline: Timeline = ()
    if body.get("timeline") is not None:
        timeline = parse_timeline(body["timeline"], "/timeline", extensions)
    return Settings(
        fixed,
        delay,
        {"extended": extended} if extended else {},
        rate_limit=None if rate is None else parse_rate_limit(rate, "/rateLimit"),
        concurrency=None if concurrency is None else parse_concurrency(concurrency, "/concurrency"),
        simulation=parse_simulation(body),
        timeline=timeline,
        seed=seed,
    )


def settings_json(settings: Settings, *, extensions: Extensions = BUILTIN) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if settings.fixed_delay_ms is not None:
        data["fixedDelay"] = settings.fixed_delay_ms
    if settings.delay_distribution is not None:
        data["delayDistribution"] = delay_json(settings.delay_distribution, extensions=extensions)
    data.update(settings.extended)
    if settings.rate_limit is not None:
        data["rateLimit"] = rate_limit_json(settings.rate_limit)
    if settings.concurrency is not None:
        data["concurrency"] = concurrency_json(settings.concurrency)
    data.update(simulation_json(settings.simulation))
    if settings.timeline:
        data["timeline"] = timeline_json(settings.timeline, extensions)
    if settings.seed is not None:
        data["seed"] = settings.seed
    return data
