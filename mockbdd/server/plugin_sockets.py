"""A service plugin's WebSocket route (``service_plugins.websocket_route``) over aiohttp: the
upgrade is accepted and the plugin's handler runs with a :class:`PluginSocket`; when it returns,
or the client goes, the socket is closed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import WSMsgType, web

from mockbdd.domain.journal import ResponseRecord
from mockbdd.domain.websockets import MAX_MESSAGE_BYTES


class _Socket:
    def __init__(self, ws: web.WebSocketResponse) -> None:
        self._ws = ws

    @property
    def closed(self) -> bool:
        return self._ws.closed

    async def incoming(self) -> AsyncIterator[str]:
        async for msg in self._ws:
            if msg.type == WSMsgType.TEXT:
                yield msg.data
            elif msg.type == WSMsgType.BINARY:
                yield msg.data.decode("utf-8", errors="replace")
            else:  # ERROR (too big, a broken frame): aiohttp has closed it with a reason
                return

    async def send(self, text: str) -> None:
        if self._ws.closed:
            return
        try:
            await self._ws.send_str(text)
        except ConnectionError:
            return

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self._ws.close(code=code, message=reason.encode())


async def plugin_session(
    request: web.BaseRequest, handler: Callable[[Any], Awaitable[None]]
) -> tuple[web.StreamResponse, ResponseRecord]:
    ws = web.WebSocketResponse(max_msg_size=MAX_MESSAGE_BYTES, autoping=True)
    if not ws.can_prepare(request).ok:
        text = "mockbdd: this service route answers WebSocket upgrades only (send Upgrade: websocket)\n"
        answer = web.Response(status=426, text=text, headers={"Upgrade": "websocket"})
        return answer, ResponseRecord(426, (), text.encode())
    await ws.prepare(request)
    try:
        await handler(_Socket(ws))
    finally:
        if not ws.closed:
            await ws.close()
    return ws, ResponseRecord(101, (("Upgrade", "websocket"),), b"")
