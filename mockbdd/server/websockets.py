"""Playing ``webSocket`` stubs (DESIGN §14): the matched upgrade is accepted, the script's
``onConnect`` messages are sent, ``onMessage`` rules answer what the client sends, ``periodic``
messages tick and ``close`` ends it. Every message, both ways, is journaled per namespace
(bounded) for ``GET /__admin/websockets`` and ``POST /__admin/websockets/count``. A frame over
the size cap, or one that breaks the protocol, closes that connection and nothing else."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import time
import weakref
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web

from mockbdd.domain.journal import ResponseRecord
from mockbdd.domain.namespace import Namespace
from mockbdd.domain.patterns import ContentPattern
from mockbdd.domain.websockets import (
    MAX_MESSAGE_BYTES,
    Close,
    Periodic,
    Send,
    WebSocketScript,
)

MAX_JOURNALED = 10_000  # messages kept per namespace; the oldest go first


@dataclass(frozen=True, slots=True)
class WsMessage:
    connection: int
    path: str
    direction: str  # "in" (from the client) or "out" (sent by the stub)
    text: str | None
    data: bytes | None
    at: float

    def as_text(self) -> str:
        """What content patterns see: the text, or a binary frame's bytes as UTF-8."""
        if self.text is not None:
            return self.text
        return (self.data or b"").decode("utf-8", errors="replace")

    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "connection": self.connection,
            "path": self.path,
            "direction": self.direction,
            "loggedDate": int(self.at * 1000),
        }
        if self.text is not None:
            out["text"] = self.text
        else:
            out["base64"] = base64.b64encode(self.data or b"").decode()
        return out


class WebSockets:
    """One per server: the sessions it plays and their messages, per namespace."""

    def __init__(self) -> None:
        self._journals: weakref.WeakKeyDictionary[Namespace, deque[WsMessage]] = (
            weakref.WeakKeyDictionary()
        )
        self._ids = itertools.count(1)
        self._open: set[web.WebSocketResponse] = set()

    def messages(self, ns: Namespace) -> list[WsMessage]:
        return list(self._journals.get(ns, ()))

    def count(
        self, ns: Namespace, pattern: ContentPattern, direction: str | None, path: str | None
    ) -> int:
        return sum(1 for m in _selected(self.messages(ns), direction, path)
                   if pattern.match(m.as_text()).is_exact)  # fmt: skip

    def clear(self, ns: Namespace) -> None:
        self._journals.pop(ns, None)

    async def close_all(self) -> None:
        for ws in list(self._open):
            with contextlib.suppress(Exception):
                await ws.close(code=1001, message=b"server shutting down")

    async def session(
        self, ns: Namespace, request: web.BaseRequest, path: str, script: WebSocketScript
    ) -> tuple[web.StreamResponse, ResponseRecord]:
        ws = web.WebSocketResponse(max_msg_size=MAX_MESSAGE_BYTES, autoping=True)
        if not ws.can_prepare(request).ok:
            text = "mockbdd: this stub answers WebSocket upgrades only (send Upgrade: websocket)\n"
            answer = web.Response(status=426, text=text, headers={"Upgrade": "websocket"})
            return answer, ResponseRecord(426, (), text.encode())
        await ws.prepare(request)
        self._open.add(ws)
        player = _Player(self, ns, ws, next(self._ids), path)
        try:
            await player.play(script)
        finally:
            self._open.discard(ws)
        return ws, ResponseRecord(101, (("Upgrade", "websocket"),), b"")

    # -- for other WebSocket sessions (service plugins' routes) to share the journal ------------
    def connection_id(self) -> int:
        return next(self._ids)

    def record(self, ns: Namespace, message: WsMessage) -> None:
        self._journal(ns, message)

    @contextlib.contextmanager
    def tracked(self, ws: web.WebSocketResponse) -> Iterator[None]:
        """``ws`` is open for the block: a shutdown closes it with the others."""
        self._open.add(ws)
        try:
            yield
        finally:
            self._open.discard(ws)

    def _journal(self, ns: Namespace, message: WsMessage) -> None:
        journal = self._journals.get(ns)
        if journal is None:
            journal = self._journals[ns] = deque(maxlen=MAX_JOURNALED)
        journal.append(message)


def _selected(
    messages: Iterable[WsMessage], direction: str | None, path: str | None
) -> Iterable[WsMessage]:
    for m in messages:
        if (direction is None or m.direction == direction) and (path is None or m.path == path):
            yield m


class _Player:
    def __init__(
        self, owner: WebSockets, ns: Namespace, ws: web.WebSocketResponse, conn: int, path: str
    ) -> None:
        self._owner, self._ns, self._ws, self._conn, self._path = owner, ns, ws, conn, path
        self._tasks: set[asyncio.Task[None]] = set()

    def _spawn(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def play(self, script: WebSocketScript) -> None:
        try:
            if script.on_connect:
                self._spawn(self._send_all(script.on_connect, None))
            for periodic in script.periodic:
                self._spawn(self._tick(periodic))
            if script.close is not None:
                self._spawn(self._send_all((), script.close))
            async for msg in self._ws:
                if msg.type == WSMsgType.TEXT:
                    self._log("in", msg.data, None)
                    text = msg.data
                elif msg.type == WSMsgType.BINARY:
                    self._log("in", None, msg.data)
                    text = msg.data.decode("utf-8", errors="replace")
                else:  # ERROR (too big, a broken frame): aiohttp has closed it with a reason
                    break
                rule = script.reply_to(text)
                if rule is not None and (rule.reply or rule.close is not None):
                    self._spawn(self._send_all(rule.reply, rule.close))
        finally:
            for task in list(self._tasks):
                task.cancel()
            for task in list(self._tasks):
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            if not self._ws.closed:
                await self._ws.close()

    async def _send_all(self, sends: tuple[Send, ...], close: Close | None) -> None:
        for send in sends:
            if send.delay_ms:
                await asyncio.sleep(send.delay_ms / 1000)
            await self._send(send)
        if close is not None:
            if close.after_ms:
                await asyncio.sleep(close.after_ms / 1000)
            await self._ws.close(code=close.code, message=close.reason.encode())

    async def _tick(self, periodic: Periodic) -> None:
        sent = 0
        while periodic.count is None or sent < periodic.count:
            await asyncio.sleep(periodic.every_ms / 1000)
            await self._send(periodic.send)
            sent += 1

    async def _send(self, send: Send) -> None:
        if self._ws.closed:
            return
        try:
            if send.text is not None:
                await self._ws.send_str(send.text)
            else:
                await self._ws.send_bytes(send.data or b"")
        except ConnectionError:
            return
        self._log("out", send.text, send.data if send.text is None else None)

    def _log(self, direction: str, text: str | None, data: bytes | None) -> None:
        message = WsMessage(self._conn, self._path, direction, text, data, time.time())
        self._owner._journal(self._ns, message)
