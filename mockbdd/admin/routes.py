"""The admin route table: each route spec (:mod:`mockbdd.admin.spec`) bound to its task."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from mockbdd.admin import journal_tasks as j
from mockbdd.admin import load_tasks as lt
from mockbdd.admin import mapping_tasks as m
from mockbdd.admin import namespace_tasks as n
from mockbdd.admin import spec
from mockbdd.admin import system_tasks as s
from mockbdd.admin import tag_map_tasks as t
from mockbdd.admin import verify_tasks as v
from mockbdd.admin.spec import RouteSpec
from mockbdd.admin.types import Task

_VAR = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True, slots=True)
class Route:
    spec: RouteSpec
    task: Task
    regex: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        pattern = _VAR.sub(lambda mt: f"(?P<{mt.group(1)}>[^/]+)", self.spec.template)
        object.__setattr__(self, "regex", re.compile(pattern))

    @property
    def method(self) -> str:
        return self.spec.method

    @property
    def template(self) -> str:
        return self.spec.template

    @property
    def root_only(self) -> bool:
        return self.spec.root_only

    @property
    def name(self) -> str:
        return self.spec.name


ROUTES: tuple[Route, ...] = (
    Route(spec.LIST_MAPPINGS, m.list_mappings),
    Route(spec.CREATE_MAPPING, m.create_mapping),
    Route(spec.DELETE_MAPPINGS, m.delete_mappings),
    Route(spec.IMPORT_MAPPINGS, m.import_mappings),
    Route(spec.RESET_MAPPINGS, m.reset_mappings),
    Route(spec.SAVE_MAPPINGS, m.save_mappings),
    Route(spec.FIND_BY_METADATA, m.find_by_metadata),
    Route(spec.REMOVE_BY_METADATA, m.remove_by_metadata),
    Route(spec.UNMATCHED_MAPPINGS, m.unmatched_mappings),
    Route(spec.REMOVE_UNMATCHED_MAPPINGS, m.remove_unmatched_mappings),
    Route(spec.GET_MAPPING, m.get_mapping),
    Route(spec.EDIT_MAPPING, m.edit_mapping),
    Route(spec.DELETE_MAPPING, m.delete_mapping),
    Route(spec.LIST_REQUESTS, j.list_requests),
    Route(spec.RESET_REQUESTS_DELETE, j.reset_requests),
    Route(spec.RESET_REQUESTS, j.reset_requests),
    Route(spec.COUNT_REQUESTS, j.count_requests),
    Route(spec.FIND_REQUESTS, j.find_requests),
    Route(spec.REMOVE_REQUESTS, j.remove_requests),
    Route(spec.REMOVE_REQUESTS_BY_METADATA, j.remove_requests_by_metadata),
    Route(spec.WAIT_FOR_REQUESTS, j.wait_for_requests),
    Route(spec.UNMATCHED_REQUESTS, j.unmatched_requests),
    Route(spec.UNMATCHED_NEAR_MISSES, j.unmatched_near_misses),
    Route(spec.GET_REQUEST, j.get_request),
    Route(spec.DELETE_REQUEST, j.delete_request),
    Route(spec.NEAR_MISSES_FOR_REQUEST, j.near_misses_for_request),
    Route(spec.NEAR_MISSES_FOR_PATTERN, j.near_misses_for_pattern),
    Route(spec.LIST_SCENARIOS, s.list_scenarios),
    Route(spec.RESET_SCENARIOS, s.reset_scenarios),
    Route(spec.SET_SCENARIO_STATE, s.set_scenario_state),
    Route(spec.RESET_ALL, s.reset_all),
    Route(spec.GET_SETTINGS, s.get_settings),
    Route(spec.UPDATE_SETTINGS, s.update_settings),
    Route(spec.UPDATE_SETTINGS_PUT, s.update_settings),
    Route(spec.HEALTH, s.health),
    Route(spec.VERSION, s.version),
    Route(spec.LIST_TAG_MAPS, t.list_tag_maps),
    Route(spec.APPLY_TAG_MAP, t.apply_tag_map),
    Route(spec.SHUTDOWN, s.shutdown),
    Route(spec.CREATE_NAMESPACE, n.create_namespace),
    Route(spec.LIST_NAMESPACES, n.list_namespaces),
    Route(spec.DELETE_NAMESPACE, n.delete_namespace),
    Route(spec.MATCH_REQUEST, v.match_request),
    Route(spec.VERIFY_REQUESTS, v.verify_requests),
    Route(spec.SWITCH_MAPPINGS, v.switch_mappings),
    Route(spec.UNUSED_MAPPINGS, v.unused_mappings),
    Route(spec.START_LOAD_RUN, lt.start_load_run),
    Route(spec.LIST_LOAD_RUNS, lt.list_load_runs),
    Route(spec.GET_LOAD_RUN, lt.get_load_run),
    Route(spec.CANCEL_LOAD_RUN, lt.cancel_load_run),
)


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
