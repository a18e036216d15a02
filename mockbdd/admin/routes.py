"""The admin route table: each route spec (:mod:`mockbdd.admin.spec`) bound to its task.

The tasks every run uses (mappings, the journal, health and settings) are imported here; the
rest (verify and switch, tag maps, namespaces, collections, metrics, pressure, plugins) on their first call, so
an idle server does not hold modules most runs never touch (DESIGN §9: idle RSS)."""

from __future__ import annotations

import importlib
import re
from dataclasses import field
from urllib.parse import unquote

from mockbdd.admin import journal_tasks as j
from mockbdd.admin import mapping_tasks as m
from mockbdd.admin import spec
from mockbdd.admin import system_tasks as s
from mockbdd.admin.spec import RouteSpec
from mockbdd.admin.types import AdminContext, AdminRequest, AdminResponse, Task
from mockbdd.records import record


@record
class LazyTask:
    """The task ``name`` of ``mockbdd.admin.<module>``, imported when first called."""

    module: str
    name: str

    def resolve(self) -> Task:
        task: Task = getattr(importlib.import_module(f"mockbdd.admin.{self.module}"), self.name)
        return task

    async def __call__(self, ctx: AdminContext, req: AdminRequest) -> AdminResponse:
        return await self.resolve()(ctx, req)


def lazy(module: str, name: str) -> Task:
    return LazyTask(module, name)


_VAR = re.compile(r"\{(\w+)\}")


@record
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
    Route(spec.EXPORT_REQUESTS, lazy("export_tasks", "export_requests")),
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
    Route(spec.SAMPLE_DELAYS, s.sample_delays),
    Route(spec.HEALTH, s.health),
    Route(spec.VERSION, s.version),
    Route(spec.LIST_TAG_MAPS, lazy("tag_map_tasks", "list_tag_maps")),
    Route(spec.APPLY_TAG_MAP, lazy("tag_map_tasks", "apply_tag_map")),
    Route(spec.SHUTDOWN, s.shutdown),
    Route(spec.CREATE_NAMESPACE, lazy("namespace_tasks", "create_namespace")),
    Route(spec.LIST_NAMESPACES, lazy("namespace_tasks", "list_namespaces")),
    Route(spec.DELETE_NAMESPACE, lazy("namespace_tasks", "delete_namespace")),
    Route(spec.MATCH_REQUEST, lazy("verify_tasks", "match_request")),
    Route(spec.VERIFY_REQUESTS, lazy("verify_tasks", "verify_requests")),
    Route(spec.SWITCH_MAPPINGS, lazy("verify_tasks", "switch_mappings")),
    Route(spec.UNUSED_MAPPINGS, lazy("verify_tasks", "unused_mappings")),
    Route(spec.START_RECORDING, lazy("recording_tasks", "start_recording")),
    Route(spec.STOP_RECORDING, lazy("recording_tasks", "stop_recording")),
    Route(spec.RECORDING_STATUS, lazy("recording_tasks", "recording_status")),
    Route(spec.SNAPSHOT_RECORDING, lazy("recording_tasks", "snapshot_recording")),
    Route(spec.APPLY_PRESSURE, lazy("pressure_tasks", "apply_pressure")),
    Route(spec.GET_PRESSURE, lazy("pressure_tasks", "get_pressure")),
    Route(spec.RELEASE_PRESSURE, lazy("pressure_tasks", "release_pressure")),
    Route(spec.IMPORT_OPENAPI, lazy("openapi_tasks", "import_openapi")),
    Route(spec.OPENAPI_DOCS, lazy("docs_tasks", "openapi_docs")),
    Route(spec.LIST_COLLECTIONS, lazy("collection_tasks", "list_collections")),
    Route(spec.GET_COLLECTION, lazy("collection_tasks", "get_collection")),
    Route(spec.PUT_COLLECTION, lazy("collection_tasks", "put_collection")),
    Route(spec.CLEAR_COLLECTION, lazy("collection_tasks", "clear_collection")),
    Route(spec.METRICS, lazy("observe_tasks", "metrics")),
    Route(spec.METRICS_JSON, lazy("observe_tasks", "metrics_json")),
    Route(spec.LIST_PLUGINS, lazy("plugin_tasks", "list_plugins")),
    Route(spec.MOUNT_PLUGIN, lazy("plugin_tasks", "mount_plugin")),
    Route(spec.UNMOUNT_SERVICE, lazy("plugin_tasks", "unmount_service")),
    Route(spec.CONFIGURE_MOUNT, lazy("plugin_tasks", "configure_mount")),
    Route(spec.LIST_WEBSOCKET_MESSAGES, lazy("websocket_tasks", "list_messages")),
    Route(spec.COUNT_WEBSOCKET_MESSAGES, lazy("websocket_tasks", "count_messages")),
    Route(spec.RESET_WEBSOCKET_MESSAGES, lazy("websocket_tasks", "reset_messages")),
    Route(spec.EVENTS, lazy("observe_tasks", "events")),
    Route(spec.START_LOAD_RUN, lazy("load_tasks", "start_load_run")),
    Route(spec.LIST_LOAD_RUNS, lazy("load_tasks", "list_load_runs")),
    Route(spec.GET_LOAD_RUN, lazy("load_tasks", "get_load_run")),
    Route(spec.CANCEL_LOAD_RUN, lazy("load_tasks", "cancel_load_run")),
)


@record
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
