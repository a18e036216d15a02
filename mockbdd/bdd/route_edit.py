"""Setting fields on the stub that answers a route now, the way phrase 7 delays it: a stub for
exactly this method and path is edited in place (it keeps its rank, sequence position and "used"
flag); any other (a URL pattern, other conditions) keeps answering the rest, and a step stub for
exactly this route answers as it does, with the fields. A route with no stub answers 200, empty,
with them. Used by the simulation phrases (28-30) and the limits' (34, 36)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockbdd.bdd.scenario_mocks import ScenarioMocks, route_path
from mockbdd.bdd.steps_impl import step_stub
from mockbdd.wire.models import URL_FIELDS

_ROUTE_KEYS = ("method", *URL_FIELDS, "pathParameters")
_SCENARIO_KEYS = ("scenarioName", "requiredScenarioState", "newScenarioState", "scenarioKey")


def with_fields(
    stub: Mapping[str, Any], fields: Mapping[str, Any], drop: tuple[str, ...] = ()
) -> dict[str, Any]:
    """``stub`` (for a PUT) with ``fields`` set on every response, ``drop`` removed."""
    out = {k: v for k, v in stub.items() if k not in ("uuid", "insertionIndex")}

    def changed(response: Mapping[str, Any]) -> dict[str, Any]:
        return {**{k: v for k, v in response.items() if k not in drop}, **fields}

    if isinstance(out.get("responses"), list):
        out["responses"] = [changed(r) for r in out["responses"]]
    else:
        out["response"] = changed(out.get("response") or {"status": 200})
    return out


def on_route(
    mocks: ScenarioMocks,
    service: str,
    method: str,
    path: str,
    fields: Mapping[str, Any],
    drop: tuple[str, ...] = (),
) -> str:
    """Put ``fields`` on the response(s) that answer ``method path`` now (see the module)."""
    route_path(service, path)
    found = mocks.handle.match(method, path, service).route_matches
    if not found:
        response = {"status": 200, **fields}
        return str(
            mocks.admin.create_stub(step_stub(service, method, path, response=response))["id"]
        )
    current = found[0]
    raw = current.stub.raw
    changed = with_fields(raw, fields, drop)
    if current.route_only:
        mocks.admin.update_stub(current.stub.id, changed)
        return current.stub.id
    conditions = {k: v for k, v in (raw.get("request") or {}).items() if k not in _ROUTE_KEYS}
    if isinstance(changed.get("responses"), list):
        mapping = step_stub(
            service, method, path, responses=changed["responses"], request=conditions
        )
        mapping["whenExhausted"] = raw.get("whenExhausted", "repeatLast")
    else:
        mapping = step_stub(service, method, path, response=changed["response"], request=conditions)
    mapping.update({k: raw[k] for k in _SCENARIO_KEYS if k in raw})
    return str(mocks.admin.create_stub(mapping)["id"])
