"""Running serve-event listeners (webhooks) after answers: an observe stage that takes part
only in namespaces with a stub that names a listener, and a context lending the listeners the
server's HTTP client, its outbound allow-list and its template engine."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp

from mockbdd.domain.journal import ServeEvent
from mockbdd.domain.listeners import (
    SERVE_EVENT_LISTENERS,
    OutboundRequest,
    OutboundResponse,
    ServeEventListener,
)
from mockbdd.domain.namespace import Namespace
from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ServeContext, loaded
from mockbdd.extensions import Extensions
from mockbdd.server.stages import Hooks

log = logging.getLogger("mockbdd.server")
WEBHOOK_TIMEOUT = aiohttp.ClientTimeout(total=30)
MAX_PENDING = 10_000  # callbacks waiting or in flight per server; more are refused, not queued
MAX_ANSWER_BYTES = 1024 * 1024  # read of a webhook target's answer
Render = Callable[[str, RecordedRequest, Mapping[str, Any]], str]


def _unrendered(template: str, original: RecordedRequest, parameters: Mapping[str, Any]) -> str:
    return template


MAX_COMPILED = 1024  # distinct webhook templates kept compiled per server


def webhook_renderer(entry: Any) -> Render | None:
    """Webhook templates rendered as WireMock renders them: the response-template engine
    (``entry``, the registered ``response-template`` transformer, imported at the first
    webhook template) with the triggering request as ``originalRequest``. Each distinct
    template is compiled once and kept."""
    if entry is None:
        return None
    compiled: dict[str, Any] = {}

    def render(template: str, original: RecordedRequest, parameters: Mapping[str, Any]) -> str:
        engine: Any = loaded(entry)
        if not (hasattr(engine, "compile") and hasattr(engine, "context")):
            return template  # a plugin's response-template that is no template engine
        found = compiled.get(template)
        if found is None:
            if len(compiled) >= MAX_COMPILED:
                compiled.clear()
            found = compiled[template] = engine.compile(template, "webhook")
        context = ServeContext(
            namespace="", event_id="", seq=0, seed=None, path_parameters={}, values={}
        )
        model = engine.context(original, parameters, context)
        text: str = found.render(
            {"originalRequest": model["request"], "parameters": model["parameters"]}
        )
        return text

    return render


class ListenerRunner:
    """One per server. ``stage`` is its data-plane stage; ``close`` cancels what is pending."""

    def __init__(
        self,
        extensions: Extensions,
        refusal: Callable[[str], str | None],
        render: Render | None = None,
        seed: int | None = None,
    ) -> None:
        self._listeners: dict[str, ServeEventListener] = dict(
            extensions.items(SERVE_EVENT_LISTENERS)
        )
        self._refusal = refusal
        self._render = render or _unrendered
        self._rng = random.Random(seed)
        self._session: aiohttp.ClientSession | None = None
        self._pending: set[asyncio.Task[None]] = set()
        self.stage = Hooks(observe=self._observe, active=_names_listeners)

    # -- ListenerContext -------------------------------------------------------------------
    @property
    def rng(self) -> random.Random:
        return self._rng

    def render(
        self, template: str, original: RecordedRequest, parameters: Mapping[str, Any]
    ) -> str:
        return self._render(template, original, parameters)

    def refusal(self, url: str) -> str | None:
        return self._refusal(url)

    async def send(self, request: OutboundRequest) -> OutboundResponse:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=WEBHOOK_TIMEOUT, cookie_jar=aiohttp.DummyCookieJar()
            )
        named = {name.lower() for name, _ in request.headers}
        # WireMock sends no Content-Type the webhook does not name; aiohttp would add one
        skip = () if "content-type" in named else ("Content-Type",)
        try:
            async with self._session.request(
                request.method,
                request.url,
                headers=list(request.headers),
                data=request.body,
                allow_redirects=False,
                skip_auto_headers=skip,
            ) as answer:
                body = await answer.content.read(MAX_ANSWER_BYTES)
                return OutboundResponse(answer.status, tuple(answer.headers.items()), body)
        except aiohttp.ClientError as exc:
            raise OSError(str(exc) or exc.__class__.__name__) from exc

    # -- the stage -------------------------------------------------------------------------
    def _observe(self, ns: Namespace, event: ServeEvent) -> None:
        stub = event.stub
        if stub is None or not stub.listeners:
            return
        for call in stub.listeners:
            listener = self._listeners.get(call.name)
            if listener is None:  # decoded where it was registered, but not here
                _failed(event, f"no serve event listener named {call.name!r} on this server")
                continue
            if len(self._pending) >= MAX_PENDING:
                _failed(event, f"{call.name} not run: {MAX_PENDING} callbacks already pending")
                continue
            task = asyncio.get_running_loop().create_task(
                self._run(listener, call.name, event, call.parameters)
            )
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _run(
        self,
        listener: ServeEventListener,
        name: str,
        event: ServeEvent,
        parameters: Mapping[str, Any],
    ) -> None:
        try:
            await listener.after_complete(self, event, parameters)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a broken listener costs its own call only
            log.exception("mockbdd: serve event listener %r failed", name)
            _failed(event, f"serve event listener {name!r} failed: {exc.__class__.__name__}: {exc}")

    async def wait_idle(self) -> None:
        """Until every pending callback has run (tests and a graceful shutdown)."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._pending):
            task.cancel()
        if self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None


def _names_listeners(ns: Namespace) -> bool:
    return any(stub.listeners for stub in ns.stubs)


def _failed(event: ServeEvent, message: str) -> None:
    event.add_sub_event("ERROR", {"message": message}, time.time())
