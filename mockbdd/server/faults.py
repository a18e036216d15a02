"""Socket-level faults: the transport's FaultInjector."""

from __future__ import annotations

import os
import socket
import struct

from aiohttp import web


class SocketFaultInjector:
    """Breaks the connection of one request in the way each WireMock fault describes."""

    def __init__(self, request: web.BaseRequest) -> None:
        transport = request.transport
        assert transport is not None
        self._transport = transport

    def connection_reset_by_peer(self) -> None:
        sock = self._transport.get_extra_info("socket")
        if sock is not None:  # SO_LINGER 0 turns close() into a TCP RST
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self._transport.abort()

    def empty_response(self) -> None:
        self._transport.close()

    def malformed_response_chunk(self) -> None:
        self._transport.write(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"lskdu018973t09sylgasjkfg1][]'./.sdlv\r\n"
        )
        self._transport.close()

    def random_data_then_close(self) -> None:
        self._transport.write(os.urandom(256))
        self._transport.close()
