"""One connection to a ``webSocket`` stub, played (DESIGN §14).

Everything the stub sends goes through one outbox per connection, a heap in the script's order
(when each message is due; ties first come first), written by one writer task: a delay, the
network's latency or a client that is slow to read holds back what follows, as on one TCP
stream, and never reorders it. The outbox is bounded: a client that keeps sending but never
reads is closed (1008) when ``MAX_QUEUED_MESSAGES`` wait; so is what was written and waits for
the client to take it (``send_buffer``). Conditions (delay, chaos, network:
the stub's over the namespace's settings in force, the namespace's delays added) are drawn once
per message as it is queued; the stub's rate limit per message from the client.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import heapq
import itertools
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import WSMsgType, web

from mockbdd.domain.delays import DelayDistribution, SeededDelay
from mockbdd.domain.namespace import Namespace, Settings
from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ServeContext
from mockbdd.domain.websockets import (
    MAX_QUEUED_MESSAGES,
    Close,
    MessageConditions,
    Periodic,
    Send,
    WebSocketScript,
)
from mockbdd.server.send_buffer import SendBuffer
from mockbdd.sim.timeline import settings_in_force
from mockbdd.sim.token_bucket import TokenBucket

INLINE_MAX_CHARS = 8 * 1024  # a reply this short, to a client keeping up, skips the outbox
CLOSE_TIMEOUT_S = 2.0  # a close the client does not take in this long cuts the connection
Journal = Callable[[str, str | None, bytes | None], None]  # direction, text, data
CUT = "cut"  # an outbox entry: end the connection without a close frame (chaos, dropMode reset)
_Entry = Send | Close | Periodic | str


async def close_within(ws: web.WebSocketResponse, code: int, reason: str) -> None:
    """Close with ``code`` and ``reason``; a client that takes neither the frame nor the
    handshake within ``CLOSE_TIMEOUT_S`` has its transport closed (what waits for it is
    still sent, until ``SendBuffer.linger`` cuts it)."""
    with contextlib.suppress(Exception):
        await asyncio.wait_for(ws.close(code=code, message=reason.encode()), CLOSE_TIMEOUT_S)


def draw(ns: Namespace, conditions: MessageConditions) -> tuple[float, Close | str | None] | None:
    """What becomes of one message the server sends under ``conditions`` (DESIGN §11's
    draws, per message): None when it is lost on the way, else the extra delay (ms) before it
    goes and what goes instead of it: nothing (None: the message), a close (1011) or ``CUT``
    (the connection ends without a close frame: chaos ``dropMode`` reset). Chaos draws from
    its own seeded stream when it has a ``seed`` (the same stream as the namespace's chaos on
    requests), the rest from the namespace's: the same seed loses the same messages."""
    extra = 0.0
    if conditions.delay is not None:
        extra = _sample(ns, conditions.delay)
    for delay in conditions.added_delays:
        extra += _sample(ns, delay)
    chaos = conditions.chaos
    if chaos is not None and (chaos.error_rate > 0 or chaos.drop_rate > 0):
        u = ns.rng_for(chaos, chaos.seed).random()
        if u < chaos.error_rate:
            return extra, Close(1011, "mockbdd: chaos errorRate")
        if u < chaos.error_rate + chaos.drop_rate:
            return None if chaos.drop_mode == "hang" else (extra, CUT)
    network = conditions.network
    if network is not None:
        rng = ns.rng
        if network.error_rate > 0 or network.packet_loss_rate > 0:
            u = rng.random()
            if u < network.error_rate:
                return extra, Close(1011, "mockbdd: network errorRate")
            if u < network.error_rate + network.packet_loss_rate:
                return None
        if network.latency_ms or network.jitter_ms:
            jitter = rng.uniform(-network.jitter_ms, network.jitter_ms)
            extra += max(0.0, network.latency_ms + jitter)
    return extra, None


def _sample(ns: Namespace, delay: DelayDistribution) -> float:
    if isinstance(delay, SeededDelay):
        return delay.distribution.sample_ms(ns.rng_for(delay, delay.seed))
    return delay.sample_ms(ns.rng)


class MessageModel(Mapping[str, Any]):
    """``message`` in a reply's template: ``body`` (the text; a binary frame as UTF-8),
    ``json`` (parsed, or None), ``binary`` and ``bodyAsBase64``; each computed on first use."""

    __slots__ = ("_data", "_done", "_text")

    def __init__(self, text: str | None, data: bytes | None) -> None:
        self._text, self._data = text, data
        self._done: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key in self._done:
            return self._done[key]
        if key == "body":
            value: Any = (
                self._text
                if self._text is not None
                else self._raw().decode("utf-8", errors="replace")
            )
        elif key == "json":
            try:
                value = json.loads(self["body"])
            except ValueError:
                value = None
        elif key == "binary":
            value = self._text is None
        elif key == "bodyAsBase64":
            value = base64.b64encode(self._raw()).decode()
        else:
            raise KeyError(key)
        self._done[key] = value
        return value

    def _raw(self) -> bytes:
        return self._data if self._data is not None else (self._text or "").encode()

    def __iter__(self) -> Any:
        return iter(("body", "json", "binary", "bodyAsBase64"))

    def __len__(self) -> int:
        return 4


def _as_text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


class Player:
    """Plays ``script`` on ``ws`` until either side ends the connection."""

    def __init__(
        self,
        ns: Namespace,
        ws: web.WebSocketResponse,
        script: WebSocketScript,
        journal: Journal,
        request: RecordedRequest,
        served: ServeContext | None,
        transport: asyncio.BaseTransport | None,
    ) -> None:
        self._ns, self._ws, self._script, self._journal = ns, ws, script, journal
        self._buffer = SendBuffer(transport)
        self._settings: Settings | None = None  # what ``_conditions`` was worked out for
        self._conditions: MessageConditions = script.conditions
        self._outbox: list[tuple[float, int, float, _Entry]] = []
        self._seq = itertools.count()
        self._wake: asyncio.Future[None] | None = None
        self._model: Mapping[str, Any] | None = None
        if script.templating is not None and served is not None:
            t = script.templating
            self._model = t.engine.context(request, t.parameters, served)
        self._writing = False  # the writer task is in a send (the reading loop must not)

    async def play(self) -> None:
        script, now = self._script, time.monotonic()
        writer = asyncio.get_running_loop().create_task(self._write())
        try:
            self._queue_all(script.on_connect, None, now, None)
            for periodic in script.periodic:
                self._queue(now + periodic.every_ms / 1000, periodic, None)
            if script.close is not None:
                self._queue(now + script.close.after_ms / 1000, script.close, None)
            await self._read()
        finally:
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await writer
            if not self._ws.closed:
                await close_within(self._ws, 1000, "")
            self._buffer.linger()

    async def _read(self) -> None:
        limit = self._script.conditions.rate_limit  # the stub's own (per connection)
        bucket = None if limit is None else TokenBucket(limit.capacity, time.monotonic())
        async for msg in self._ws:
            if msg.type == WSMsgType.TEXT:
                text, data = msg.data, None
                seen = text
            elif msg.type == WSMsgType.BINARY:
                text, data = None, msg.data
                seen = _as_text(data)
            else:  # ERROR (too big, a broken frame): closed with the reason (``sessions``)
                return
            self._journal("in", text, data)
            if (
                bucket is not None
                and limit is not None
                and not bucket.draw(limit.per_second, limit.capacity, time.monotonic())
            ):
                if limit.on_exceed == "drop":
                    continue
                reason = f"mockbdd: over {limit.messages} messages per {limit.period_ms} ms"
                await close_within(self._ws, 1008, reason)
                return
            rule = self._script.reply_to(seen)
            if rule is None or not (rule.reply or rule.close is not None):
                continue
            if len(self._outbox) >= MAX_QUEUED_MESSAGES:
                reason = f"mockbdd: the client is not reading ({len(self._outbox)} messages wait)"
                await close_within(self._ws, 1008, reason)
                return
            reply = rule.reply[0] if len(rule.reply) == 1 and rule.close is None else None
            if reply is not None and self._can_send_now(reply):
                await self._reply_now(reply, (text, data))
                continue
            self._queue_all(rule.reply, rule.close, time.monotonic(), (text, data))

    async def _reply_now(self, reply: Send, message: tuple[str | None, bytes | None]) -> None:
        """One reply due now: rendered, its conditions drawn, and written at once when they
        add no delay and it is small; else it joins the outbox."""
        now = time.monotonic()
        rendered = reply if reply.template is None else self._render(reply, message)
        entry: _Entry = rendered
        extra = 0.0
        if self._in_force().on_sends:
            found = self._condition(rendered)
            if found is None:
                return  # lost on the way
            entry, extra = found
        if extra <= 0 and isinstance(entry, Send) and len(entry.text or "") <= INLINE_MAX_CHARS:
            await self._send(entry)
        else:  # later, not a message, or too big to be sure the write does not wait
            self._push(now, now + extra / 1000, entry)

    def _can_send_now(self, send: Send) -> bool:
        """Whether ``send`` may be written from the reading loop, skipping the outbox (the
        common case: one reply without a delay of its own): nothing waits before it, and the
        client has taken all that was written, so the write cannot block the reading."""
        if send.delay_ms or self._outbox or self._writing:
            return False
        if send.text is None:
            return False
        return self._buffer.waiting() == 0

    # -- the outbox -----------------------------------------------------------------------------

    def _queue_all(
        self,
        sends: tuple[Send, ...],
        close: Close | None,
        now: float,
        message: tuple[str | None, bytes | None] | None,
    ) -> None:
        due = now
        for send in sends:
            due += send.delay_ms / 1000
            self._queue(due, send, message)
        if close is not None:
            self._queue(due + close.after_ms / 1000, close, None)

    def _queue(
        self, due: float, entry: _Entry, message: tuple[str | None, bytes | None] | None
    ) -> None:
        sent_at = due
        if isinstance(entry, Send):
            if entry.template is not None and self._model is not None:
                entry = self._render(entry, message)
            if self._in_force().on_sends:
                found = self._condition(entry)
                if found is None:
                    return  # lost on the way
                entry, extra_ms = found
                sent_at = due + extra_ms / 1000
        self._push(due, sent_at, entry)

    def _push(self, due: float, sent_at: float, entry: _Entry) -> None:
        """``entry`` into the outbox: in order of ``due``, written at ``sent_at`` or later."""
        heapq.heappush(self._outbox, (due, next(self._seq), sent_at, entry))
        wake = self._wake
        if wake is not None and not wake.done():
            wake.set_result(None)

    def _render(self, send: Send, message: tuple[str | None, bytes | None] | None) -> Send:
        templating = self._script.templating
        assert self._model is not None
        assert send.template is not None
        assert templating is not None
        model = dict(self._model)
        if message is not None:
            model["message"] = MessageModel(*message)
        try:
            return Send(text=send.template.render(model))
        except ValueError as exc:  # mockbdd.templating.TemplateError: said in a frame instead
            return Send(text=templating.engine.failure(exc))

    def _condition(self, send: Send) -> tuple[_Entry, float] | None:
        """What becomes of ``send`` on the way (:func:`draw`): sent after an extra delay,
        lost (None), or replaced by a close (1011) or a cut connection."""
        drawn = draw(self._ns, self._in_force())
        if drawn is None:
            return None
        extra, instead = drawn
        return (send if instead is None else instead), extra

    def _in_force(self) -> MessageConditions:
        """The script's conditions under the namespace's settings in force now: a settings
        change or a timeline reaches open connections at their next message."""
        ns = self._ns
        settings = ns.settings
        if settings.timeline:
            settings = settings_in_force(ns, ns.clock())
        if settings is not self._settings:  # the same object until they change: no work
            self._settings = settings
            self._conditions = self._script.conditions.under(settings)
        return self._conditions

    async def _write(self) -> None:
        loop = asyncio.get_running_loop()
        outbox = self._outbox
        while True:
            if not outbox:
                self._wake = loop.create_future()
                await self._wake
                continue
            wait = outbox[0][2] - time.monotonic()
            if wait > 0.0005:
                self._wake = loop.create_future()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake, wait)
                continue  # an earlier message may have come meanwhile
            due, _, _, entry = heapq.heappop(outbox)
            if isinstance(entry, Send):
                self._writing = True
                try:
                    if not await self._send(entry):
                        return
                finally:
                    self._writing = False
            elif isinstance(entry, Periodic):  # its message joins the outbox; the next tick too
                self._queue(due, entry.send, None)
                if entry.count is None or entry.count > 1:
                    left = None if entry.count is None else entry.count - 1
                    again = Periodic(entry.every_ms, entry.send, left)
                    self._queue(due + entry.every_ms / 1000, again, None)
            elif isinstance(entry, Close):
                await close_within(self._ws, entry.code, entry.reason)
                return
            else:  # CUT: no close frame, as a connection lost on the way
                self._buffer.cut()
                return

    async def _send(self, send: Send) -> bool:
        """Write ``send``; False when the connection is over (closed, or now closed because
        its client does not take what is written)."""
        ws = self._ws
        if ws.closed:
            return False
        text = send.text
        full = self._buffer.full(len(text) if text is not None else len(send.data or b""))
        if full is not None:
            await close_within(ws, 1008, full)
            return False
        try:
            if text is not None:
                await ws.send_str(text)
            else:
                await ws.send_bytes(send.data or b"")
        except ConnectionError:
            return False
        self._journal("out", text, send.data if text is None else None)
        return True
