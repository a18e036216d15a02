"""Playing ``webSocket`` stubs (DESIGN §14): the matched upgrade is accepted, the script's
``onConnect`` messages are sent, ``onMessage`` rules answer what the client sends, ``periodic``
messages tick and ``close`` ends it. Every message, both ways, is journaled per namespace
(bounded) for ``GET /__admin/websockets`` and ``POST /__admin/websockets/count``. A frame over
the size cap, or one that breaks the protocol, closes that connection and nothing else."""

from __future__ import annotations

import base64
import contextlib
import itertools
import time
import weakref
from collections import deque
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from aiohttp import web

from mockbdd.domain.journal import ResponseRecord
from mockbdd.domain.namespace import Namespace
from mockbdd.domain.patterns import ContentPattern
from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ServeContext
from mockbdd.domain.websockets import MAX_MESSAGE_BYTES, WebSocketScript

if TYPE_CHECKING:  # the player's module loads with the first webSocket stub played
    from mockbdd.server.websocket_player import Journal, Player

MAX_JOURNALED = 10_000  # messages kept per namespace; the oldest go first
# the reasons of the closes aiohttp makes itself (it gives the code only)
_REASONS = {
    1002: b"mockbdd: a frame that breaks the WebSocket protocol",
    1007: b"mockbdd: a text message that is not UTF-8",
    1009: f"mockbdd: a message over {MAX_MESSAGE_BYTES} bytes".encode(),
}


class ReasonedSocket(web.WebSocketResponse):
    """A WebSocket whose closes say why: aiohttp closes a connection that breaks the protocol
    or sends too big a message with the code alone."""

    async def close(self, *, code: int = 1000, message: bytes = b"", drain: bool = True) -> bool:
        return await super().close(
            code=code, message=message or _REASONS.get(code, b""), drain=drain
        )


class WsMessage(NamedTuple):  # a tuple: two per round trip, cheaper than a frozen dataclass
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
        self._player: type[Player] | None = None  # at the first session (idle RSS)

    def messages(self, ns: Namespace) -> list[WsMessage]:
        return list(self._journals.get(ns, ()))

    def count(
        self, ns: Namespace, pattern: ContentPattern, direction: str | None, path: str | None
    ) -> int:
        return sum(1 for m in _selected(self.messages(ns), direction, path)
                   if pattern.match(m.as_text()).is_exact)  # fmt: skip

    def clear(self, ns: Namespace) -> None:
        journal = self._journals.get(ns)
        if journal is not None:  # emptied, not dropped: open connections keep appending to it
            journal.clear()

    async def close_all(self) -> None:
        for ws in list(self._open):
            with contextlib.suppress(Exception):
                await ws.close(code=1001, message=b"server shutting down")

    async def session(
        self,
        ns: Namespace,
        request: web.BaseRequest,
        script: WebSocketScript,
        recorded: RecordedRequest,
        served: ServeContext | None,
    ) -> tuple[web.StreamResponse, ResponseRecord]:
        """Play ``script`` on the upgraded ``request`` (``recorded`` as the journal has it;
        ``served`` what its templates see besides the request) until the connection ends."""
        ws = ReasonedSocket(max_msg_size=MAX_MESSAGE_BYTES, autoping=True)
        if not ws.can_prepare(request).ok:
            text = "mockbdd: this stub answers WebSocket upgrades only (send Upgrade: websocket)\n"
            answer = web.Response(status=426, text=text, headers={"Upgrade": "websocket"})
            return answer, ResponseRecord(426, (), text.encode())
        await ws.prepare(request)
        self._open.add(ws)
        journal = self._journal_of(ns, next(self._ids), recorded.path)
        try:
            player = self._player
            if player is None:
                from mockbdd.server.websocket_player import Player

                player = self._player = Player
            await player(ns, ws, script, journal, recorded, served, request.transport).play()
        finally:
            self._open.discard(ws)
        return ws, ResponseRecord(101, (("Upgrade", "websocket"),), b"")

    def _journal_of(self, ns: Namespace, conn: int, path: str) -> Journal:
        """How the connection ``conn`` journals its messages: one append, no lookup."""
        append = self._deque(ns).append
        clock = time.time

        def journal(direction: str, text: str | None, data: bytes | None) -> None:
            append(WsMessage(conn, path, direction, text, data, clock()))

        return journal

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
        self._deque(ns).append(message)

    def _deque(self, ns: Namespace) -> deque[WsMessage]:
        journal = self._journals.get(ns)
        if journal is None:
            journal = self._journals[ns] = deque(maxlen=MAX_JOURNALED)
        return journal


def _selected(
    messages: Iterable[WsMessage], direction: str | None, path: str | None
) -> Iterable[WsMessage]:
    for m in messages:
        if (direction is None or m.direction == direction) and (path is None or m.path == path):
            yield m
