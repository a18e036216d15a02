"""Admin tasks for scenarios, settings, reset, health and namespaces."""

from __future__ import annotations

import random
import time
from datetime import datetime, timezone
from typing import Any

from mockbdd.admin.mapping_tasks import reload_mapping_folder
from mockbdd.admin.types import AdminContext, AdminRequest, AdminResponse
from mockbdd.domain.delays import SeededDelay
from mockbdd.domain.errors import InvalidInput, NotFound, unknown_field
from mockbdd.domain.scenarios import STARTED
from mockbdd.domain.stubs import StubMapping
from mockbdd.sim.summary import draw, summarise
from mockbdd.sim.timeline import settings_in_force
from mockbdd.version import __version__
from mockbdd.wire.delay_codec import parse_delay
from mockbdd.wire.mappings import stub_to_json
from mockbdd.wire.settings import parse_settings, settings_json


def _states(stub: StubMapping) -> list[str]:
    return [x for x in (stub.required_scenario_state, stub.new_scenario_state) if x]


async def list_scenarios(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    """WireMock's Scenario JSON, with the ``mappings`` of each (as real WireMock 3.13.2)."""
    stubs: dict[str, list[StubMapping]] = {}
    for stub in reversed(list(ctx.ns.stubs)):  # oldest first (same priority), as WireMock
        if stub.scenario_name is not None:
            stubs.setdefault(stub.scenario_name, []).append(stub)
    declared = [(name, [x for s in group for x in _states(s)]) for name, group in stubs.items()]
    views = ctx.ns.scenario_views(declared)
    return AdminResponse(
        json={
            "scenarios": [
                {
                    "id": v.name,
                    "name": v.name,
                    "state": v.state,
                    "possibleStates": list(v.possible_states),
                    "mappings": [stub_to_json(s) for s in stubs.get(v.name, ())],
                }
                for v in views
            ]
        }
    )


async def reset_scenarios(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    ctx.ns.reset_scenarios()
    return AdminResponse(200, {})


async def set_scenario_state(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    name = req.params["name"]
    known = {s.scenario_name for s in ctx.ns.stubs if s.scenario_name is not None}
    if name not in known:
        raise NotFound(f"no scenario named {name!r} (known: {', '.join(sorted(known)) or 'none'})")
    body = req.json_object()
    state = body.get("state")
    if state is None:
        ctx.ns.set_scenario_state(name, None)
        return AdminResponse(200, {})
    if not isinstance(state, str) or not state:
        raise InvalidInput("/state", "must be a non-empty string")
    possible = {STARTED, *(x for s in ctx.ns.stubs if s.scenario_name == name for x in _states(s))}
    if state not in possible:  # real WireMock 3.13.2 refuses it too (422)
        raise InvalidInput("/state", f"Scenario {name} does not support state {state}")
    ctx.ns.set_scenario_state(name, state)
    return AdminResponse(200, {})


async def reset_all(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    await reload_mapping_folder(ctx)
    ctx.ns.reset()
    await ctx.runtime.pressure.release(ctx.ns.name)  # a reset ends the namespace's pressure
    return AdminResponse(200, {})


def _settings_now(ctx: AdminContext) -> dict[str, Any]:
    """The values in force now (a timeline applied), with the timeline as it was set."""
    ns, extensions = ctx.ns, ctx.runtime.extensions
    now = ns.clock()
    data = settings_json(settings_in_force(ns, now), extensions=extensions)
    if ns.settings.timeline:
        data["timeline"] = settings_json(ns.settings, extensions=extensions)["timeline"]
        data["timelineElapsedMs"] = round((now - ns.settings_since) * 1000)
    return data


async def get_settings(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    return AdminResponse(json={"settings": _settings_now(ctx)})


async def update_settings(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    body = req.json_object()
    if isinstance(body.get("settings"), dict):
        body = body["settings"]
    extensions = ctx.runtime.extensions
    ctx.ns.update_settings(parse_settings(body, extensions=extensions))
    return AdminResponse(200, {"settings": _settings_now(ctx)})


MAX_SAMPLES = 100_000


async def sample_delays(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    """``{"delayDistribution", "count", "seed"?}`` → ``{"samples", "summary"}``: a delay
    profile drawn without sleeping, to preview and plot it (the namespace's random source is
    not touched: without a seed the draws are unseeded)."""
    body = req.json_object()
    unknown = sorted(set(body) - {"delayDistribution", "count", "seed"})
    if unknown:
        raise InvalidInput(
            f"/{unknown[0]}", unknown_field(unknown[0], ("delayDistribution", "count", "seed"))
        )
    if body.get("delayDistribution") is None:
        raise InvalidInput("/delayDistribution", "required: the distribution to sample")
    delay = parse_delay(
        body["delayDistribution"], "/delayDistribution", extensions=ctx.runtime.extensions
    )
    count = body.get("count", 1000)
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_SAMPLES:
        raise InvalidInput("/count", f"must be a whole number in 1..{MAX_SAMPLES}")
    seed = body.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or seed < 0):
        raise InvalidInput("/seed", "must be a whole number from 0")
    if isinstance(delay, SeededDelay):
        seed, delay = delay.seed if seed is None else seed, delay.distribution
    samples = draw(delay, count, random.Random(seed))
    return AdminResponse(json={"samples": samples, "summary": summarise(samples)})


async def health(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    """WireMock's health JSON: ``uptimeInSeconds`` counts from when the server started."""
    now = time.time()
    return AdminResponse(
        json={
            "status": "healthy",
            "message": "mockbdd is ok",
            "version": __version__,
            "uptimeInSeconds": int(ctx.runtime.uptime_seconds()),
            "timestamp": datetime.fromtimestamp(now, tz=timezone.utc)
            .isoformat()
            .replace("+00:00", "Z"),
        }
    )


async def version(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    return AdminResponse(json={"version": __version__})


async def shutdown(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    ctx.runtime.request_shutdown()
    return AdminResponse(200, {})
