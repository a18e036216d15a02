"""Admin tasks for scenarios, settings, reset, health and namespaces."""

from __future__ import annotations

from mockbdd import __version__
from mockbdd.admin.types import AdminContext, AdminRequest, AdminResponse
from mockbdd.domain.errors import InvalidInput, NotFound
from mockbdd.wire.settings import parse_settings, settings_json


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
    return AdminResponse(200, {})


async def get_settings(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    return AdminResponse(json={"settings": settings_json(ctx.ns.settings)})


async def update_settings(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    body = req.json_object()
    if isinstance(body.get("settings"), dict):
        body = body["settings"]
    ctx.ns.settings = parse_settings(body)
    return AdminResponse(200, {"settings": settings_json(ctx.ns.settings)})


async def health(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    return AdminResponse(
        json={"status": "healthy", "message": "mockbdd is ok", "version": __version__}
    )


async def version(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    return AdminResponse(json={"version": __version__})


async def shutdown(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    ctx.runtime.request_shutdown()
    return AdminResponse(200, {})
