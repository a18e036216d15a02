"""A WebSocket connection's send buffer, bounded (issue 11: a client that never reads is closed
with a reason and costs nothing else).

What the server writes goes to the socket while the kernel takes it, and waits in the
transport's buffer once the client stops reading. aiohttp's send would then wait, forever for a
client that never reads, holding its task and whatever its sender keeps. Instead the transport
never pauses, and every sender asks :meth:`SendBuffer.full` first: past
``MAX_SEND_BUFFER_BYTES`` waiting, the connection is closed (1008) with the reason, its buffer
freed once the client takes it or ``LINGER_S`` later. One attribute read per message.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Protocol, cast

from mockbdd.domain.websockets import MAX_SEND_BUFFER_BYTES

LINGER_S = 30.0  # a closed connection's unsent bytes are kept this long for its client, then cut
_NEVER = 1 << 30  # the transport's high-water mark: never reached (uvloop takes a C int)


class _Transport(Protocol):  # asyncio's and uvloop's (which is not an asyncio.WriteTransport)
    def get_write_buffer_size(self) -> int: ...

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None: ...

    def abort(self) -> None: ...


class SendBuffer:
    """The bytes written to one connection that its client has not taken yet."""

    __slots__ = ("_transport", "limit")

    def __init__(self, transport: Any, limit: int = MAX_SEND_BUFFER_BYTES) -> None:
        self.limit = limit
        self._transport: _Transport | None = None
        if hasattr(transport, "get_write_buffer_size"):
            self._transport = cast(_Transport, transport)
            self._transport.set_write_buffer_limits(high=_NEVER)

    def waiting(self) -> int:
        return 0 if self._transport is None else self._transport.get_write_buffer_size()

    def full(self, size: int) -> str | None:
        """Why ``size`` more bytes may not be written (the close reason), or None: a message
        goes when nothing waits, or when what waits and it stay within the limit."""
        waiting = self.waiting()
        if waiting and waiting + size > self.limit:
            return f"mockbdd: the client is not reading ({waiting} bytes wait to be sent)"
        return None

    def cut(self) -> None:
        """End the connection at once, without a close frame (what waits is dropped)."""
        if self._transport is not None:
            self._transport.abort()

    def linger(self) -> None:
        """The connection is closed: what still waits for the client is dropped ``LINGER_S``
        from now if it has not taken it by then."""
        transport = self._transport
        if transport is not None and transport.get_write_buffer_size():
            loop = asyncio.get_running_loop()
            loop.call_later(LINGER_S, _abort, transport)


def _abort(transport: _Transport) -> None:
    with contextlib.suppress(Exception):
        transport.abort()
