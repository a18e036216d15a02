"""Socket-level faults: the transport's :class:`~mockbdd.domain.faults.FaultContext`."""

from __future__ import annotations

import asyncio
import socket
import struct

from aiohttp import web

from mockbdd.domain.responses import ResponseDefinition

HOLD_POLL_S = 0.05  # how often a held connection checks whether the client has gone


class SocketFaultContext:
    """One request's connection, for a fault to break in its own way."""

    def __init__(self, request: web.BaseRequest, head: bytes, body: bytes) -> None:
        transport = request.transport
        assert transport is not None
        self._transport = transport
        self.head = head
        self.body = body

    def write(self, data: bytes) -> None:
        if not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        self._transport.close()

    def reset(self) -> None:
        sock = self._transport.get_extra_info("socket")
        if sock is not None:  # SO_LINGER 0 turns close() into a TCP RST
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self._transport.abort()

    async def hold(self, max_seconds: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max_seconds
        while not self._transport.is_closing():  # the client hung up: the transport closes
            left = deadline - loop.time()
            if left <= 0:
                return
            await asyncio.sleep(min(HOLD_POLL_S, left))


def planned_head(
    definition: ResponseDefinition, headers: tuple[tuple[str, str], ...], reason: str
) -> bytes:
    """The head the answer would have had: status line, ``headers`` (framing ones already
    left out), ``Content-Length`` of the whole body, and the blank line."""
    lines = [f"HTTP/1.1 {definition.status} {reason}"]
    lines += [f"{name}: {value}" for name, value in headers]
    lines.append(f"Content-Length: {len(definition.body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", errors="replace")
