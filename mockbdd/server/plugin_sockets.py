"""A service plugin's WebSocket route (``service_plugins.websocket_route``) over aiohttp: the
upgrade is accepted and the plugin's handler runs with a :class:`PluginSocket`; when it returns,
or the client goes, the socket is closed.

Messages both ways are journaled with the ``webSocket`` stubs' (``GET /__admin/websockets``,
``POST /__admin/websockets/count``), under the path the client connected to. The namespace's
``network`` setting applies to what the plugin sends: each message waits the latency (± the
jitter) and ``packetLossRate`` of them are never sent, drawn from the namespace's seeded source.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import WSMsgType, web

from mockbdd.domain.journal import ResponseRecord
from mockbdd.domain.namespace import Namespace
from mockbdd.domain.websockets import MAX_MESSAGE_BYTES
from mockbdd.server.websockets import WebSockets, WsMessage
from mockbdd.sim.timeline import settings_in_force


class _Socket:
    def __init__(
        self, ws: web.WebSocketResponse, ns: Namespace, journal: WebSockets, path: str
    ) -> None:
        self._ws, self._ns, self._journal, self._path = ws, ns, journal, path
        self._conn = journal.connection_id()
        self._rng = ns.random_source(f"plugin-socket:{path}:{self._conn}")

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
            else:  # ERROR (too big, a broken frame): aiohttp has closed it with a reason
                return

    async def send(self, text: str) -> None:
        network = settings_in_force(self._ns, self._ns.clock()).simulation.network
        if network is not None:
            if network.packet_loss_rate and self._rng.random() < network.packet_loss_rate:
                return
            wait = network.latency_ms + self._rng.uniform(-1, 1) * network.jitter_ms
            if wait > 0:
                await asyncio.sleep(wait / 1000)
        if self._ws.closed:
            return
        try:
            await self._ws.send_str(text)
        except ConnectionError:
            return
        self._log("out", text, None)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self._ws.close(code=code, message=reason.encode())


async def plugin_session(
    request: web.BaseRequest,
    handler: Callable[[Any], Awaitable[None]],
    ns: Namespace,
    journal: WebSockets,
    path: str,
) -> tuple[web.StreamResponse, ResponseRecord]:
    ws = web.WebSocketResponse(max_msg_size=MAX_MESSAGE_BYTES, autoping=True)
    if not ws.can_prepare(request).ok:
        text = "mockbdd: this service route answers WebSocket upgrades only (send Upgrade: websocket)\n"
        answer = web.Response(status=426, text=text, headers={"Upgrade": "websocket"})
        return answer, ResponseRecord(426, (), text.encode())
    await ws.prepare(request)
    with journal.tracked(ws):  # closed with the others when the server stops
        try:
            await handler(_Socket(ws, ns, journal, path))
        finally:
            if not ws.closed:
                await ws.close()
    return ws, ResponseRecord(101, (("Upgrade", "websocket"),), b"")
