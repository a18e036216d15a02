"""Admin route specs: name, method and URL template, and nothing else.

This is all the client imports from the admin layer, so ``import mockbdd.client`` loads no task,
no domain and no wire model. The server binds each spec to its task in :mod:`mockbdd.admin.routes`.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from mockbdd.records import record

_VAR = re.compile(r"\{(\w+)\}")


@record
class RouteSpec:
    name: str  # the task's name: what errors and the route listing call it
    method: str
    template: str  # relative to the admin root, e.g. "/mappings/{id}"
    root_only: bool = False  # only at /__admin, not inside a namespace

    def path(self, **params: str) -> str:
        return _VAR.sub(lambda mt: quote(params[mt.group(1)], safe=""), self.template)


LIST_MAPPINGS = RouteSpec("list_mappings", "GET", "/mappings")
CREATE_MAPPING = RouteSpec("create_mapping", "POST", "/mappings")
DELETE_MAPPINGS = RouteSpec("delete_mappings", "DELETE", "/mappings")
IMPORT_MAPPINGS = RouteSpec("import_mappings", "POST", "/mappings/import")
RESET_MAPPINGS = RouteSpec("reset_mappings", "POST", "/mappings/reset")
SAVE_MAPPINGS = RouteSpec("save_mappings", "POST", "/mappings/save")
FIND_BY_METADATA = RouteSpec("find_by_metadata", "POST", "/mappings/find-by-metadata")
REMOVE_BY_METADATA = RouteSpec("remove_by_metadata", "POST", "/mappings/remove-by-metadata")
UNMATCHED_MAPPINGS = RouteSpec("unmatched_mappings", "GET", "/mappings/unmatched")
REMOVE_UNMATCHED_MAPPINGS = RouteSpec("remove_unmatched_mappings", "DELETE", "/mappings/unmatched")
GET_MAPPING = RouteSpec("get_mapping", "GET", "/mappings/{id}")
EDIT_MAPPING = RouteSpec("edit_mapping", "PUT", "/mappings/{id}")
DELETE_MAPPING = RouteSpec("delete_mapping", "DELETE", "/mappings/{id}")
LIST_REQUESTS = RouteSpec("list_requests", "GET", "/requests")
RESET_REQUESTS_DELETE = RouteSpec("reset_requests", "DELETE", "/requests")
RESET_REQUESTS = RouteSpec("reset_requests", "POST", "/requests/reset")
COUNT_REQUESTS = RouteSpec("count_requests", "POST", "/requests/count")
FIND_REQUESTS = RouteSpec("find_requests", "POST", "/requests/find")
REMOVE_REQUESTS = RouteSpec("remove_requests", "POST", "/requests/remove")
REMOVE_REQUESTS_BY_METADATA = RouteSpec(
    "remove_requests_by_metadata", "POST", "/requests/remove-by-metadata"
)
WAIT_FOR_REQUESTS = RouteSpec("wait_for_requests", "POST", "/requests/wait")
UNMATCHED_REQUESTS = RouteSpec("unmatched_requests", "GET", "/requests/unmatched")
UNMATCHED_NEAR_MISSES = RouteSpec("unmatched_near_misses", "GET", "/requests/unmatched/near-misses")
EXPORT_REQUESTS = RouteSpec("export_requests", "GET", "/requests/export")  # before /requests/{id}
GET_REQUEST = RouteSpec("get_request", "GET", "/requests/{id}")
DELETE_REQUEST = RouteSpec("delete_request", "DELETE", "/requests/{id}")
NEAR_MISSES_FOR_REQUEST = RouteSpec("near_misses_for_request", "POST", "/near-misses/request")
NEAR_MISSES_FOR_PATTERN = RouteSpec(
    "near_misses_for_pattern", "POST", "/near-misses/request-pattern"
)
LIST_SCENARIOS = RouteSpec("list_scenarios", "GET", "/scenarios")
RESET_SCENARIOS = RouteSpec("reset_scenarios", "POST", "/scenarios/reset")
SET_SCENARIO_STATE = RouteSpec("set_scenario_state", "PUT", "/scenarios/{name}/state")
RESET_ALL = RouteSpec("reset_all", "POST", "/reset")
GET_SETTINGS = RouteSpec("get_settings", "GET", "/settings")
UPDATE_SETTINGS = RouteSpec("update_settings", "POST", "/settings")
UPDATE_SETTINGS_PUT = RouteSpec("update_settings", "PUT", "/settings")
HEALTH = RouteSpec("health", "GET", "/health")
VERSION = RouteSpec("version", "GET", "/version")
LIST_TAG_MAPS = RouteSpec("list_tag_maps", "GET", "/tag-maps")
APPLY_TAG_MAP = RouteSpec("apply_tag_map", "POST", "/tag-maps/{name}/apply")
SHUTDOWN = RouteSpec("shutdown", "POST", "/shutdown", root_only=True)
CREATE_NAMESPACE = RouteSpec("create_namespace", "POST", "/namespaces", root_only=True)
LIST_NAMESPACES = RouteSpec("list_namespaces", "GET", "/namespaces", root_only=True)
DELETE_NAMESPACE = RouteSpec("delete_namespace", "DELETE", "/namespaces/{ns}", root_only=True)
# mockbdd's own questions, answered by the engine (:mod:`mockbdd.admin.verify_tasks`)
MATCH_REQUEST = RouteSpec("match_request", "POST", "/requests/match")
VERIFY_REQUESTS = RouteSpec("verify_requests", "POST", "/requests/verify")
SWITCH_MAPPINGS = RouteSpec("switch_mappings", "POST", "/mappings/switch")
UNUSED_MAPPINGS = RouteSpec("unused_mappings", "POST", "/mappings/unused")
# delay profiles previewed without sleeping (DESIGN §11)
SAMPLE_DELAYS = RouteSpec("sample_delays", "POST", "/delays/sample")
# record and playback (DESIGN §13, WireMock's recorder)
START_RECORDING = RouteSpec("start_recording", "POST", "/recordings/start")
STOP_RECORDING = RouteSpec("stop_recording", "POST", "/recordings/stop")
RECORDING_STATUS = RouteSpec("recording_status", "GET", "/recordings/status")
SNAPSHOT_RECORDING = RouteSpec("snapshot_recording", "POST", "/recordings/snapshot")
# resource pressure (DESIGN §11), per namespace
APPLY_PRESSURE = RouteSpec("apply_pressure", "POST", "/pressure")
GET_PRESSURE = RouteSpec("get_pressure", "GET", "/pressure")
RELEASE_PRESSURE = RouteSpec("release_pressure", "DELETE", "/pressure")
# OpenAPI (DESIGN §13)
IMPORT_OPENAPI = RouteSpec("import_openapi", "POST", "/openapi")
OPENAPI_DOCS = RouteSpec("openapi_docs", "GET", "/docs/openapi.json")
# CRUD collections (DESIGN §13)
LIST_COLLECTIONS = RouteSpec("list_collections", "GET", "/collections")
GET_COLLECTION = RouteSpec("get_collection", "GET", "/collections/{name}")
PUT_COLLECTION = RouteSpec("put_collection", "PUT", "/collections/{name}")
CLEAR_COLLECTION = RouteSpec("clear_collection", "DELETE", "/collections/{name}")
# observability (DESIGN §12, :mod:`mockbdd.admin.observe_tasks`)
METRICS = RouteSpec("metrics", "GET", "/metrics", root_only=True)
METRICS_JSON = RouteSpec("metrics_json", "GET", "/metrics.json", root_only=True)
EVENTS = RouteSpec("events", "GET", "/events")  # a WebSocket (mockbdd.client.events)
# service plugins mounted into a namespace (DESIGN §14, :mod:`mockbdd.admin.plugin_tasks`)
LIST_PLUGINS = RouteSpec("list_plugins", "GET", "/plugins")
MOUNT_PLUGIN = RouteSpec("mount_plugin", "POST", "/plugins/{name}/mount")
UNMOUNT_SERVICE = RouteSpec("unmount_service", "DELETE", "/plugins/mounts/{service}")
CONFIGURE_MOUNT = RouteSpec("configure_mount", "PATCH", "/plugins/mounts/{service}")
# webSocket stubs' messages, both ways (DESIGN §14, :mod:`mockbdd.admin.websocket_tasks`)
LIST_WEBSOCKET_MESSAGES = RouteSpec("list_websocket_messages", "GET", "/websockets")
COUNT_WEBSOCKET_MESSAGES = RouteSpec("count_websocket_messages", "POST", "/websockets/count")
RESET_WEBSOCKET_MESSAGES = RouteSpec("reset_websocket_messages", "DELETE", "/websockets")
# load runs (DESIGN §11): the load generator on the server's loop
START_LOAD_RUN = RouteSpec("start_load_run", "POST", "/load-runs")
LIST_LOAD_RUNS = RouteSpec("list_load_runs", "GET", "/load-runs")
GET_LOAD_RUN = RouteSpec("get_load_run", "GET", "/load-runs/{id}")
CANCEL_LOAD_RUN = RouteSpec("cancel_load_run", "DELETE", "/load-runs/{id}")

ALL: tuple[RouteSpec, ...] = (
    LIST_MAPPINGS,
    CREATE_MAPPING,
    DELETE_MAPPINGS,
    IMPORT_MAPPINGS,
    RESET_MAPPINGS,
    SAVE_MAPPINGS,
    FIND_BY_METADATA,
    REMOVE_BY_METADATA,
    UNMATCHED_MAPPINGS,
    REMOVE_UNMATCHED_MAPPINGS,
    GET_MAPPING,
    EDIT_MAPPING,
    DELETE_MAPPING,
    LIST_REQUESTS,
    RESET_REQUESTS_DELETE,
    RESET_REQUESTS,
    COUNT_REQUESTS,
    FIND_REQUESTS,
    REMOVE_REQUESTS,
    REMOVE_REQUESTS_BY_METADATA,
    WAIT_FOR_REQUESTS,
    UNMATCHED_REQUESTS,
    UNMATCHED_NEAR_MISSES,
    EXPORT_REQUESTS,
    GET_REQUEST,
    DELETE_REQUEST,
    NEAR_MISSES_FOR_REQUEST,
    NEAR_MISSES_FOR_PATTERN,
    LIST_SCENARIOS,
    RESET_SCENARIOS,
    SET_SCENARIO_STATE,
    RESET_ALL,
    GET_SETTINGS,
    UPDATE_SETTINGS,
    UPDATE_SETTINGS_PUT,
    SAMPLE_DELAYS,
    HEALTH,
    VERSION,
    LIST_TAG_MAPS,
    APPLY_TAG_MAP,
    SHUTDOWN,
    CREATE_NAMESPACE,
    LIST_NAMESPACES,
    DELETE_NAMESPACE,
    MATCH_REQUEST,
    VERIFY_REQUESTS,
    SWITCH_MAPPINGS,
    UNUSED_MAPPINGS,
    START_RECORDING,
    STOP_RECORDING,
    RECORDING_STATUS,
    SNAPSHOT_RECORDING,
    APPLY_PRESSURE,
    GET_PRESSURE,
    RELEASE_PRESSURE,
    IMPORT_OPENAPI,
    OPENAPI_DOCS,
    LIST_COLLECTIONS,
    GET_COLLECTION,
    PUT_COLLECTION,
    CLEAR_COLLECTION,
    METRICS,
    METRICS_JSON,
    LIST_PLUGINS,
    MOUNT_PLUGIN,
    UNMOUNT_SERVICE,
    CONFIGURE_MOUNT,
    LIST_WEBSOCKET_MESSAGES,
    COUNT_WEBSOCKET_MESSAGES,
    RESET_WEBSOCKET_MESSAGES,
    EVENTS,
    START_LOAD_RUN,
    LIST_LOAD_RUNS,
    GET_LOAD_RUN,
    CANCEL_LOAD_RUN,
)
