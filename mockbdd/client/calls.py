"""The client core, free of I/O: every admin operation is a generator that yields ``Call``s
and receives ``Reply``s. ``Client`` and ``AsyncClient`` only drive these generators."""

from __future__ import annotations

import json
from collections.abc import Generator, Mapping, Sequence
from dataclasses import field
from datetime import datetime, timezone
from typing import Any, TypeAlias, TypeVar

from mockbdd.admin import spec
from mockbdd.admin.spec import RouteSpec
from mockbdd.client.builder import MappingLike, mapping_json, pattern_json
from mockbdd.client.errors import AdminError, VerificationError
from mockbdd.client.models import (
    Json,
    LoggedRequest,
    MatchResult,
    NearMiss,
    ServeEvent,
    StubInfo,
    SwitchResult,
    VerifyResult,
    near_misses,
)
from mockbdd.records import record

T = TypeVar("T")
ADMIN = "/__admin"
WAIT_SLACK_S = 5.0  # HTTP timeout beyond the server-side wait of /requests/wait


@record
class Call:
    """One admin HTTP call, relative to an admin root."""

    method: str
    path: str
    json: Any = None
    params: Mapping[str, str] = field(default_factory=dict)
    accept: tuple[int, ...] = ()  # error statuses the operation handles itself
    wait_s: float = 0.0  # how long the server may legitimately hold the call


@record
class Reply:
    status: int
    body: Any  # decoded JSON, else text


Op: TypeAlias = Generator[Call, Reply, T]


def call(
    route: RouteSpec,
    *,
    body: Any = None,
    params: Mapping[str, str] | None = None,
    accept: tuple[int, ...] = (),
    wait_s: float = 0.0,
    **path_params: str,
) -> Call:
    """The call for the admin route ``route`` (a :mod:`mockbdd.admin.spec` constant)."""
    return Call(route.method, route.path(**path_params), body, params or {}, accept, wait_s)


def admin_root(base_url: str) -> str:
    """``http://h:p`` or ``http://h:p/__ns/x`` → its ``/__admin`` root (kept if already given)."""
    base = base_url.rstrip("/")
    return base if base.endswith(ADMIN) else base + ADMIN


def decode(status: int, content_type: str, content: bytes) -> Reply:
    text = content.decode("utf-8", errors="replace")
    if "json" in content_type and text.strip():
        try:
            return Reply(status, json.loads(text))
        except ValueError:
            pass
    return Reply(status, text)


def check(c: Call, reply: Reply) -> Reply:
    """Raise ``AdminError`` for an error status the operation did not ask for."""
    if reply.status >= 400 and reply.status not in c.accept:
        raise AdminError.from_body(reply.status, reply.body)
    return reply


def http_timeout(c: Call, timeout: float) -> float:
    return max(timeout, c.wait_s + WAIT_SLACK_S) if c.wait_s else timeout


# -- small helpers --------------------------------------------------------------------------
def _obj(reply: Reply) -> Json:
    """The JSON object of a successful reply (``AdminError`` if the server sent something else)."""
    if isinstance(reply.body, dict):
        return reply.body
    if reply.status >= 400:  # an accepted error status without a JSON body
        return {}
    shown = str(reply.body)[:200] or "(empty)"
    raise AdminError(reply.status, f"expected a JSON object from the admin API, got: {shown}")


def _items(reply: Reply, key: str) -> list[Json]:
    items = _obj(reply).get(key)
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _none(c: Call) -> Op[None]:
    yield c


def _json(c: Call) -> Op[Json]:
    reply = yield c
    return _obj(reply)


def _list(c: Call, key: str) -> Op[list[Json]]:
    reply = yield c
    return _items(reply, key)


def _stubs(c: Call, key: str = "mappings") -> Op[list[StubInfo]]:
    reply = yield c
    return [StubInfo.from_json(s) for s in _items(reply, key)]


def _events(c: Call, key: str) -> Op[list[ServeEvent]]:
    reply = yield c
    return [ServeEvent.from_json(e) for e in _items(reply, key)]


def _logged(c: Call, key: str = "requests") -> Op[list[LoggedRequest]]:
    reply = yield c
    return [LoggedRequest.from_json(r) for r in _items(reply, key)]


def _misses(c: Call) -> Op[list[NearMiss]]:
    reply = yield c
    return list(near_misses(_obj(reply).get("nearMisses")))


# -- mappings -------------------------------------------------------------------------------
def create_stub(mapping: MappingLike) -> Op[Json]:
    return _json(call(spec.CREATE_MAPPING, body=mapping_json(mapping)))


def get_stub(stub_id: str) -> Op[Json]:
    return _json(call(spec.GET_MAPPING, id=stub_id))


def update_stub(stub_id: str, mapping: MappingLike) -> Op[Json]:
    return _json(call(spec.EDIT_MAPPING, body=mapping_json(mapping), id=stub_id))


def delete_stub(stub_id: str) -> Op[None]:
    return _none(call(spec.DELETE_MAPPING, id=stub_id))


def list_stubs(limit: int | None = None, offset: int | None = None) -> Op[list[StubInfo]]:
    params = {k: str(v) for k, v in (("limit", limit), ("offset", offset)) if v is not None}
    return _stubs(call(spec.LIST_MAPPINGS, params=params))


def delete_stubs() -> Op[None]:
    return _none(call(spec.DELETE_MAPPINGS))


def import_stubs(
    mappings: Sequence[MappingLike],
    duplicate_policy: str = "OVERWRITE",
    delete_all_not_in_import: bool = False,
) -> Op[None]:
    body = {
        "mappings": [mapping_json(m) for m in mappings],
        "importOptions": {
            "duplicatePolicy": duplicate_policy,
            "deleteAllNotInImport": delete_all_not_in_import,
        },
    }
    return _none(call(spec.IMPORT_MAPPINGS, body=body))


def reset_mappings() -> Op[None]:
    return _none(call(spec.RESET_MAPPINGS))


def save_stubs() -> Op[None]:
    return _none(call(spec.SAVE_MAPPINGS))


def find_stubs_by_metadata(pattern: Mapping[str, Any]) -> Op[list[StubInfo]]:
    return _stubs(call(spec.FIND_BY_METADATA, body=dict(pattern)))


def remove_stubs_by_metadata(pattern: Mapping[str, Any]) -> Op[None]:
    return _none(call(spec.REMOVE_BY_METADATA, body=dict(pattern)))


def unmatched_stubs() -> Op[list[StubInfo]]:
    return _stubs(call(spec.UNMATCHED_MAPPINGS))


def remove_unmatched_stubs() -> Op[list[StubInfo]]:
    return _stubs(call(spec.REMOVE_UNMATCHED_MAPPINGS))


def switch_stubs(
    services: Sequence[str],
    mappings: Sequence[MappingLike],
    settings: Mapping[str, Any] | None = None,
    scenario_states: Mapping[str, str] | None = None,
    collections: Mapping[str, Any] | None = None,
) -> Op[SwitchResult]:
    """Replace every stub of ``services`` with ``mappings`` (the last the newest), and apply
    ``settings``, ``scenario_states`` and ``collections``, in one step on the server."""
    body: Json = {"services": list(services), "mappings": [mapping_json(m) for m in mappings]}
    if settings is not None:
        body["settings"] = dict(settings)
    if scenario_states:
        body["scenarioStates"] = dict(scenario_states)
    if collections:
        body["collections"] = dict(collections)
    reply = yield call(spec.SWITCH_MAPPINGS, body=body)
    return SwitchResult.from_json(_obj(reply))


def unused_stubs(
    service: str | None = None,
    except_metadata: Mapping[str, Any] | None = None,
    timeout: float = 0.0,
) -> Op[list[StubInfo]]:
    """Stubs (of ``service``) never served since they were added, each with its service;
    waits up to ``timeout`` s for them all to be used."""
    body: Json = {"timeoutMs": round(timeout * 1000)}
    if service is not None:
        body["service"] = service
    if except_metadata is not None:
        body["exceptMetadata"] = dict(except_metadata)
    reply = yield call(spec.UNUSED_MAPPINGS, body=body, wait_s=timeout)
    return [StubInfo.from_json(u.get("mapping"), u.get("service")) for u in _items(reply, "unused")]


# -- journal --------------------------------------------------------------------------------
def _timestamp(value: datetime | str) -> str:
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def requests(
    limit: int | None = None,
    since: datetime | str | None = None,
    unmatched: bool | None = None,
    matching_stub: str | None = None,
) -> Op[list[ServeEvent]]:
    params: dict[str, str] = {}
    if limit is not None:
        params["limit"] = str(limit)
    if since is not None:
        params["since"] = _timestamp(since)
    if unmatched is not None:
        params["unmatched"] = "true" if unmatched else "false"
    if matching_stub is not None:
        params["matchingStub"] = matching_stub
    return _events(call(spec.LIST_REQUESTS, params=params), "requests")


def get_request(request_id: str) -> Op[ServeEvent]:
    reply = yield call(spec.GET_REQUEST, id=request_id)
    return ServeEvent.from_json(_obj(reply))


def delete_request(request_id: str) -> Op[None]:
    return _none(call(spec.DELETE_REQUEST, id=request_id))


def reset_requests() -> Op[None]:
    return _none(call(spec.RESET_REQUESTS))


def count(pattern: MappingLike) -> Op[int]:
    reply = yield call(spec.COUNT_REQUESTS, body=pattern_json(pattern))
    return int(_obj(reply).get("count", 0))


def find(pattern: MappingLike) -> Op[list[LoggedRequest]]:
    return _logged(call(spec.FIND_REQUESTS, body=pattern_json(pattern)))


def remove_requests(pattern: MappingLike) -> Op[list[ServeEvent]]:
    return _events(call(spec.REMOVE_REQUESTS, body=pattern_json(pattern)), "serveEvents")


def remove_requests_by_metadata(pattern: Mapping[str, Any]) -> Op[list[ServeEvent]]:
    return _events(call(spec.REMOVE_REQUESTS_BY_METADATA, body=dict(pattern)), "serveEvents")


def unmatched_requests() -> Op[list[LoggedRequest]]:
    return _logged(call(spec.UNMATCHED_REQUESTS))


def unmatched_near_misses() -> Op[list[NearMiss]]:
    return _misses(call(spec.UNMATCHED_NEAR_MISSES))


def _request_json(request: Mapping[str, Any] | LoggedRequest) -> Json:
    return request.to_json() if isinstance(request, LoggedRequest) else dict(request)


def near_misses_for_request(
    logged_request: Mapping[str, Any] | LoggedRequest,
) -> Op[list[NearMiss]]:
    return _misses(call(spec.NEAR_MISSES_FOR_REQUEST, body=_request_json(logged_request)))


def near_misses_for_pattern(pattern: MappingLike) -> Op[list[NearMiss]]:
    return _misses(call(spec.NEAR_MISSES_FOR_PATTERN, body=pattern_json(pattern)))


def match(request: Mapping[str, Any] | LoggedRequest) -> Op[MatchResult]:
    """A dry run: which stub would answer ``request`` now (``{"method", "url", "headers"?,
    "body"?}``, the shape ``near_misses_for_request`` takes), with nothing journaled."""
    reply = yield call(spec.MATCH_REQUEST, body=_request_json(request))
    return MatchResult.from_json(_obj(reply))


def _verify(body: Json, timeout: float) -> Op[VerifyResult]:
    body = {**body, "timeoutMs": round(timeout * 1000)}
    reply = yield call(spec.VERIFY_REQUESTS, body=body, wait_s=timeout)
    return VerifyResult.from_json(_obj(reply))


def _scope(body: Json, service: str | None) -> Json:
    return {**body, "service": service} if service is not None else body


def verify_requests(
    pattern: MappingLike,
    count: int = 1,
    mode: str = "exactly",
    timeout: float = 0.0,
    service: str | None = None,
) -> Op[VerifyResult]:
    """The server's verdict on ``count`` requests matching ``pattern`` (``mode``: ``atLeast``,
    ``exactly``, ``atMost`` or ``none``), waiting up to ``timeout`` s; near misses are drawn
    from ``service``'s requests (all when None), their paths relative to it."""
    body = {"pattern": pattern_json(pattern), "count": count, "mode": mode}
    return _verify(_scope(body, service), timeout)


def verify_in_order(
    patterns: Sequence[MappingLike], timeout: float = 0.0, service: str | None = None
) -> Op[VerifyResult]:
    """Requests matching ``patterns`` arrived in this order (others may come between)."""
    body: Json = {"sequence": [pattern_json(p) for p in patterns]}
    return _verify(_scope(body, service), timeout)


def verify_nth(
    pattern: MappingLike,
    index: int,
    matches: MappingLike,
    timeout: float = 0.0,
    service: str | None = None,
) -> Op[VerifyResult]:
    """The ``index``-th request (from 1) matching ``pattern`` also matches ``matches``."""
    body: Json = {
        "pattern": pattern_json(pattern),
        "nth": {"index": index, "matches": pattern_json(matches)},
    }
    return _verify(_scope(body, service), timeout)


def wait_for(pattern: MappingLike, expected: int = 1, timeout: float = 2.0) -> Op[int]:
    """Block until ``expected`` requests match; ``VerificationError`` with near misses on 408."""
    body = pattern_json(pattern)
    payload = {"pattern": body, "count": expected, "timeoutMs": round(timeout * 1000)}
    reply = yield call(spec.WAIT_FOR_REQUESTS, body=payload, accept=(408,), wait_s=timeout)
    data = _obj(reply)
    if reply.status == 408:
        misses = near_misses(data.get("nearMisses"))
        raise VerificationError(body, expected, int(data.get("count", 0)), misses, timeout=timeout)
    return int(data.get("count", 0))


def verify(pattern: MappingLike, expected: int = 1) -> Op[int]:
    """Exactly ``expected`` requests match now, else ``VerificationError`` with the server's
    near misses (one call: ``POST /requests/verify``)."""
    body = pattern_json(pattern)
    result = yield from verify_requests(body, expected)
    if not result.holds:
        raise VerificationError(body, expected, result.count, result.near_misses)
    return result.count


# -- scenarios and system -------------------------------------------------------------------
def scenarios() -> Op[list[Json]]:
    return _list(call(spec.LIST_SCENARIOS), "scenarios")


def reset_scenarios() -> Op[None]:
    return _none(call(spec.RESET_SCENARIOS))


def set_scenario_state(name: str, state: str | None) -> Op[None]:
    """``state=None`` puts the scenario back to ``Started``."""
    return _none(call(spec.SET_SCENARIO_STATE, body={"state": state}, name=name))


def start_recording(target: str, options: Mapping[str, Any] | None = None) -> Op[None]:
    """Record what ``target`` answers through this server (WireMock's RecordSpec in
    ``options``)."""
    return _none(call(spec.START_RECORDING, body={**(options or {}), "targetBaseUrl": target}))


def stop_recording() -> Op[list[Json]]:
    """The recorded stub mappings (added to the server; written with ``persist``)."""
    return _list(call(spec.STOP_RECORDING), "mappings")


def recording_status() -> Op[str]:
    """``NeverStarted``, ``Recording`` or ``Stopped``."""
    reply = yield call(spec.RECORDING_STATUS)
    return str(_obj(reply).get("status"))


def snapshot_recording(options: Mapping[str, Any] | None = None) -> Op[list[Json]]:
    """Stub mappings made of the journal's proxied requests (WireMock's snapshot)."""
    return _list(call(spec.SNAPSHOT_RECORDING, body=dict(options or {})), "mappings")


def collections() -> Op[list[Json]]:
    """Each CRUD collection: name, idField, schema, relations and total."""
    return _list(call(spec.LIST_COLLECTIONS), "collections")


def collection(name: str) -> Op[list[Json]]:
    """The items of a CRUD collection, in insertion order."""
    reply = yield call(spec.GET_COLLECTION, name=name)
    items = _obj(reply).get("items")
    return items if isinstance(items, list) else []


def set_collection(name: str, items: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> Op[Json]:
    """Replace a collection: a list of items (its spec kept), or ``{items, schema, idField,
    relations}``."""
    body: Any = dict(items) if isinstance(items, Mapping) else [dict(i) for i in items]
    return _json(call(spec.PUT_COLLECTION, body=body, name=name))


def clear_collection(name: str) -> Op[None]:
    return _none(call(spec.CLEAR_COLLECTION, name=name))


def reset() -> Op[None]:
    return _none(call(spec.RESET_ALL))


def settings() -> Op[Json]:
    reply = yield call(spec.GET_SETTINGS)
    found = _obj(reply).get("settings")
    return found if isinstance(found, dict) else {}


def update_settings(
    settings: Mapping[str, Any] | None = None,
    fixed_delay: int | None = None,
    delay_distribution: Mapping[str, Any] | None = None,
    extended: Mapping[str, Any] | None = None,
) -> Op[Json]:
    body: Json = dict(settings or {})
    if fixed_delay is not None:
        body["fixedDelay"] = fixed_delay
    if delay_distribution is not None:
        body["delayDistribution"] = dict(delay_distribution)
    if extended is not None:
        body["extended"] = dict(extended)
    reply = yield call(spec.UPDATE_SETTINGS, body=body)
    found = _obj(reply).get("settings")
    return found if isinstance(found, dict) else {}


def health() -> Op[Json]:
    return _json(call(spec.HEALTH))


def version() -> Op[str]:
    reply = yield call(spec.VERSION)
    return str(_obj(reply).get("version", ""))


def export_requests(fmt: str, params: Mapping[str, str]) -> Op[Any]:
    reply = yield call(spec.EXPORT_REQUESTS, params={"format": fmt, **params})
    return reply.body


def metrics() -> Op[str]:
    reply = yield call(spec.METRICS)
    return str(reply.body)


def metrics_json() -> Op[Json]:
    return _json(call(spec.METRICS_JSON))


def apply_pressure(memory_mb: int = 0, cpu_percent: int = 0, duration_ms: int = 1000) -> Op[Json]:
    body = {"memoryMb": memory_mb, "cpuPercent": cpu_percent, "durationMs": duration_ms}
    return _json(call(spec.APPLY_PRESSURE, body=body))


def pressure() -> Op[Json]:
    return _json(call(spec.GET_PRESSURE))


def release_pressure() -> Op[Json]:
    return _json(call(spec.RELEASE_PRESSURE))


def websocket_messages(direction: str | None = None, path: str | None = None) -> Op[list[Json]]:
    params = {k: v for k, v in (("direction", direction), ("path", path)) if v is not None}
    reply = yield call(spec.LIST_WEBSOCKET_MESSAGES, params=params)
    return _items(reply, "messages")


def count_websocket_messages(
    pattern: Mapping[str, Any], direction: str | None = None, path: str | None = None
) -> Op[int]:
    body: dict[str, Any] = {"pattern": dict(pattern)}
    if direction is not None:
        body["direction"] = direction
    if path is not None:
        body["path"] = path
    reply = yield call(spec.COUNT_WEBSOCKET_MESSAGES, body=body)
    return int(_obj(reply).get("count", 0))


def reset_websocket_messages() -> Op[None]:
    return _none(call(spec.RESET_WEBSOCKET_MESSAGES))


def sample_delays(
    distribution: Mapping[str, Any], count: int = 1000, seed: int | None = None
) -> Op[Json]:
    body: dict[str, Any] = {"delayDistribution": dict(distribution), "count": count}
    if seed is not None:
        body["seed"] = seed
    return _json(call(spec.SAMPLE_DELAYS, body=body))


def import_openapi(
    document: Mapping[str, Any] | str,
    mode: str | None = None,
    validate: bool | None = None,
    service: str | None = None,
    files: Mapping[str, Any] | None = None,
) -> Op[Json]:
    body: dict[str, Any] = {"spec": document if isinstance(document, str) else dict(document)}
    for key, value in (("mode", mode), ("validate", validate), ("service", service)):
        if value is not None:
            body[key] = value
    if files is not None:
        body["files"] = dict(files)
    return _json(call(spec.IMPORT_OPENAPI, body=body))


def openapi_docs() -> Op[Json]:
    return _json(call(spec.OPENAPI_DOCS))


def plugins() -> Op[Json]:
    return _json(call(spec.LIST_PLUGINS))


def mount_plugin(plugin: str, service: str, config: Mapping[str, Any] | None = None) -> Op[Json]:
    body = {"service": service, "config": dict(config or {})}
    return _json(call(spec.MOUNT_PLUGIN, body=body, name=plugin))


def unmount_service(service: str) -> Op[None]:
    return _none(call(spec.UNMOUNT_SERVICE, service=service))


def configure_mount(service: str, config: Mapping[str, Any]) -> Op[Json]:
    return _json(call(spec.CONFIGURE_MOUNT, body={"config": dict(config)}, service=service))


def shutdown() -> Op[None]:
    return _none(call(spec.SHUTDOWN))


# -- load runs (``mockbdd load`` on the server) ------------------------------------------------
def start_load_run(script: Mapping[str, Any] | str) -> Op[str]:
    reply = yield call(spec.START_LOAD_RUN, body={"script": script})
    return str(_obj(reply).get("id", ""))


def load_runs() -> Op[list[Json]]:
    return _list(call(spec.LIST_LOAD_RUNS), "loadRuns")


def load_run(run_id: str) -> Op[Json]:
    return _json(call(spec.GET_LOAD_RUN, id=run_id))


def cancel_load_run(run_id: str) -> Op[None]:
    return _none(call(spec.CANCEL_LOAD_RUN, id=run_id))


# -- tag maps on the server (``--tag-maps``) --------------------------------------------------
def tag_maps() -> Op[list[Json]]:
    return _list(call(spec.LIST_TAG_MAPS), "tagMaps")


def apply_tag_map(name: str, params: Mapping[str, Any]) -> Op[Json]:
    return _json(call(spec.APPLY_TAG_MAP, body=dict(params), name=name))


# -- namespaces -----------------------------------------------------------------------------
def create_namespace(
    name: str | None = None,
    ttl_seconds: float | None = None,
    port: int | None = None,
    tag_maps: Sequence[str] | None = None,
    mappings: Sequence[MappingLike] | None = None,
    settings: Mapping[str, Any] | None = None,
    scenario_states: Mapping[str, str] | None = None,
    collections: Mapping[str, Any] | None = None,
    mounts: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Op[Json]:
    body: Json = {}
    if labels:
        body["labels"] = dict(labels)
    if collections:
        body["collections"] = dict(collections)
    if mounts:
        body["mounts"] = {service: dict(m) for service, m in mounts.items()}
    if name is not None:
        body["name"] = name
    if ttl_seconds is not None:
        body["ttlSeconds"] = ttl_seconds
    if port is not None:
        body["port"] = port
    if tag_maps:
        body["tagMaps"] = list(tag_maps)
    if mappings:
        body["mappings"] = [mapping_json(m) for m in mappings]
    if settings:
        body["settings"] = dict(settings)
    if scenario_states:
        body["scenarioStates"] = dict(scenario_states)
    return _json(call(spec.CREATE_NAMESPACE, body=body))


def namespaces() -> Op[list[Json]]:
    return _list(call(spec.LIST_NAMESPACES), "namespaces")


def find_namespace(name: str) -> Op[Json]:
    found = yield from namespaces()
    for info in found:
        if info.get("name") == name:
            return info
    raise AdminError(404, f"no namespace named {name!r}")


def delete_namespace(name: str, missing_ok: bool = False) -> Op[bool]:
    """True if deleted; with ``missing_ok`` an unknown namespace gives False, not an error."""
    reply = yield call(spec.DELETE_NAMESPACE, accept=(404,) if missing_ok else (), ns=name)
    return reply.status < 400
