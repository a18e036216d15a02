"""The embedded server: ``with MockServer() as s`` (own loop in a daemon thread) or ``async with``."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from types import TracebackType
from typing import Any

from mockbdd.config import ServerConfig
from mockbdd.domain.engine import Engine
from mockbdd.extensions import Register
from mockbdd.server.runner import MockHttpServer


def new_event_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


class MockServer:
    """A mock server on 127.0.0.1 and an ephemeral port by default. ``start()`` is idempotent.

    ``MockServer(journal_max=5, tag_maps="tag_maps")`` takes any :class:`ServerConfig` setting
    by name (``mockbdd serve --help`` lists them), and nothing from the environment; or pass a
    whole ``config=``. An unknown setting raises ``TypeError``, a bad value ``ValueError``.
    ``plugins``: register functions of this server's own, beside the installed entry points."""

    def __init__(
        self,
        *,
        config: ServerConfig | None = None,
        plugins: tuple[Register, ...] = (),
        **settings: object,
    ) -> None:
        if config is not None and settings:
            raise TypeError(
                f"mockbdd: MockServer takes config= or settings ({', '.join(settings)}), not both"
            )
        self.config = config if config is not None else ServerConfig.embedded(**settings)
        self._plugins = plugins
        self._server: MockHttpServer | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._watcher: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the mock server is not started")
        return self._server.origin()

    @property
    def port(self) -> int:
        return self._server.port if self._server is not None else 0

    @property
    def engine(self) -> Engine:
        if self._server is None:
            raise RuntimeError("the mock server is not started")
        return self._server.engine

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        return self._loop

    @property
    def running(self) -> bool:
        return self._server is not None

    # -- threaded ---------------------------------------------------------------------------
    def start(self) -> MockServer:
        """Start in a daemon thread; a no-op when running, a fresh start after a shutdown."""
        with self._lock:
            if self._server is not None:
                return self
            ready = threading.Event()
            failure: list[BaseException] = []
            loop = new_event_loop()

            def run() -> None:
                asyncio.set_event_loop(loop)
                try:  # a bad mappings or tag-maps folder fails here: report it, never hang
                    server = MockHttpServer(self.config, plugins=self._plugins)
                    loop.run_until_complete(server.start())
                except BaseException as exc:  # handed to the starting thread
                    failure.append(exc)
                    ready.set()
                    loop.close()
                    return
                self._server = server
                ready.set()
                try:
                    loop.run_until_complete(server.stopped.wait())
                    loop.run_until_complete(server.stop())
                finally:
                    with self._lock:  # stopped from inside (POST /__admin/shutdown): forget it
                        if self._server is server:
                            self._server = self._loop = self._thread = None
                    loop.close()

            thread = threading.Thread(target=run, name="mockbdd-server", daemon=True)
            thread.start()
            ready.wait()
            if failure:
                raise failure[0]
            self._loop, self._thread = loop, thread
            return self

    def stop(self) -> None:
        with self._lock:
            server, loop, thread = self._server, self._loop, self._thread
            if server is None or loop is None or thread is None:
                return
            self._server = self._loop = self._thread = None
        with contextlib.suppress(RuntimeError):  # the loop may already be closed (shut down)
            loop.call_soon_threadsafe(server.stopped.set)
        thread.join(timeout=10)

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def call(self, func: Any, *args: Any) -> Any:
        """Run ``func(*args)`` on the server's loop and return its result (engine access from tests)."""
        loop = self._loop
        if loop is None:
            raise RuntimeError("the mock server is not started in a thread")

        async def run() -> Any:
            return func(*args)

        return asyncio.run_coroutine_threadsafe(run(), loop).result(timeout=10)

    # -- on the caller's loop ---------------------------------------------------------------
    async def __aenter__(self) -> MockServer:
        if self._server is None:
            server = MockHttpServer(self.config, plugins=self._plugins)
            await server.start()
            self._server = server
            self._watcher = asyncio.get_running_loop().create_task(self._stop_when_asked(server))
        return self

    async def _stop_when_asked(self, server: MockHttpServer) -> None:
        """Honour ``POST /__admin/shutdown`` when running on the caller's loop."""
        await server.stopped.wait()
        if self._server is server:
            self._server = None
            await server.stop()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        server, self._server = self._server, None
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.cancel()
        if server is not None:
            await server.stop()
