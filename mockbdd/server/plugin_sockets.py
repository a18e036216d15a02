"""A service plugin's WebSocket route (``service_plugins.websocket_route``) over aiohttp: the
upgrade is accepted and the plugin's handler runs with a :class:`PluginSocket`; when it returns,
or the client goes, the socket is closed.

Messages both ways are journaled with the ``webSocket`` stubs' (``GET /__admin/websockets``,
``POST /__admin/websockets/count``), under the path the client connected to. The namespace's
settings in force apply to each message the plugin sends as to a ``webSocket`` stub's
(``websocket_player.draw``): its delays and network latency hold it (and what follows) back,
chaos and ``packetLossRate`` lose it, an error closes the connection (1011). A client that does
not take what is sent is closed (1008) once ``MAX_SEND_BUFFER_BYTES`` wait for it
(``send_buffer``): its pushes cost no more than that, and the other connections go on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import WSMsgType, web

from mockbdd.domain.journal import ResponseRecord
from mockbdd.domain.namespace import Namespace, Settings
from mockbdd.domain.websockets import MAX_MESSAGE_BYTES, NO_CONDITIONS, Close, MessageConditions
from mockbdd.server.send_buffer import SendBuffer
from mockbdd.server.websocket_player import close_within, draw
from mockbdd.server.websockets import ReasonedSocket, WebSockets, WsMessage
from mockbdd.sim.timeline import settings_in_force


class _Socket:
    def __init__(
        self,
        ws: web.WebSocketResponse,
        ns: Namespace,
        journal: WebSockets,
        path: str,
        buffer: SendBuffer,
    ) -> None:
        self._ws, self._ns, self._journal, self._path = ws, ns, journal, path
        self._buffer = buffer
        self._conn = journal.connection_id()
        self._settings: Settings | None = None  # what ``_conditions`` was worked out for
        self._conditions: MessageConditions = NO_CONDITIONS

    @property
    def closed(self) -> bool:
        return self._ws.closed

    def _log(self, direction: str, text: str | None, data: bytes | None) -> None:
        message = WsMessage(self._conn, self._path, direction, text, data, time.time())
        self._journal.record(self._ns, message)

    async def incoming(self) -> AsyncIterator[str]:
        async for msg in self._ws:
            if msg.type == WSMsgType.TEXT:
                self._log("in", msg.data, None)
                yield msg.data
            elif msg.type == WSMsgType.BINARY:
                self._log("in", None, msg.data)
                yield msg.data.decode("utf-8", errors="replace")
            else:  # ERROR (too big, a broken frame): closed with the reason (ReasonedSocket)
                return

    async def send(self, text: str) -> None:
        conditions = self._in_force()
        if conditions.on_sends:
            drawn = draw(self._ns, conditions)
            if drawn is None:
                return  # lost on the way
            extra, instead = drawn
            if extra > 0:
                await asyncio.sleep(extra / 1000)
            if isinstance(instead, Close):
                await close_within(self._ws, instead.code, instead.reason)
                return
            if instead is not None:  # CUT
                self._buffer.cut()
                return
        if self._ws.closed:
            return
        full = self._buffer.full(len(text))
        if full is not None:
            await close_within(self._ws, 1008, full)
            return
        try:
            await self._ws.send_str(text)
        except ConnectionError:
            return
        self._log("out", text, None)

    def _in_force(self) -> MessageConditions:
        ns = self._ns
        settings = settings_in_force(ns, ns.clock())
        if settings is not self._settings:  # the same object until they change: no work
            self._settings = settings
            self._conditions = NO_CONDITIONS.under(settings)
        return self._conditions

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self._ws.close(code=code, message=reason.encode())


async def plugin_session(
    request: web.BaseRequest,
    handler: Callable[[Any], Awaitable[None]],
    ns: Namespace,
    journal: WebSockets,
    path: str,
) -> tuple[web.StreamResponse, ResponseRecord]:
    ws = ReasonedSocket(max_msg_size=MAX_MESSAGE_BYTES, autoping=True)
    if not ws.can_prepare(request).ok:
        text = "mockbdd: this service route answers WebSocket upgrades only (send Upgrade: websocket)\n"
        answer = web.Response(status=426, text=text, headers={"Upgrade": "websocket"})
        return answer, ResponseRecord(426, (), text.encode())
    await ws.prepare(request)
    buffer = SendBuffer(request.transport)
    with journal.tracked(ws):  # closed with the others when the server stops
        try:
            await handler(_Socket(ws, ns, journal, path, buffer))
        finally:
            if not ws.closed:
                await close_within(ws, 1000, "")
            buffer.linger()
    return ws, ResponseRecord(101, (("Upgrade", "websocket"),), b"")
