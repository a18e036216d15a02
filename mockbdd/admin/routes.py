"""The admin route table: one flat list shared by the server (dispatch) and the client (URLs)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from mockbdd.admin import journal_tasks as j
from mockbdd.admin import mapping_tasks as m
from mockbdd.admin import namespace_tasks as n
from mockbdd.admin import system_tasks as s
from mockbdd.admin import tag_map_tasks as t
from mockbdd.admin.types import Task

_VAR = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    template: str  # relative to the admin root, e.g. "/mappings/{id}"
    task: Task
    root_only: bool = False  # only at /__admin, not inside a namespace
    regex: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        pattern = _VAR.sub(lambda mt: f"(?P<{mt.group(1)}>[^/]+)", self.template)
        object.__setattr__(self, "regex", re.compile(pattern))

    @property
    def name(self) -> str:
        return self.task.__name__

    def path(self, **params: str) -> str:
        return _VAR.sub(lambda mt: quote(params[mt.group(1)], safe=""), self.template)


ROUTES: tuple[Route, ...] = (
    Route("GET", "/mappings", m.list_mappings),
    Route("POST", "/mappings", m.create_mapping),
    Route("DELETE", "/mappings", m.delete_mappings),
    Route("POST", "/mappings/import", m.import_mappings),
    Route("POST", "/mappings/reset", m.reset_mappings),
    Route("POST", "/mappings/save", m.save_mappings),
    Route("POST", "/mappings/find-by-metadata", m.find_by_metadata),
    Route("POST", "/mappings/remove-by-metadata", m.remove_by_metadata),
    Route("GET", "/mappings/unmatched", m.unmatched_mappings),
    Route("DELETE", "/mappings/unmatched", m.remove_unmatched_mappings),
    Route("GET", "/mappings/{id}", m.get_mapping),
    Route("PUT", "/mappings/{id}", m.edit_mapping),
    Route("DELETE", "/mappings/{id}", m.delete_mapping),
    Route("GET", "/requests", j.list_requests),
    Route("DELETE", "/requests", j.reset_requests),
    Route("POST", "/requests/reset", j.reset_requests),
    Route("POST", "/requests/count", j.count_requests),
    Route("POST", "/requests/find", j.find_requests),
    Route("POST", "/requests/remove", j.remove_requests),
    Route("POST", "/requests/remove-by-metadata", j.remove_requests_by_metadata),
    Route("POST", "/requests/wait", j.wait_for_requests),
    Route("GET", "/requests/unmatched", j.unmatched_requests),
    Route("GET", "/requests/unmatched/near-misses", j.unmatched_near_misses),
    Route("GET", "/requests/{id}", j.get_request),
    Route("DELETE", "/requests/{id}", j.delete_request),
    Route("POST", "/near-misses/request", j.near_misses_for_request),
    Route("POST", "/near-misses/request-pattern", j.near_misses_for_pattern),
    Route("GET", "/scenarios", s.list_scenarios),
    Route("POST", "/scenarios/reset", s.reset_scenarios),
    Route("PUT", "/scenarios/{name}/state", s.set_scenario_state),
    Route("POST", "/reset", s.reset_all),
    Route("GET", "/settings", s.get_settings),
    Route("POST", "/settings", s.update_settings),
    Route("PUT", "/settings", s.update_settings),
    Route("GET", "/health", s.health),
    Route("GET", "/version", s.version),
    Route("GET", "/tag-maps", t.list_tag_maps),
    Route("POST", "/tag-maps/{name}/apply", t.apply_tag_map),
    Route("POST", "/shutdown", s.shutdown, root_only=True),
    Route("POST", "/namespaces", n.create_namespace, root_only=True),
    Route("GET", "/namespaces", n.list_namespaces, root_only=True),
    Route("DELETE", "/namespaces/{ns}", n.delete_namespace, root_only=True),
)

BY_NAME = {r.name: r for r in ROUTES if not (r.method == "PUT" and r.template == "/settings")}


@dataclass(frozen=True, slots=True)
class RouteMatch:
    route: Route | None
    params: dict[str, str]
    allowed: tuple[str, ...] = ()  # methods the path accepts, for a 405


def match_route(method: str, path: str, *, at_root: bool) -> RouteMatch:
    """``path`` is the raw (still percent-encoded) admin path, so ``%2F`` stays inside a parameter."""
    allowed: list[str] = []
    for route in ROUTES:
        if route.root_only and not at_root:
            continue
        found = route.regex.fullmatch(path)
        if found is None:
            continue
        if route.method == method:
            return RouteMatch(route, {k: unquote(v) for k, v in found.groupdict().items()})
        allowed.append(route.method)
    return RouteMatch(None, {}, tuple(allowed))
