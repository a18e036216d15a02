"""``GET /__admin/docs/openapi.json``: the namespace's mocked endpoints, scenarios and the
server's tag maps as an OpenAPI document (:mod:`mockbdd.openapi.docs`), for any Swagger UI."""

from __future__ import annotations

from typing import Any

from mockbdd.admin.types import AdminContext, AdminRequest, AdminResponse
from mockbdd.domain.errors import InvalidInput
from mockbdd.openapi.docs import openapi_of


def _scenarios(ctx: AdminContext) -> list[dict[str, Any]]:
    declared: dict[str, list[str]] = {}
    for stub in ctx.ns.stubs:
        if stub.scenario_name is not None:
            states = declared.setdefault(stub.scenario_name, [])
            states += [s for s in (stub.required_scenario_state, stub.new_scenario_state) if s]
    return [
        {"name": v.name, "state": v.state, "possibleStates": list(v.possible_states)}
        for v in ctx.ns.scenario_views(declared.items())
    ]


async def openapi_docs(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    try:
        maps = ctx.runtime.tag_map_registry().describe()
    except InvalidInput:  # a server without --tag-maps
        maps = []
    stubs = [dict(s.source) for s in ctx.ns.stubs]
    title = f"mockbdd namespace {ctx.ns.name!r}"
    return AdminResponse(json=openapi_of(title, stubs, _scenarios(ctx), maps))
