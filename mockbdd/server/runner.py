"""Running the server on sockets: the main site, dedicated namespace ports, TTL reaping, shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from mockbdd.admin.events import EventHub
from mockbdd.config import LOOPBACK_HOSTS, ServerConfig, statsd_address
from mockbdd.domain.engine import Engine
from mockbdd.domain.errors import InvalidInput, NotFound
from mockbdd.domain.namespace import Namespace
from mockbdd.domain.reach import outbound_targets
from mockbdd.domain.stubs import StubMapping
from mockbdd.extensions import Extensions, Register
from mockbdd.server import limits, simulation, validation
from mockbdd.server.admin import MAX_ADMIN_BODY, AdminApi, Stream
from mockbdd.server.app import Dispatcher
from mockbdd.server.data_plane import DataPlane
from mockbdd.server.events import EventStreams
from mockbdd.server.metrics import Metrics
from mockbdd.server.mounts import ServiceMounts
from mockbdd.server.stages import STAGES, Stage
from mockbdd.wire.builtins import load_extensions

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

    from mockbdd.admin.mapping_files import MappingFiles
    from mockbdd.admin.recording_tasks import Recorder
    from mockbdd.domain.near_miss import NearMiss
    from mockbdd.domain.requests import RecordedRequest
    from mockbdd.load.runs import LoadRuns
    from mockbdd.server.pressure import Pressure
    from mockbdd.server.statsd import StatsdPusher
    from mockbdd.server.tracing import Tracing
    from mockbdd.server.websockets import WebSockets
    from mockbdd.tagmaps.registry import TagMapRegistry
    from mockbdd.templating.files import TemplateFiles
    from mockbdd.wire.files import LoadedStub

log = logging.getLogger("mockbdd.server")
SHUTDOWN_GRACE_S = 1.0  # in-flight delayed answers (a simulated timeout) must not hold up exit
# connections the kernel queues for accept(): a load test's burst of new connections waits there
# instead of having its SYNs dropped (aiohttp's 128 sent clients into 1 s, 3 s retries); the
# kernel caps it at net.core.somaxconn
LISTEN_BACKLOG = socket.SOMAXCONN


class MockHttpServer:
    """An engine served on ``config.host:config.port``. Implements the admin ``Runtime``."""

    def __init__(
        self,
        config: ServerConfig,
        engine: Engine | None = None,
        extensions: Extensions | None = None,
        tracer_provider: TracerProvider | None = None,
        plugins: tuple[Register, ...] = (),
    ) -> None:
        """``tracer_provider``: spans go there (as with ``--otel``) instead of OTLP; ``plugins``:
        register functions of this server's own (as a ``mockbdd.plugins`` entry point's)."""
        self.config = config
        # built-ins and the mockbdd.plugins entry points; a broken plugin stops start-up
        self.extensions = (
            load_extensions(
                limits.register,
                simulation.register,
                validation.register,
                *plugins,
                global_response_templating=config.global_response_templating,
            )
            if extensions is None
            else extensions
        )
        self.engine = engine or Engine(
            journal_max=config.journal_max,
            journal_max_body_bytes=config.journal_max_bytes,
            seed=config.seed,
        )
        loaded: list[LoadedStub] = []
        folder = config.mappings_dir
        # a --root-dir without a mappings folder yet is a server with no file stubs (WireMock)
        if folder is not None and (config.mappings is not None or folder.is_dir()):
            # the wire codecs load with the first mapping: a server with none never pays them
            from mockbdd.wire.files import load_mapping_sources

            loaded = load_mapping_sources(folder, extensions=self.extensions)
        self.file_stubs: tuple[StubMapping, ...] = tuple(item.stub for item in loaded)
        self._mapping_files: MappingFiles | None = None
        if folder is not None:  # which file each stub came from, for persistent stubs
            from mockbdd.admin.mapping_files import MappingFiles

            self._mapping_files = MappingFiles(folder, loaded)
        self._metrics: Metrics | None = None
        self._pressure: Pressure | None = None  # made at the first pressure or reset call
        self.engine.subscribe(self._pressure_of_deleted)
        self._statsd: StatsdPusher | None = None
        own_stages: list[Stage] = []
        if config.metrics:
            self._metrics = Metrics(self.engine, lambda: self.data_plane.in_flight)
            limits_stage = self.extensions.get(STAGES, "limits")
            if isinstance(limits_stage, limits.LimitsStage):
                self._metrics.queue_depth = limits_stage.queued
            own_stages.append(self._metrics.stage)
            if config.statsd is not None:  # the pusher's module loads only with --statsd
                from mockbdd.server.statsd import StatsdPusher

                self._statsd = StatsdPusher(*statsd_address(config.statsd))
                self._metrics.sinks.append(self._statsd.push)
        self.engine.subscribe(self._namespace_changed)
        self.events: EventStreams | None = None
        if config.event_history > 0:
            self.events = EventStreams(
                self.engine, EventHub(config.event_history, config.event_buffer)
            )
            own_stages.append(self.events.stage)
        self.tracing: Tracing | None = None
        if config.otel or tracer_provider is not None:
            from mockbdd.server.tracing import Tracing  # only with --otel or a provider

            self.tracing = Tracing(tracer_provider)
            own_stages.append(self.tracing.stage)
        self.data_plane = DataPlane(
            config.files_dir,
            config.max_body_bytes,
            (
                *config.proxy_allow,
                *(url for s in self.file_stubs for _, url, _ in outbound_targets(s.source)),
            ),
            config.prepared,
            extensions=self.extensions,
            stages=tuple(own_stages),
            exposed_on=None if config.host in LOOPBACK_HOSTS else config.host,
            templates=None if config.templates is None else _template_files(config.templates),
        )
        self.admin = AdminApi(self.engine, self, config.admin_token, self._streams)
        self._recorder: Recorder | None = None  # made on first use (the module loads lazily)
        self.port = 0
        self.stopped = asyncio.Event()
        self._started = time.monotonic()
        self._runners: dict[str | None, web.ServerRunner] = {}
        self._closing: set[asyncio.Task[None]] = set()
        self._reaper: asyncio.Task[None] | None = None
        self._registry: TagMapRegistry | None = None
        self._load_runs: LoadRuns | None = None  # the load generator, on first use
        if config.tag_maps is not None:  # a broken tag map stops start-up, naming file and line
            self._registry = self.tag_map_registry()
        default = self.engine.default
        default.set_baseline(self.file_stubs)  # POST /reset and /mappings/reset restore them
        default.reset_mappings()

    # -- Runtime ----------------------------------------------------------------------------
    def origin(self) -> str:
        host = self.config.host
        host = "127.0.0.1" if host in ("0.0.0.0", "") else host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    def base_url(self, ns: Namespace) -> str:
        if ns.name == self.engine.default.name:
            return self.origin()
        return f"{self.origin()}/__ns/{ns.name}"

    def admin_url(self, ns: Namespace) -> str:
        return f"{self.base_url(ns)}/__admin"

    def tag_map_registry(self) -> TagMapRegistry:
        if self._registry is None:
            if self.config.tag_maps is None:
                raise InvalidInput(
                    "/tagMaps", "this server has no tag maps: start it with --tag-maps DIR"
                )
            from mockbdd.tagmaps.errors import TagMapLoadError  # the BDD layer, on first use
            from mockbdd.tagmaps.registry import TagMapRegistry
            from mockbdd.tagmaps.resolve import check_plugins

            registry = TagMapRegistry.load_dir(self.config.tag_maps)
            unknown = check_plugins(registry, self.extensions)  # as a broken map, stops start-up
            if unknown:
                raise TagMapLoadError(unknown)
            self._registry = registry
        return self._registry

    async def open_port(self, ns: Namespace, port: int) -> int:
        engine = self.engine
        name = ns.name

        def current() -> Namespace | None:
            found = engine.get(name)
            return found if found is ns else None

        dispatcher = Dispatcher(self.engine, self.data_plane, self.admin, fixed=current)
        runner, bound = await self._serve(dispatcher, port)
        self._runners[name] = runner
        return bound

    async def close_port(self, ns: Namespace) -> None:
        runner = self._runners.pop(ns.name, None)
        if runner is not None:
            await runner.cleanup()

    def recorder(self) -> Recorder:
        if self._recorder is None:
            from mockbdd.admin.recording_tasks import Recorder

            self._recorder = Recorder()
        return self._recorder

    def outbound_refusal(self, url: str) -> str | None:
        return self.data_plane.proxy.refusal(url)

    def recordings_dir(self) -> Path | None:
        return self.config.mappings_dir

    def files_dir(self) -> Path | None:
        return self.config.files_dir

    def mapping_files(self) -> MappingFiles | None:
        return self._mapping_files

    def request_shutdown(self) -> None:
        asyncio.get_running_loop().call_later(0.05, self.stopped.set)

    def _streams(self) -> dict[str, Stream]:
        """The admin routes the transport answers itself, by route name: made at the first
        admin request, when the route specs load with the route table (idle RSS)."""
        from mockbdd.admin import spec

        return {} if self.events is None else {spec.EVENTS.name: self.events}

    def uptime_seconds(self) -> float:
        return time.monotonic() - self._started

    def load_runs(self) -> LoadRuns:
        if self._load_runs is None:
            from mockbdd.load.runs import LoadRuns

            self._load_runs = LoadRuns()
        return self._load_runs

    async def near_misses(self, ns: Namespace, request: RecordedRequest) -> list[NearMiss]:
        return await self.data_plane.search(ns.near_miss_search(request))

    def metrics(self) -> Metrics:
        if self._metrics is None:
            raise NotFound("this server counts nothing: it was started with --no-metrics")
        return self._metrics

    @property
    def websockets(self) -> WebSockets:
        return self.data_plane.websockets

    @property
    def mounts(self) -> ServiceMounts:
        return self.data_plane.mounts

    @property
    def pressure(self) -> Pressure:
        if self._pressure is None:  # its module loads with it (idle RSS)
            from mockbdd.server.pressure import Pressure

            config = self.config
            self._pressure = Pressure(
                config.pressure_max_memory_mb, config.pressure_max_cpu_percent
            )
        return self._pressure

    def _pressure_of_deleted(self, kind: str, ns: Namespace) -> None:
        if kind == "namespace.deleted" and self._pressure is not None:
            self._pressure.drop(ns.name)

    def _namespace_changed(self, kind: str, ns: Namespace) -> None:
        if kind != "namespace.deleted":
            return
        if self._metrics is not None:
            self._metrics.forget_namespace(ns.name)
        if self.data_plane.mounts.listed(ns):  # its service plugins release what they hold
            task = asyncio.get_running_loop().create_task(self.data_plane.mounts.close(ns))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    # -- lifecycle --------------------------------------------------------------------------
    async def _serve(self, dispatcher: Dispatcher, port: int) -> tuple[web.ServerRunner, int]:
        loop = asyncio.get_running_loop()

        def make_request(
            message: Any, payload: Any, protocol: Any, writer: Any, task: Any
        ) -> web.BaseRequest:
            # admin bodies (a large import) may exceed aiohttp's 1 MiB default; the data plane
            # reads bodies itself, capped at ``max_body_bytes``
            return web.BaseRequest(
                message, payload, protocol, writer, task, loop, client_max_size=MAX_ADMIN_BODY
            )

        server = web.Server(dispatcher, access_log=None, request_factory=make_request)
        runner = web.ServerRunner(
            server, handle_signals=False, access_log=None, shutdown_timeout=SHUTDOWN_GRACE_S
        )
        await runner.setup()
        sock = socket.socket(socket.AF_INET6 if ":" in self.config.host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.config.host, port))
        except OSError:
            sock.close()
            await runner.cleanup()
            raise
        site = web.SockSite(runner, sock, backlog=LISTEN_BACKLOG)
        await site.start()
        return runner, sock.getsockname()[1]

    async def start(self) -> None:
        self.config.check_exposure()
        self._started = time.monotonic()
        dispatcher = Dispatcher(self.engine, self.data_plane, self.admin)
        runner, self.port = await self._serve(dispatcher, self.config.port)
        self._runners[None] = runner
        self._reaper = asyncio.get_running_loop().create_task(self._reap())
        if self._statsd is not None:
            await self._statsd.start()

    async def _reap(self) -> None:
        while True:
            await asyncio.sleep(self.config.namespace_reap_seconds)
            for ns in self.engine.expire():
                log.info("namespace %s expired after %ss idle", ns.name, ns.ttl_seconds)
                await self.close_port(ns)

    async def stop(self) -> None:
        if self._reaper is not None:
            self._reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reaper
            self._reaper = None
        if self._load_runs is not None:
            await self._load_runs.close()
        await self.data_plane.close_websockets()  # 1001 "going away" before the sockets go
        for runner in list(self._runners.values()):
            await runner.cleanup()
        self._runners.clear()
        await self.data_plane.listeners.close()
        await self.data_plane.mounts.close_all()
        if self._statsd is not None:
            await self._statsd.stop()
        if self.tracing is not None:
            await asyncio.to_thread(self.tracing.shutdown)  # flushes the batch: a blocking call
        await self.data_plane.proxy.close()
        self.data_plane.close()
        if self._pressure is not None:
            await self._pressure.release_all()
        self.stopped.set()


def _template_files(root: Path) -> TemplateFiles:
    """``--templates DIR``, compiled now (imported only when given: it brings Jinja2)."""
    from mockbdd.templating.files import TemplateFiles

    return TemplateFiles(root)
