"""Running the server on sockets: the main site, dedicated namespace ports, TTL reaping, shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from mockbdd.config import ServerConfig
from mockbdd.domain.engine import Engine
from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.namespace import Namespace
from mockbdd.domain.stubs import StubMapping
from mockbdd.extensions import Extensions
from mockbdd.server.admin import MAX_ADMIN_BODY, AdminApi
from mockbdd.server.app import Dispatcher
from mockbdd.server.data_plane import DataPlane
from mockbdd.wire.builtins import load_extensions
from mockbdd.wire.files import load_mapping_dir

if TYPE_CHECKING:
    from mockbdd.tagmaps.registry import TagMapRegistry

log = logging.getLogger("mockbdd.server")
SHUTDOWN_GRACE_S = 1.0  # in-flight delayed answers (a simulated timeout) must not hold up exit


class MockHttpServer:
    """An engine served on ``config.host:config.port``. Implements the admin ``Runtime``."""

    def __init__(
        self,
        config: ServerConfig,
        engine: Engine | None = None,
        extensions: Extensions | None = None,
    ) -> None:
        self.config = config
        # built-ins and the mockbdd.plugins entry points; a broken plugin stops start-up
        self.extensions = (
            load_extensions(global_response_templating=config.global_response_templating)
            if extensions is None
            else extensions
        )
        self.engine = engine or Engine(
            journal_max=config.journal_max,
            journal_max_body_bytes=config.journal_max_bytes,
            seed=config.seed,
        )
        self.file_stubs: tuple[StubMapping, ...] = ()
        if config.mappings is not None:
            self.file_stubs = tuple(load_mapping_dir(config.mappings, extensions=self.extensions))
        self.data_plane = DataPlane(
            config.files,
            config.max_body_bytes,
            config.proxy_allow,
            config.prepared,
            extensions=self.extensions,
        )
        self.admin = AdminApi(self.engine, self, config.admin_token)
        self.port = 0
        self.stopped = asyncio.Event()
        self._started = time.monotonic()
        self._runners: dict[str | None, web.ServerRunner] = {}
        self._reaper: asyncio.Task[None] | None = None
        self._registry: TagMapRegistry | None = None
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
            from mockbdd.tagmaps.registry import TagMapRegistry  # the BDD layer, on first use

            self._registry = TagMapRegistry.load_dir(self.config.tag_maps)
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

    def request_shutdown(self) -> None:
        asyncio.get_running_loop().call_later(0.05, self.stopped.set)

    def uptime_seconds(self) -> float:
        return time.monotonic() - self._started

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
        site = web.SockSite(runner, sock)
        await site.start()
        return runner, sock.getsockname()[1]

    async def start(self) -> None:
        self.config.check_exposure()
        self._started = time.monotonic()
        dispatcher = Dispatcher(self.engine, self.data_plane, self.admin)
        runner, self.port = await self._serve(dispatcher, self.config.port)
        self._runners[None] = runner
        self._reaper = asyncio.get_running_loop().create_task(self._reap())

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
        for runner in list(self._runners.values()):
            await runner.cleanup()
        self._runners.clear()
        await self.data_plane.proxy.close()
        self.stopped.set()
