"""``GET /__admin/events`` as a WebSocket: each listener of the :class:`EventHub` gets a sender
task writing its pending events; the hub never waits for it.

A listener that falls more than its buffer behind is closed with code 4000 and a reason naming
the ``?since=`` to resume from; a client that does not answer the close frame within
:data:`CLOSE_TIMEOUT_S` has its connection closed once the buffered bytes are out, and cut off
after :data:`ABORT_AFTER_S` if it still reads nothing (what it holds meanwhile is bounded by
the transport's write buffer: the sender stopped at its high-water mark). What a client sends is
read and dropped (frames over :data:`MAX_CLIENT_FRAME` end its connection).

The stream is cheap for the server that feeds it: no permessage-deflate (compressing each small
frame cost more CPU than serving the request), and the events pending at a wake-up go out as
consecutive frames in one transport write (not one write, and one system call, per event). A
write comes at most every :data:`COALESCE_S` (Nagle's idea): an event after a quiet spell goes
out at once, and under load the events of those milliseconds share a write.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import struct
from itertools import chain

from aiohttp import WSMsgType, web

from mockbdd.admin.events import EventFilter, EventHub, Listener
from mockbdd.domain.engine import Engine
from mockbdd.domain.namespace import Namespace
from mockbdd.server.admin import error_json
from mockbdd.server.stages import Hooks, Stage

log = logging.getLogger("mockbdd.events")
CLOSE_TIMEOUT_S = 2.0
ABORT_AFTER_S = 30.0  # a client that has not read its close frame by then is cut off
HEARTBEAT_S = 30.0
MAX_CLIENT_FRAME = 64 * 1024
BATCH_BYTES = 256 * 1024  # about this much per transport write at most; then wait for the drain
BATCH_EVENTS = 64  # events encoded together (a write holds whole such batches)
COALESCE_S = 0.002  # at most one write per this long: the events meanwhile share it


class EventStreams:
    """The hub fed from the engine (namespaces, stubs) and the observe stage (serve events),
    and the WebSocket handler the admin API hands ``/events`` to."""

    def __init__(self, engine: Engine, hub: EventHub) -> None:
        self.hub = hub
        engine.subscribe(self._namespace_changed)
        for ns in engine:
            ns.subscribe_stubs(hub.stubs_of(ns.name))
        self.stage: Stage = Hooks(observe_many=hub.serve_many)

    def _namespace_changed(self, kind: str, ns: Namespace) -> None:
        if kind == "namespace.created":
            ns.subscribe_stubs(self.hub.stubs_of(ns.name))
            self.hub.publish(kind, ns.name, None)
        else:
            self.hub.namespace_deleted(ns.name)

    async def __call__(
        self, request: web.BaseRequest, ns: Namespace, at_root: bool
    ) -> web.StreamResponse:
        event_filter = EventFilter.parse(request.query)  # InvalidInput: the admin API's 400
        ws = web.WebSocketResponse(
            heartbeat=HEARTBEAT_S,
            max_msg_size=MAX_CLIENT_FRAME,
            timeout=CLOSE_TIMEOUT_S,
            compress=False,
        )
        if not ws.can_prepare(request).ok:
            return error_json(
                426,
                "/__admin/events is a WebSocket: connect with a WebSocket client "
                "(Upgrade: websocket)",
            )
        await ws.prepare(request)
        loop = asyncio.get_running_loop()
        ready = asyncio.Event()
        closing: asyncio.Future[None] = loop.create_future()  # set when it must close at once

        listener: Listener | None = None

        def wake() -> None:
            ready.set()
            if listener is not None and listener.abrupt and not closing.done():
                closing.set_result(None)

        listener = self.hub.listen(None if at_root else ns.name, event_filter, wake)
        gap = self.hub.gap(event_filter.since) if event_filter.since is not None else None
        sender = loop.create_task(_send(request, listener, ready, gap))
        reader = loop.create_task(_drain_client(ws))
        try:
            await asyncio.wait({reader, sender, closing}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.hub.unlisten(listener)
            for task in (sender, reader):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            if not closing.done():
                closing.cancel()
        if listener.closed is not None:
            await _close(request, ws, *listener.closed)
        return ws


async def _send(
    request: web.BaseRequest, listener: Listener, ready: asyncio.Event, gap: object
) -> None:
    """Write the listener's pending events as text frames, in batches of consecutive frames,
    each batch one transport write followed by the request writer's drain (flow control)."""
    transport, writer = request.transport, request.writer
    if transport is None:
        return
    batch: list[bytes] = [] if gap is None else [text_frame(json.dumps(gap).encode())]
    pending = listener.pending
    encoder = listener.encoder
    loop = asyncio.get_running_loop()
    wrote_at = -COALESCE_S
    while True:
        wait = wrote_at + COALESCE_S - loop.time()
        if wait > 0 and pending and not listener.abrupt:
            await asyncio.sleep(wait)
        if transport.is_closing():
            return  # what was popped is in the transport: ``last_sent`` tells no lie
        size = 0
        if pending and not listener.abrupt:
            while pending and size < BATCH_BYTES:  # each frame's head, then its payload
                if len(pending) <= BATCH_EVENTS:
                    taken = list(pending)
                    pending.clear()
                else:
                    taken = [pending.popleft() for _ in range(BATCH_EVENTS)]
                if encoder is None:
                    payloads = [entry.data() for entry in taken]
                else:
                    payloads = encoder.encode_many(taken)
                lengths = list(map(len, payloads))
                batch.extend(
                    chain.from_iterable(
                        zip(map(_HEADS.__getitem__, lengths), payloads, strict=True)
                    )
                )
                size += sum(lengths)
                listener.sent(taken[-1])  # in the transport before the drain is awaited
        if batch:
            transport.write(b"".join(batch))
            wrote_at = loop.time()
            batch.clear()
            await writer.drain()
            continue  # more may have come meanwhile
        if listener.closed is not None:
            return  # the handler closes the socket
        await ready.wait()
        ready.clear()


def text_frame(payload: bytes) -> bytes:
    """A server's (unmasked, uncompressed) final text frame of RFC 6455 §5.2."""
    return frame_head(len(payload)) + payload


def frame_head(length: int) -> bytes:
    """The head of a text frame (:func:`text_frame`) of ``length`` payload bytes."""
    if length < 126:
        return _SHORT_HEADS[length]
    if length < 65536:
        return _HEAD16(0x81, 126, length)
    return _HEAD64(0x81, 127, length)


_SHORT_HEADS = tuple(struct.pack("!BB", 0x81, n) for n in range(126))
_HEAD16 = struct.Struct("!BBH").pack
_HEAD64 = struct.Struct("!BBQ").pack


class _Heads(dict[int, bytes]):
    """Payload length -> its text frame's head, made at the first frame of that length (one
    C-level lookup per frame after that); at most ``MAX`` lengths kept. A cache of a pure
    function, so one per process serves every server."""

    MAX = 4096

    def __missing__(self, length: int) -> bytes:
        if len(self) >= self.MAX:
            self.clear()
        head = self[length] = frame_head(length)
        return head


_HEADS = _Heads()


async def _drain_client(ws: web.WebSocketResponse) -> None:
    """Read what the client sends until it closes; text, binary and garbage are ignored."""
    async for message in ws:
        if message.type == WSMsgType.ERROR:
            break


async def _close(
    request: web.BaseRequest, ws: web.WebSocketResponse, code: int, reason: str
) -> None:
    try:
        await asyncio.wait_for(ws.close(code=code, message=reason.encode()), CLOSE_TIMEOUT_S)
    except (asyncio.TimeoutError, ConnectionError):
        # aiohttp has closed the transport: the close frame goes out when the client reads
        # again, after what was buffered before it; one that never reads is cut off later
        transport = request.transport
        if transport is not None:
            asyncio.get_running_loop().call_later(ABORT_AFTER_S, transport.abort)
