"""The blocking admin client (httpx.Client); the operations themselves live in ``calls``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar, cast

import httpx

from mockbdd.client import calls
from mockbdd.client.base import ClientBase
from mockbdd.client.builder import MappingLike
from mockbdd.client.calls import Call, Op, Reply
from mockbdd.client.events import EventStream, filters
from mockbdd.client.models import (
    Json,
    LoggedRequest,
    MatchResult,
    NearMiss,
    ServeEvent,
    StubInfo,
    SwitchResult,
    VerifyResult,
)
from mockbdd.client.namespace import Applier, NamespaceHandle

T = TypeVar("T")


class Client(ClientBase[httpx.Client]):
    """WireMock-compatible admin client for mockbdd, bound to one admin root."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout: float = 5.0,
        http: httpx.Client | None = None,
    ) -> None:
        super().__init__(
            base_url, token, timeout, http if http is not None else httpx.Client(timeout=timeout)
        )
        self._owns_http = http is None

    # -- plumbing ---------------------------------------------------------------------------
    def _send(self, c: Call) -> Reply:
        return self._reply(c, self._http.request(**self._request(c)))

    def _run(self, op: Op[T]) -> T:
        try:
            c = next(op)
            while True:
                c = op.send(self._send(c))
        except StopIteration as done:
            return cast(T, done.value)
        finally:
            op.close()

    def scoped(self, base_url: str) -> Client:
        """A client for another admin root (e.g. a namespace's), sharing this connection pool."""
        return Client(base_url, token=self._token, timeout=self.timeout, http=self._http)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- mappings ---------------------------------------------------------------------------
    def create_stub(self, mapping: MappingLike) -> Json:
        return self._run(calls.create_stub(mapping))

    def get_stub(self, stub_id: str) -> Json:
        return self._run(calls.get_stub(stub_id))

    def update_stub(self, stub_id: str, mapping: MappingLike) -> Json:
        return self._run(calls.update_stub(stub_id, mapping))

    def delete_stub(self, stub_id: str) -> None:
        self._run(calls.delete_stub(stub_id))

    def list_stubs(self, *, limit: int | None = None, offset: int | None = None) -> list[StubInfo]:
        return self._run(calls.list_stubs(limit, offset))

    def delete_stubs(self) -> None:
        self._run(calls.delete_stubs())

    def import_stubs(
        self,
        mappings: Sequence[MappingLike],
        *,
        duplicate_policy: str = "OVERWRITE",
        delete_all_not_in_import: bool = False,
    ) -> None:
        self._run(calls.import_stubs(mappings, duplicate_policy, delete_all_not_in_import))

    def reset_mappings(self) -> None:
        self._run(calls.reset_mappings())

    def save_stubs(self) -> None:
        self._run(calls.save_stubs())

    def find_stubs_by_metadata(self, pattern: Mapping[str, Any]) -> list[StubInfo]:
        return self._run(calls.find_stubs_by_metadata(pattern))

    def remove_stubs_by_metadata(self, pattern: Mapping[str, Any]) -> None:
        self._run(calls.remove_stubs_by_metadata(pattern))

    def unmatched_stubs(self) -> list[StubInfo]:
        return self._run(calls.unmatched_stubs())

    def remove_unmatched_stubs(self) -> list[StubInfo]:
        return self._run(calls.remove_unmatched_stubs())

    def switch_stubs(
        self,
        services: Sequence[str],
        mappings: Sequence[MappingLike],
        *,
        settings: Mapping[str, Any] | None = None,
        scenario_states: Mapping[str, str] | None = None,
        collections: Mapping[str, Any] | None = None,
    ) -> SwitchResult:
        """Replace every stub of ``services`` with ``mappings`` (the last the newest), then
        apply ``settings``, ``scenario_states`` and ``collections``: one atomic step on the
        server."""
        op = calls.switch_stubs(services, mappings, settings, scenario_states, collections)
        return self._run(op)

    def unused_stubs(
        self,
        service: str | None = None,
        *,
        except_metadata: Mapping[str, Any] | None = None,
        timeout: float = 0.0,
    ) -> list[StubInfo]:
        """Stubs (of ``service``) not served since they were added, each with its service;
        waits up to ``timeout`` s for them all to be used."""
        return self._run(calls.unused_stubs(service, except_metadata, timeout))

    # -- journal ----------------------------------------------------------------------------
    def requests(
        self,
        limit: int | None = None,
        since: datetime | str | None = None,
        unmatched: bool | None = None,
        matching_stub: str | None = None,
    ) -> list[ServeEvent]:
        """ServeEvents, newest first."""
        return self._run(calls.requests(limit, since, unmatched, matching_stub))

    def get_request(self, request_id: str) -> ServeEvent:
        return self._run(calls.get_request(request_id))

    def delete_request(self, request_id: str) -> None:
        self._run(calls.delete_request(request_id))

    def reset_requests(self) -> None:
        self._run(calls.reset_requests())

    def count(self, pattern: MappingLike) -> int:
        return self._run(calls.count(pattern))

    def find(self, pattern: MappingLike) -> list[LoggedRequest]:
        """LoggedRequests matching ``pattern``, in arrival order."""
        return self._run(calls.find(pattern))

    def remove_requests(self, pattern: MappingLike) -> list[ServeEvent]:
        return self._run(calls.remove_requests(pattern))

    def remove_requests_by_metadata(self, pattern: Mapping[str, Any]) -> list[ServeEvent]:
        return self._run(calls.remove_requests_by_metadata(pattern))

    def unmatched_requests(self) -> list[LoggedRequest]:
        return self._run(calls.unmatched_requests())

    def unmatched_near_misses(self) -> list[NearMiss]:
        return self._run(calls.unmatched_near_misses())

    def near_misses_for_request(
        self, logged_request: Mapping[str, Any] | LoggedRequest
    ) -> list[NearMiss]:
        return self._run(calls.near_misses_for_request(logged_request))

    def near_misses_for_pattern(self, pattern: MappingLike) -> list[NearMiss]:
        return self._run(calls.near_misses_for_pattern(pattern))

    def wait_for(self, pattern: MappingLike, count: int = 1, timeout: float = 2.0) -> int:
        """Return once ``count`` requests match; ``VerificationError`` after ``timeout`` s."""
        return self._run(calls.wait_for(pattern, count, timeout))

    def verify(self, pattern: MappingLike, count: int = 1) -> int:
        """Exactly ``count`` requests match, else ``VerificationError`` with the near misses."""
        return self._run(calls.verify(pattern, count))

    def match(self, request: Mapping[str, Any] | LoggedRequest) -> MatchResult:
        """A dry run: the stub that would answer ``request`` now (``{"method", "url",
        "headers"?, "body"?}``) and its response; nothing is journaled or advanced."""
        return self._run(calls.match(request))

    def verify_requests(
        self,
        pattern: MappingLike,
        count: int = 1,
        *,
        mode: str = "exactly",
        timeout: float = 0.0,
        service: str | None = None,
    ) -> VerifyResult:
        """The server's verdict on ``count`` requests matching ``pattern`` (``mode``:
        ``atLeast``, ``exactly``, ``atMost``, ``none``), waiting up to ``timeout`` s."""
        return self._run(calls.verify_requests(pattern, count, mode, timeout, service))

    def verify_in_order(
        self,
        patterns: Sequence[MappingLike],
        *,
        timeout: float = 0.0,
        service: str | None = None,
    ) -> VerifyResult:
        """Requests matching ``patterns`` arrived in this order (others may come between)."""
        return self._run(calls.verify_in_order(patterns, timeout, service))

    def verify_nth(
        self,
        pattern: MappingLike,
        index: int,
        matches: MappingLike,
        *,
        timeout: float = 0.0,
        service: str | None = None,
    ) -> VerifyResult:
        """The ``index``-th request (from 1) matching ``pattern`` also matches ``matches``."""
        return self._run(calls.verify_nth(pattern, index, matches, timeout, service))

    # -- record and playback ----------------------------------------------------------------
    def start_recording(self, target: str, options: Mapping[str, Any] | None = None) -> None:
        """Proxy and record ``target`` (WireMock's RecordSpec fields in ``options``)."""
        self._run(calls.start_recording(target, options))

    def stop_recording(self) -> list[Json]:
        """The recorded stub mappings (added to the server; written with ``persist``)."""
        return self._run(calls.stop_recording())

    def recording_status(self) -> str:
        """``NeverStarted``, ``Recording`` or ``Stopped``."""
        return self._run(calls.recording_status())

    def snapshot_recording(self, options: Mapping[str, Any] | None = None) -> list[Json]:
        """Stub mappings made of the journal's proxied requests."""
        return self._run(calls.snapshot_recording(options))

    # -- CRUD collections -------------------------------------------------------------------
    def collections(self) -> list[Json]:
        """Each collection: name, idField, schema, relations and total."""
        return self._run(calls.collections())

    def collection(self, name: str) -> list[Json]:
        """The items of a collection, in insertion order."""
        return self._run(calls.collection(name))

    def set_collection(
        self, name: str, items: Sequence[Mapping[str, Any]] | Mapping[str, Any]
    ) -> Json:
        """Replace a collection: its items (spec kept), or ``{items, schema, idField,
        relations}``."""
        return self._run(calls.set_collection(name, items))

    def clear_collection(self, name: str) -> None:
        self._run(calls.clear_collection(name))

    # -- scenarios and system ---------------------------------------------------------------
    def scenarios(self) -> list[Json]:
        return self._run(calls.scenarios())

    def reset_scenarios(self) -> None:
        self._run(calls.reset_scenarios())

    def set_scenario_state(self, name: str, state: str | None) -> None:
        self._run(calls.set_scenario_state(name, state))

    def reset(self) -> None:
        self._run(calls.reset())

    def settings(self) -> Json:
        return self._run(calls.settings())

    def update_settings(
        self,
        settings: Mapping[str, Any] | None = None,
        *,
        fixed_delay: int | None = None,
        delay_distribution: Mapping[str, Any] | None = None,
        extended: Mapping[str, Any] | None = None,
    ) -> Json:
        """Replace the settings (WireMock semantics); returns them as stored."""
        op = calls.update_settings(settings, fixed_delay, delay_distribution, extended)
        return self._run(op)

    def health(self) -> Json:
        return self._run(calls.health())

    def version(self) -> str:
        return self._run(calls.version())

    def sample_delays(
        self, distribution: Mapping[str, Any], count: int = 1000, seed: int | None = None
    ) -> Json:
        """``POST /__admin/delays/sample``: ``count`` draws of a delay distribution (no
        sleeping) and their summary, to preview a latency model."""
        return self._run(calls.sample_delays(distribution, count, seed))

    # -- resource pressure ------------------------------------------------------------------
    def apply_pressure(
        self, memory_mb: int = 0, cpu_percent: int = 0, duration_ms: int = 1000
    ) -> Json:
        """``POST /__admin/pressure``: hold real memory and burn CPU for ``duration_ms``."""
        return self._run(calls.apply_pressure(memory_mb, cpu_percent, duration_ms))

    def pressure(self) -> Json:
        return self._run(calls.pressure())

    def release_pressure(self) -> Json:
        return self._run(calls.release_pressure())

    # -- webSocket stubs ---------------------------------------------------------------------
    def websocket_messages(
        self, direction: str | None = None, path: str | None = None
    ) -> list[Json]:
        """Messages of webSocket stubs, oldest first: ``direction`` "in" (from the client) or
        "out" (sent by a stub), ``path`` the endpoint's."""
        return self._run(calls.websocket_messages(direction, path))

    def count_websocket_messages(
        self, pattern: Mapping[str, Any], direction: str | None = None, path: str | None = None
    ) -> int:
        """Messages whose text matches the content ``pattern`` (``{"contains": "ping"}``)."""
        return self._run(calls.count_websocket_messages(pattern, direction, path))

    def reset_websocket_messages(self) -> None:
        self._run(calls.reset_websocket_messages())

    # -- OpenAPI ----------------------------------------------------------------------------
    def import_openapi(
        self,
        document: Mapping[str, Any] | str,
        mode: str | None = None,
        validate: bool | None = None,
        service: str | None = None,
        files: Mapping[str, Any] | None = None,
    ) -> Json:
        """``POST /__admin/openapi``: stubs for every operation of an OpenAPI 3.0/3.1
        ``document`` (JSON or YAML text, or a parsed object); ``validate`` polices requests;
        ``files`` are the documents its ``$ref`` name, by name (``"schemas/pet.yaml"``)."""
        return self._run(calls.import_openapi(document, mode, validate, service, files))

    def openapi_docs(self) -> Json:
        """``GET /__admin/docs/openapi.json``: the mocked endpoints as an OpenAPI document."""
        return self._run(calls.openapi_docs())

    # -- service plugins --------------------------------------------------------------------
    def plugins(self) -> Json:
        """``GET /__admin/plugins``: the service plugins installed and those mounted here."""
        return self._run(calls.plugins())

    def mount_plugin(
        self, plugin: str, service: str, config: Mapping[str, Any] | None = None
    ) -> Json:
        """Mount the service plugin ``plugin`` as ``service`` (its answers under ``/service``)."""
        return self._run(calls.mount_plugin(plugin, service, config))

    def unmount_service(self, service: str) -> None:
        self._run(calls.unmount_service(service))

    def configure_mount(self, service: str, config: Mapping[str, Any]) -> Json:
        """``PATCH /plugins/mounts/{service}``: ``config``'s keys over the mount's config, taken
        in place by a mount that can (an exchange keeps its candles, clock and connections)."""
        return self._run(calls.configure_mount(service, config))

    def export(
        self,
        format: str = "har",
        *,
        since: datetime | str | None = None,
        limit: int | None = None,
        unmatched: bool = False,
        matching_stub: str | None = None,
    ) -> Any:
        """``GET /requests/export``: the journal oldest first, as HAR 1.2 (a dict), ``json``
        (a dict) or ``ndjson`` (text), with the filters of :meth:`requests`."""
        params: dict[str, str] = {}
        if since is not None:
            params["since"] = since.isoformat() if isinstance(since, datetime) else since
        if limit is not None:
            params["limit"] = str(limit)
        if unmatched:
            params["unmatched"] = "true"
        if matching_stub is not None:
            params["matchingStub"] = matching_stub
        return self._run(calls.export_requests(format, params))

    def metrics(self) -> str:
        """``GET /__admin/metrics``: Prometheus text (at the server's root admin only)."""
        return self._run(calls.metrics())

    def metrics_json(self) -> Json:
        """``GET /__admin/metrics.json``: the metrics, rates and latency percentiles."""
        return self._run(calls.metrics_json())

    def events(
        self,
        *,
        since: int | None = None,
        types: tuple[str, ...] | None = None,
        service: str | None = None,
        method: str | None = None,
        path: str | None = None,
        matched: bool | None = None,
        resume: bool = True,
    ) -> EventStream:
        """The live events of this admin root's namespace (every namespace at the server's
        root): ``for event in client.events(types=("serve",)): ...``. ``since`` replays the
        kept events after that ``seq``; ``resume`` reconnects a stream closed for falling
        behind, from the last event received."""
        query = filters(since, types, service, method, path, matched)
        return EventStream(
            self.admin_url, self._headers, query, resume=resume, timeout=self.timeout
        )

    def shutdown(self) -> None:
        self._run(calls.shutdown())

    # -- load runs --------------------------------------------------------------------------
    def start_load_run(self, script: Mapping[str, Any] | str) -> str:
        """Start a load script (a mapping, or its YAML text) on the server; returns its id."""
        return self._run(calls.start_load_run(script))

    def load_runs(self) -> list[Json]:
        """The server's load runs, each with its progress."""
        return self._run(calls.load_runs())

    def load_run(self, run_id: str) -> Json:
        """One run's progress, and its ``report`` once it has ended."""
        return self._run(calls.load_run(run_id))

    def cancel_load_run(self, run_id: str) -> None:
        self._run(calls.cancel_load_run(run_id))

    def tag_maps(self) -> list[Json]:
        """The tag maps the server was started with (``mockbdd serve --tag-maps``)."""
        return self._run(calls.tag_maps())

    def apply_tag_map(self, name: str, **params: Any) -> Json:
        """Apply a server-side tag map to this admin root's namespace."""
        return self._run(calls.apply_tag_map(name, params))

    # -- namespaces -------------------------------------------------------------------------
    def create_namespace(
        self,
        name: str | None = None,
        *,
        ttl_seconds: float | None = None,
        port: int | None = None,
        tag_maps: Sequence[str] | None = None,
        mappings: Sequence[MappingLike] | None = None,
        settings: Mapping[str, Any] | None = None,
        scenario_states: Mapping[str, str] | None = None,
        collections: Mapping[str, Any] | None = None,
        mounts: Mapping[str, Any] | None = None,
        applier: Applier | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> NamespaceHandle:
        """A new namespace, opened with its stubs, settings, scenario states, CRUD collections
        and service plugins (``mounts``: ``{service: {plugin, config}}``) in one call.
        ``labels`` (strings) say what it is for; exports and listings carry them."""
        info = self._run(
            calls.create_namespace(
                name,
                ttl_seconds,
                port,
                tag_maps,
                mappings,
                settings,
                scenario_states,
                collections,
                mounts,
                labels,
            )
        )
        return NamespaceHandle(self, info, applier=applier)

    def namespaces(self) -> list[Json]:
        return self._run(calls.namespaces())

    def delete_namespace(self, name: str, *, missing_ok: bool = False) -> bool:
        """True if deleted; an unknown name raises ``AdminError`` unless ``missing_ok``."""
        return self._run(calls.delete_namespace(name, missing_ok))

    def namespace(self, name: str, *, applier: Applier | None = None) -> NamespaceHandle:
        """The handle of an existing namespace (``AdminError`` 404 if there is none)."""
        return NamespaceHandle(self, self._run(calls.find_namespace(name)), applier=applier)
