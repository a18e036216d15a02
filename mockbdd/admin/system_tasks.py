"""Admin tasks for scenarios, settings, reset, health and namespaces."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from mockbdd import __version__
from mockbdd.admin.tag_map_tasks import TagMapPlan, plan_tag_maps
from mockbdd.admin.types import AdminContext, AdminRequest, AdminResponse
from mockbdd.domain.errors import InvalidInput, NotFound
from mockbdd.domain.namespace import Namespace, Settings
from mockbdd.wire.mappings import parse_delay_distribution, parse_stub_mapping


async def list_scenarios(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    declared = [
        (s.scenario_name, [x for x in (s.required_scenario_state, s.new_scenario_state) if x])
        for s in ctx.ns.stubs
        if s.scenario_name is not None
    ]
    views = ctx.ns.scenarios.views(declared)
    return AdminResponse(
        json={
            "scenarios": [
                {
                    "id": v.name,
                    "name": v.name,
                    "state": v.state,
                    "possibleStates": list(v.possible_states),
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
        ctx.ns.scenarios.reset(name)
    elif not isinstance(state, str) or not state:
        raise InvalidInput("/state", "must be a non-empty string")
    else:
        ctx.ns.scenarios.set(name, state)
    return AdminResponse(200, {})


async def reset_all(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    ctx.ns.reset()
    ctx.runtime.restore_file_mappings(ctx.ns)
    return AdminResponse(200, {})


def _settings_json(settings: Settings) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if settings.fixed_delay_ms is not None:
        data["fixedDelay"] = settings.fixed_delay_ms
    data.update(settings.extended)
    return data


async def get_settings(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    return AdminResponse(json={"settings": _settings_json(ctx.ns.settings)})


_SETTINGS_KEYS = ("fixedDelay", "delayDistribution", "extended")


def parse_settings(body: dict[str, Any]) -> Settings:
    """WireMock global settings: ``fixedDelay``, ``delayDistribution``, ``extended``."""
    unknown = sorted(set(body) - set(_SETTINGS_KEYS))
    if unknown:
        raise InvalidInput(
            f"/{unknown[0]}",
            f"setting not supported by this mockbdd version (supported: {', '.join(_SETTINGS_KEYS)})",
        )
    fixed = body.get("fixedDelay")
    if fixed is not None and (not isinstance(fixed, int) or isinstance(fixed, bool) or fixed < 0):
        raise InvalidInput("/fixedDelay", "must be a whole number of milliseconds >= 0")
    delay = None
    if body.get("delayDistribution") is not None:
        delay = parse_delay_distribution(body["delayDistribution"], "/delayDistribution")
    extended = body.get("extended") or {}
    if not isinstance(extended, dict):
        raise InvalidInput("/extended", "must be an object")
    return Settings(fixed, delay, {"extended": extended} if extended else {})


async def update_settings(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    body = req.json_object()
    if isinstance(body.get("settings"), dict):
        body = body["settings"]
    ctx.ns.settings = parse_settings(body)
    return AdminResponse(200, {"settings": _settings_json(ctx.ns.settings)})


async def health(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    return AdminResponse(
        json={"status": "healthy", "message": "mockbdd is ok", "version": __version__}
    )


async def version(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    return AdminResponse(json={"version": __version__})


async def shutdown(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    ctx.runtime.request_shutdown()
    return AdminResponse(200, {})


def namespace_json(ctx: AdminContext, ns: Namespace) -> dict[str, Any]:
    at = ns.expires_at()
    return {
        "name": ns.name,
        "baseUrl": ctx.runtime.base_url(ns),
        "adminUrl": ctx.runtime.admin_url(ns),
        "expiresAt": None
        if at is None
        else datetime.fromtimestamp(at, tz=timezone.utc).isoformat().replace("+00:00", "Z"),
        "port": ns.port,
    }


_NAMESPACE_FIELDS = (
    "name",
    "tagMaps",
    "ttlSeconds",
    "port",
    "mappings",
    "settings",
    "scenarioStates",
)


def _plan_contents(ctx: AdminContext, body: dict[str, Any]) -> TagMapPlan:
    """Everything a new namespace starts with, decoded before the namespace exists."""
    tag_maps = body.get("tagMaps") or []
    if not isinstance(tag_maps, list) or not all(isinstance(t, str) for t in tag_maps):
        raise InvalidInput("/tagMaps", "must be a list of tag bodies such as 'checkout_failure'")
    plan = plan_tag_maps(ctx.runtime.tag_map_registry(), tag_maps) if tag_maps else TagMapPlan()
    mappings = body.get("mappings") or []
    if not isinstance(mappings, list):
        raise InvalidInput("/mappings", "must be a list of stub mappings")
    stubs = tuple(parse_stub_mapping(m, f"/mappings/{i}") for i, m in enumerate(mappings))
    settings = plan.settings
    if body.get("settings") is not None:
        if not isinstance(body["settings"], dict):
            raise InvalidInput("/settings", "must be an object")
        try:
            settings = parse_settings(body["settings"])
        except InvalidInput as exc:
            raise InvalidInput(f"/settings{exc.pointer}", exc.reason) from None
    states = body.get("scenarioStates") or {}
    if not isinstance(states, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in states.items()
    ):
        raise InvalidInput("/scenarioStates", "must map scenario names to state names")
    return TagMapPlan(plan.stubs + stubs, settings, plan.scenarios + tuple(states.items()))


async def create_namespace(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    """One call opens a ready namespace: stubs, settings and scenario states, all or nothing."""
    body = req.json_object()
    unknown = sorted(set(body) - set(_NAMESPACE_FIELDS))
    if unknown:
        raise InvalidInput(
            f"/{unknown[0]}", f"unknown field (known: {', '.join(_NAMESPACE_FIELDS)})"
        )
    name = body.get("name")
    if name is not None and not isinstance(name, str):
        raise InvalidInput("/name", "must be a string")
    ttl = body.get("ttlSeconds")
    if ttl is not None and (not isinstance(ttl, int | float) or isinstance(ttl, bool)):
        raise InvalidInput("/ttlSeconds", "must be a number of seconds")
    port = body.get("port")
    if port is not None and (
        not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535
    ):
        raise InvalidInput("/port", "must be a port number (0 = any free port)")
    plan = _plan_contents(ctx, body)
    ns = ctx.engine.create(name, ttl)
    try:
        plan.apply_to(ns)
        if port is not None:
            ns.port = await ctx.runtime.open_port(ns, port)
    except BaseException:
        ctx.engine.delete(ns.name)
        raise
    return AdminResponse(201, namespace_json(ctx, ns))


async def list_namespaces(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    return AdminResponse(json={"namespaces": [namespace_json(ctx, ns) for ns in ctx.engine]})


async def delete_namespace(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    ns = ctx.engine.delete(req.params["ns"])
    if ns.port is not None:
        await ctx.runtime.close_port(ns)
    return AdminResponse(200, {})
