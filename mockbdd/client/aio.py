"""The asyncio admin client and namespace handle: ``AsyncClient``, ``AsyncNamespaceHandle``.

GENERATED FILE, DO NOT EDIT. ``make client-async`` (``python -m mockbdd.codegen.async_client``)
writes it from ``sync.py`` (``Client``) and ``namespace.py`` (``NamespaceHandle``): the same
code with every I/O call awaited. Change those and regenerate; a test fails while it is stale.
"""

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
from mockbdd.client.errors import VerificationError
from mockbdd.client.events import AsyncEventStream, filters
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
from mockbdd.client.namespace import (
    _NO_APPLIER,
    AsyncApplier,
    _Handle,
    route_pattern,
    route_request,
    service_pattern,
    stub_json,
    verify_message,
)

T = TypeVar("T")


class AsyncClient(ClientBase[httpx.AsyncClient]):
    """WireMock-compatible admin client for mockbdd, bound to one admin root."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout: float = 5.0,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(
            base_url,
            token,
            timeout,
            http if http is not None else httpx.AsyncClient(timeout=timeout),
        )
        self._owns_http = http is None

    # -- plumbing ---------------------------------------------------------------------------
    async def _send(self, c: Call) -> Reply:
        return self._reply(c, await self._http.request(**self._request(c)))

    async def _run(self, op: Op[T]) -> T:
        try:
            c = next(op)
            while True:
                c = op.send(await self._send(c))
        except StopIteration as done:
            return cast(T, done.value)
        finally:
            op.close()

    def scoped(self, base_url: str) -> AsyncClient:
        """A client for another admin root (e.g. a namespace's), sharing this connection pool."""
        return AsyncClient(base_url, token=self._token, timeout=self.timeout, http=self._http)

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- mappings ---------------------------------------------------------------------------
    async def create_stub(self, mapping: MappingLike) -> Json:
        return await self._run(calls.create_stub(mapping))

    async def get_stub(self, stub_id: str) -> Json:
        return await self._run(calls.get_stub(stub_id))

    async def update_stub(self, stub_id: str, mapping: MappingLike) -> Json:
        return await self._run(calls.update_stub(stub_id, mapping))

    async def delete_stub(self, stub_id: str) -> None:
        await self._run(calls.delete_stub(stub_id))

    async def list_stubs(
        self, *, limit: int | None = None, offset: int | None = None
    ) -> list[StubInfo]:
        return await self._run(calls.list_stubs(limit, offset))

    async def delete_stubs(self) -> None:
        await self._run(calls.delete_stubs())

    async def import_stubs(
        self,
        mappings: Sequence[MappingLike],
        *,
        duplicate_policy: str = "OVERWRITE",
        delete_all_not_in_import: bool = False,
    ) -> None:
        await self._run(calls.import_stubs(mappings, duplicate_policy, delete_all_not_in_import))

    async def reset_mappings(self) -> None:
        await self._run(calls.reset_mappings())

    async def save_stubs(self) -> None:
        await self._run(calls.save_stubs())

    async def find_stubs_by_metadata(self, pattern: Mapping[str, Any]) -> list[StubInfo]:
        return await self._run(calls.find_stubs_by_metadata(pattern))

    async def remove_stubs_by_metadata(self, pattern: Mapping[str, Any]) -> None:
        await self._run(calls.remove_stubs_by_metadata(pattern))

    async def unmatched_stubs(self) -> list[StubInfo]:
        return await self._run(calls.unmatched_stubs())

    async def remove_unmatched_stubs(self) -> list[StubInfo]:
        return await self._run(calls.remove_unmatched_stubs())

    async def switch_stubs(
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
        return await self._run(op)

    async def unused_stubs(
        self,
        service: str | None = None,
        *,
        except_metadata: Mapping[str, Any] | None = None,
        timeout: float = 0.0,
    ) -> list[StubInfo]:
        """Stubs (of ``service``) not served since they were added, each with its service;
        waits up to ``timeout`` s for them all to be used."""
        return await self._run(calls.unused_stubs(service, except_metadata, timeout))

    # -- journal ----------------------------------------------------------------------------
    async def requests(
        self,
        limit: int | None = None,
        since: datetime | str | None = None,
        unmatched: bool | None = None,
        matching_stub: str | None = None,
    ) -> list[ServeEvent]:
        """ServeEvents, newest first."""
        return await self._run(calls.requests(limit, since, unmatched, matching_stub))

    async def get_request(self, request_id: str) -> ServeEvent:
        return await self._run(calls.get_request(request_id))

    async def delete_request(self, request_id: str) -> None:
        await self._run(calls.delete_request(request_id))

    async def reset_requests(self) -> None:
        await self._run(calls.reset_requests())

    async def count(self, pattern: MappingLike) -> int:
        return await self._run(calls.count(pattern))

    async def find(self, pattern: MappingLike) -> list[LoggedRequest]:
        """LoggedRequests matching ``pattern``, in arrival order."""
        return await self._run(calls.find(pattern))

    async def remove_requests(self, pattern: MappingLike) -> list[ServeEvent]:
        return await self._run(calls.remove_requests(pattern))

    async def remove_requests_by_metadata(self, pattern: Mapping[str, Any]) -> list[ServeEvent]:
        return await self._run(calls.remove_requests_by_metadata(pattern))

    async def unmatched_requests(self) -> list[LoggedRequest]:
        return await self._run(calls.unmatched_requests())

    async def unmatched_near_misses(self) -> list[NearMiss]:
        return await self._run(calls.unmatched_near_misses())

    async def near_misses_for_request(
        self, logged_request: Mapping[str, Any] | LoggedRequest
    ) -> list[NearMiss]:
        return await self._run(calls.near_misses_for_request(logged_request))

    async def near_misses_for_pattern(self, pattern: MappingLike) -> list[NearMiss]:
        return await self._run(calls.near_misses_for_pattern(pattern))

    async def wait_for(self, pattern: MappingLike, count: int = 1, timeout: float = 2.0) -> int:
        """Return once ``count`` requests match; ``VerificationError`` after ``timeout`` s."""
        return await self._run(calls.wait_for(pattern, count, timeout))

    async def verify(self, pattern: MappingLike, count: int = 1) -> int:
        """Exactly ``count`` requests match, else ``VerificationError`` with the near misses."""
        return await self._run(calls.verify(pattern, count))

    async def match(self, request: Mapping[str, Any] | LoggedRequest) -> MatchResult:
        """A dry run: the stub that would answer ``request`` now (``{"method", "url",
        "headers"?, "body"?}``) and its response; nothing is journaled or advanced."""
        return await self._run(calls.match(request))

    async def verify_requests(
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
        return await self._run(calls.verify_requests(pattern, count, mode, timeout, service))

    async def verify_in_order(
        self,
        patterns: Sequence[MappingLike],
        *,
        timeout: float = 0.0,
        service: str | None = None,
    ) -> VerifyResult:
        """Requests matching ``patterns`` arrived in this order (others may come between)."""
        return await self._run(calls.verify_in_order(patterns, timeout, service))

    async def verify_nth(
        self,
        pattern: MappingLike,
        index: int,
        matches: MappingLike,
        *,
        timeout: float = 0.0,
        service: str | None = None,
    ) -> VerifyResult:
        """The ``index``-th request (from 1) matching ``pattern`` also matches ``matches``."""
        return await self._run(calls.verify_nth(pattern, index, matches, timeout, service))

    # -- record and playback ----------------------------------------------------------------
    async def start_recording(self, target: str, options: Mapping[str, Any] | None = None) -> None:
        """Proxy and record ``target`` (WireMock's RecordSpec fields in ``options``)."""
        await self._run(calls.start_recording(target, options))

    async def stop_recording(self) -> list[Json]:
        """The recorded stub mappings (added to the server; written with ``persist``)."""
        return await self._run(calls.stop_recording())

    async def recording_status(self) -> str:
        """``NeverStarted``, ``Recording`` or ``Stopped``."""
        return await self._run(calls.recording_status())

    async def snapshot_recording(self, options: Mapping[str, Any] | None = None) -> list[Json]:
        """Stub mappings made of the journal's proxied requests."""
        return await self._run(calls.snapshot_recording(options))

    # -- CRUD collections -------------------------------------------------------------------
    async def collections(self) -> list[Json]:
        """Each collection: name, idField, schema, relations and total."""
        return await self._run(calls.collections())

    async def collection(self, name: str) -> list[Json]:
        """The items of a collection, in insertion order."""
        return await self._run(calls.collection(name))

    async def set_collection(
        self, name: str, items: Sequence[Mapping[str, Any]] | Mapping[str, Any]
    ) -> Json:
        """Replace a collection: its items (spec kept), or ``{items, schema, idField,
        relations}``."""
        return await self._run(calls.set_collection(name, items))

    async def clear_collection(self, name: str) -> None:
        await self._run(calls.clear_collection(name))

    # -- scenarios and system ---------------------------------------------------------------
    async def scenarios(self) -> list[Json]:
        return await self._run(calls.scenarios())

    async def reset_scenarios(self) -> None:
        await self._run(calls.reset_scenarios())

    async def set_scenario_state(self, name: str, state: str | None) -> None:
        await self._run(calls.set_scenario_state(name, state))

    async def reset(self) -> None:
        await self._run(calls.reset())

    async def settings(self) -> Json:
        return await self._run(calls.settings())

    async def update_settings(
        self,
        settings: Mapping[str, Any] | None = None,
        *,
        fixed_delay: int | None = None,
        delay_distribution: Mapping[str, Any] | None = None,
        extended: Mapping[str, Any] | None = None,
    ) -> Json:
        """Replace the settings (WireMock semantics); returns them as stored."""
        op = calls.update_settings(settings, fixed_delay, delay_distribution, extended)
        return await self._run(op)

    async def health(self) -> Json:
        return await self._run(calls.health())

    async def version(self) -> str:
        return await self._run(calls.version())

    async def sample_delays(
        self, distribution: Mapping[str, Any], count: int = 1000, seed: int | None = None
    ) -> Json:
        """``POST /__admin/delays/sample``: ``count`` draws of a delay distribution (no
        sleeping) and their summary, to preview a latency model."""
        return await self._run(calls.sample_delays(distribution, count, seed))

    # -- resource pressure ------------------------------------------------------------------
    async def apply_pressure(
        self, memory_mb: int = 0, cpu_percent: int = 0, duration_ms: int = 1000
    ) -> Json:
        """``POST /__admin/pressure``: hold real memory and burn CPU for ``duration_ms``."""
        return await self._run(calls.apply_pressure(memory_mb, cpu_percent, duration_ms))

    async def pressure(self) -> Json:
        return await self._run(calls.pressure())

    async def release_pressure(self) -> Json:
        return await self._run(calls.release_pressure())

    # -- webSocket stubs ---------------------------------------------------------------------
    async def websocket_messages(
        self, direction: str | None = None, path: str | None = None
    ) -> list[Json]:
        """Messages of webSocket stubs, oldest first: ``direction`` "in" (from the client) or
        "out" (sent by a stub), ``path`` the endpoint's."""
        return await self._run(calls.websocket_messages(direction, path))

    async def count_websocket_messages(
        self, pattern: Mapping[str, Any], direction: str | None = None, path: str | None = None
    ) -> int:
        """Messages whose text matches the content ``pattern`` (``{"contains": "ping"}``)."""
        return await self._run(calls.count_websocket_messages(pattern, direction, path))

    async def reset_websocket_messages(self) -> None:
        await self._run(calls.reset_websocket_messages())

    # -- OpenAPI ----------------------------------------------------------------------------
    async def import_openapi(
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
        return await self._run(calls.import_openapi(document, mode, validate, service, files))

    async def openapi_docs(self) -> Json:
        """``GET /__admin/docs/openapi.json``: the mocked endpoints as an OpenAPI document."""
        return await self._run(calls.openapi_docs())

    # -- service plugins --------------------------------------------------------------------
    async def plugins(self) -> Json:
        """``GET /__admin/plugins``: the service plugins installed and those mounted here."""
        return await self._run(calls.plugins())

    async def mount_plugin(
        self, plugin: str, service: str, config: Mapping[str, Any] | None = None
    ) -> Json:
        """Mount the service plugin ``plugin`` as ``service`` (its answers under ``/service``)."""
        return await self._run(calls.mount_plugin(plugin, service, config))

    async def unmount_service(self, service: str) -> None:
        await self._run(calls.unmount_service(service))

    async def configure_mount(self, service: str, config: Mapping[str, Any]) -> Json:
        """``PATCH /plugins/mounts/{service}``: ``config``'s keys over the mount's config, taken
        in place by a mount that can (an exchange keeps its candles, clock and connections)."""
        return await self._run(calls.configure_mount(service, config))

    async def export(
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
        return await self._run(calls.export_requests(format, params))

    async def metrics(self) -> str:
        """``GET /__admin/metrics``: Prometheus text (at the server's root admin only)."""
        return await self._run(calls.metrics())

    async def metrics_json(self) -> Json:
        """``GET /__admin/metrics.json``: the metrics, rates and latency percentiles."""
        return await self._run(calls.metrics_json())

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
    ) -> AsyncEventStream:
        """The live events of this admin root's namespace (every namespace at the server's
        root): ``for event in client.events(types=("serve",)): ...``. ``since`` replays the
        kept events after that ``seq``; ``resume`` reconnects a stream closed for falling
        behind, from the last event received."""
        query = filters(since, types, service, method, path, matched)
        return AsyncEventStream(
            self.admin_url, self._headers, query, resume=resume, timeout=self.timeout
        )

    async def shutdown(self) -> None:
        await self._run(calls.shutdown())

    # -- load runs --------------------------------------------------------------------------
    async def start_load_run(self, script: Mapping[str, Any] | str) -> str:
        """Start a load script (a mapping, or its YAML text) on the server; returns its id."""
        return await self._run(calls.start_load_run(script))

    async def load_runs(self) -> list[Json]:
        """The server's load runs, each with its progress."""
        return await self._run(calls.load_runs())

    async def load_run(self, run_id: str) -> Json:
        """One run's progress, and its ``report`` once it has ended."""
        return await self._run(calls.load_run(run_id))

    async def cancel_load_run(self, run_id: str) -> None:
        await self._run(calls.cancel_load_run(run_id))

    async def tag_maps(self) -> list[Json]:
        """The tag maps the server was started with (``mockbdd serve --tag-maps``)."""
        return await self._run(calls.tag_maps())

    async def apply_tag_map(self, name: str, **params: Any) -> Json:
        """Apply a server-side tag map to this admin root's namespace."""
        return await self._run(calls.apply_tag_map(name, params))

    # -- namespaces -------------------------------------------------------------------------
    async def create_namespace(
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
        applier: AsyncApplier | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> AsyncNamespaceHandle:
        """A new namespace, opened with its stubs, settings, scenario states, CRUD collections
        and service plugins (``mounts``: ``{service: {plugin, config}}``) in one call.
        ``labels`` (strings) say what it is for; exports and listings carry them."""
        info = await self._run(
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
        return AsyncNamespaceHandle(self, info, applier=applier)

    async def namespaces(self) -> list[Json]:
        return await self._run(calls.namespaces())

    async def delete_namespace(self, name: str, *, missing_ok: bool = False) -> bool:
        """True if deleted; an unknown name raises ``AdminError`` unless ``missing_ok``."""
        return await self._run(calls.delete_namespace(name, missing_ok))

    async def namespace(
        self, name: str, *, applier: AsyncApplier | None = None
    ) -> AsyncNamespaceHandle:
        """The handle of an existing namespace (``AdminError`` 404 if there is none)."""
        return AsyncNamespaceHandle(
            self, await self._run(calls.find_namespace(name)), applier=applier
        )


class AsyncNamespaceHandle(_Handle):
    """A namespace; its ``admin`` is the ``AsyncClient`` scoped to it (every WireMock admin call)."""

    def __init__(
        self, root: AsyncClient, info: Mapping[str, Any], *, applier: AsyncApplier | None = None
    ) -> None:
        super().__init__(info)
        self._root = root
        self.admin: AsyncClient = root.scoped(self.admin_url)
        self._applier = applier

    async def stub(self, mapping: MappingLike, service: str | None = None) -> str:
        """Add a stub (under ``/<service>`` if given); returns its id."""
        return str((await self.admin.create_stub(stub_json(mapping, service)))["id"])

    async def apply(self, map_name: str, **params: str) -> None:
        """Apply a tag map (needs the applier the BDD integration supplies)."""
        if self._applier is None:
            raise RuntimeError(_NO_APPLIER.format(name=map_name))
        await self._applier(self, map_name, dict(params))

    async def requests(self, service: str | None = None) -> list[LoggedRequest]:
        """What this namespace (or service) received, in arrival order."""
        return await self.admin.find(service_pattern(service))

    async def match(self, method: str, path: str, service: str | None = None) -> MatchResult:
        """Which stub would answer ``method path`` (on ``service``) now: a dry run."""
        return await self.admin.match(route_request(method, path, service))

    async def count(self, method: str, path: str, service: str | None = None) -> int:
        return await self.admin.count(route_pattern(method, path, service))

    async def wait_for(
        self,
        count: int,
        method: str,
        path: str,
        service: str | None = None,
        timeout: float = 2.0,
    ) -> int:
        """Return once ``count`` requests arrived; ``VerificationError`` after ``timeout`` s."""
        return await self.admin.wait_for(route_pattern(method, path, service), count, timeout)

    async def verify(self, count: int, method: str, path: str, service: str | None = None) -> None:
        """Exactly ``count`` requests, else ``VerificationError`` worded as the assertion
        phrases are: the path as given (not the namespace's service prefix) and what the
        service received; the library's frames are hidden from pytest's traceback."""
        __tracebackhide__ = True
        try:
            await self.admin.verify(route_pattern(method, path, service), count)
        except VerificationError as failure:
            received = await self.requests(service)
            failure.args = (verify_message(count, method, path, service, failure, received),)
            raise failure.with_traceback(None) from None  # no library frames

    async def reset(self) -> None:
        await self.admin.reset()

    async def close(self) -> None:
        """Delete the namespace; idempotent, and fine if it is already gone."""
        if not self.closed:
            await self._root.delete_namespace(self.name, missing_ok=True)
            self.closed = True

    async def __aenter__(self) -> AsyncNamespaceHandle:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
