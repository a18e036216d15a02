"""A minimal HTTP/1.1 keep-alive client on ``asyncio.Protocol``: one request at a time per
connection, the request's bytes encoded once per script, the answer's framing parsed and its
body skipped. No task, future or timer per request: the pool calls back when an answer ends.

Measured against aiohttp's client on one core (``bench/load_client.py``), this sends several
times more requests per second, which is what lets an open model hold its rate.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any, cast

MAX_HEAD = 64 * 1024
# new connections at most that have not yet brought back their first answer: the target may
# not have accepted them yet, and its listen backlog (aiohttp's 128, asyncio's 100) is what
# they fill. Past it the kernel drops SYNs, which the client sends again only after 1 s, then
# 3 s: an overloaded target showed 1-4 s latencies that were those retries, not its queue.
MAX_CONNECTING = 64

# (connection, status or error kind) -> None; ``status`` is an int, an error kind a str
Done = Callable[["Connection", "int | str"], None]


class Connection(asyncio.Protocol):
    __slots__ = (
        "_buf",
        "_head_only",
        "_keep_alive",
        "_pool",
        "_until_close",
        "busy",
        "closing",
        "deadline",
        "fresh",
        "seq",
        "stage",
        "started",
        "transport",
        "waiting",
    )

    def __init__(self, pool: Pool) -> None:
        self._pool = pool
        self._buf = bytearray()
        self._head_only = False
        self._keep_alive = True
        self._until_close = False
        self.transport: asyncio.Transport | None = None
        self.busy = False
        self.closing = False
        self.fresh = False  # opened, its first answer not yet back (see MAX_CONNECTING)
        self.waiting: bytes | None = None  # a request to send once connected
        self.seq = 0  # counts requests, so a stale timeout entry is recognised
        self.started = 0.0  # the intended send time of the request in flight
        self.deadline = 0.0
        self.stage = 0

    # -- asyncio.Protocol ------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        if self.waiting is not None:
            self.transport.write(self.waiting)
            self.waiting = None

    def data_received(self, data: bytes) -> None:
        buf = self._buf
        buf += data
        while buf and self.busy:
            size = self._framed_size(buf)
            if size is None:
                return
            status = int(buf[9:12])
            keep = self._keep_alive
            del buf[:size]
            self.busy = False
            if not keep:
                self.closing = True
            self._pool.done(self, status)
            if not keep and self.transport is not None:
                self.transport.close()
        if buf and not self.busy:  # bytes nobody asked for: the connection is not usable
            self._fail("protocol")

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.closing = True
        if self.busy:
            if self._buf and self._until_close:  # a close-delimited body has ended
                status = int(self._buf[9:12])
                self._buf.clear()
                self.busy = False
                self._pool.done(self, status)
            else:
                self._fail("reset" if exc is not None else "closed")
        self._pool.lost(self)

    # -- requests --------------------------------------------------------------------------
    def send(self, payload: bytes, head_only: bool) -> None:
        self.busy = True
        self.seq += 1
        self._head_only = head_only
        self._until_close = False
        if self.transport is None:
            self.waiting = payload
        else:
            self.transport.write(payload)

    def adopt(self, transport: asyncio.Transport) -> None:
        """Take over an idle connection's open transport and send the waiting request on it."""
        self.transport = transport
        transport.set_protocol(self)
        if self.waiting is not None:
            transport.write(self.waiting)
            self.waiting = None

    def abort(self, kind: str) -> None:
        """End the request in flight as failed (a timeout) and drop the connection."""
        self._fail(kind)

    def _fail(self, kind: str) -> None:
        was_busy = self.busy
        self.busy = False
        self.closing = True
        self._buf.clear()
        if self.transport is not None:
            self.transport.abort()
        if was_busy:
            self._pool.done(self, kind)

    # -- framing ---------------------------------------------------------------------------

    def _framed_size(self, buf: bytearray) -> int | None:
        """The size of the first whole answer in ``buf``, or ``None`` while it is incomplete."""
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            if len(buf) > MAX_HEAD:
                self._fail("protocol")
            return None
        if buf[:5] != b"HTTP/":
            self._fail("protocol")
            return None
        head = bytes(buf[:end]).lower()
        status = int(buf[9:12])
        if status < 200:  # 100 Continue or another interim answer: skip it
            del buf[: end + 4]
            return self._framed_size(buf) if buf else None
        self._keep_alive = b"\r\nconnection: close" not in head and not head.startswith(b"http/1.0")
        body_start = end + 4
        if self._head_only or status in (204, 304):
            return body_start
        at = head.find(b"\r\ncontent-length:")
        if at >= 0:
            eol = head.find(b"\r\n", at + 2)
            length = int(head[at + 17 : eol if eol >= 0 else len(head)])
            total = body_start + length
            return total if len(buf) >= total else None
        if b"\r\ntransfer-encoding: chunked" in head:
            return _chunked_size(buf, body_start)
        self._until_close = True  # the body ends when the server closes
        self._keep_alive = False
        return None


def _chunked_size(buf: bytearray, pos: int) -> int | None:
    while True:
        eol = buf.find(b"\r\n", pos)
        if eol < 0:
            return None
        size = int(bytes(buf[pos:eol]).split(b";")[0], 16)
        if size == 0:
            trailer_end = buf.find(b"\r\n\r\n", eol)
            return trailer_end + 4 if trailer_end >= 0 else None
        pos = eol + 2 + size + 2
        if pos > len(buf):
            return None


class Pool:
    """Keep-alive connections to one host; at most ``limit`` requests in flight. A request
    finding no idle connection opens one; while ``MAX_CONNECTING`` new ones have not brought
    back their first answer, it waits, first come first served, for the first connection to
    be free or its own to be opened (its time counts: latency is taken from its intended
    send time)."""

    def __init__(self, host: str, port: int, limit: int, on_done: Done) -> None:
        self.host = host
        self.port = port
        self.limit = limit
        self.on_done = on_done
        self.idle: list[Connection] = []
        self.open: set[Connection] = set()
        self.in_flight = 0
        self._loop = asyncio.get_running_loop()
        self._connecting: set[asyncio.Task[Any]] = set()
        self._turns: deque[Connection] = deque()  # requests waiting for a connection
        self._fresh = 0  # opened, first answer not yet back

    @property
    def connecting(self) -> int:
        """New connections without their first answer yet (at most ``MAX_CONNECTING``)."""
        return self._fresh

    def send(
        self, payload: bytes, head_only: bool, started: float, stage: int
    ) -> Connection | None:
        """Send one request, or ``None`` when ``limit`` requests are already in flight."""
        if self.in_flight >= self.limit:
            return None
        self.in_flight += 1
        idle = self.idle
        while idle:
            conn = idle.pop()
            if not conn.closing and conn.transport is not None:
                break
        else:
            conn = Connection(self)
            self.open.add(conn)
            if self._fresh < MAX_CONNECTING and not self._turns:  # none waits before it
                self._open(conn)
            else:
                self._turns.append(conn)
        conn.started = started
        conn.stage = stage
        conn.send(payload, head_only)
        return conn

    def _open(self, conn: Connection) -> None:
        conn.fresh = True
        self._fresh += 1
        task = self._loop.create_task(self._connect(conn))
        self._connecting.add(task)
        task.add_done_callback(self._connecting.discard)

    def _next_turns(self) -> None:
        """A new connection brought back its first answer (or failed): the next waiting go."""
        turns = self._turns
        while turns and self._fresh < MAX_CONNECTING:
            conn = turns.popleft()
            if conn.busy:
                self._open(conn)
            else:  # its request timed out while it waited: nothing to send
                self.lost(conn)

    async def _connect(self, conn: Connection) -> None:
        try:
            await self._loop.create_connection(lambda: conn, self.host, self.port)
        except OSError:
            conn.waiting = None
            conn._fail("connect")
            self.lost(conn)

    def done(self, conn: Connection, outcome: int | str) -> None:
        self.in_flight -= 1
        if not conn.closing:
            if self._turns and not conn._buf:
                self._hand_over(conn)
            else:
                self.idle.append(conn)
        if conn.fresh:
            conn.fresh = False
            self._fresh -= 1
            if self._turns:
                self._next_turns()
        self.on_done(conn, outcome)

    def _hand_over(self, conn: Connection) -> None:
        """``conn`` is free: the request waiting longest takes its transport (``conn`` goes)."""
        turns = self._turns
        while turns:
            waiter = turns.popleft()
            if waiter.busy:
                transport = conn.transport
                assert transport is not None
                conn.transport = None
                conn.closing = True
                self.open.discard(conn)
                waiter.adopt(transport)
                return
            self.lost(waiter)  # its request timed out while it waited
        self.idle.append(conn)

    def lost(self, conn: Connection) -> None:
        self.open.discard(conn)

    def close(self) -> None:
        self._turns.clear()
        for task in list(self._connecting):
            task.cancel()
        for conn in list(self.open):
            conn.waiting = None
            if conn.busy:
                conn.abort("cancelled")
            elif conn.transport is not None:
                conn.closing = True
                conn.transport.close()
        self.idle.clear()
