"""Socket-level faults: the transport's FaultInjector."""

from __future__ import annotations

import socket
import struct

from aiohttp import web

# what real WireMock 3.13.2 writes for MALFORMED_RESPONSE_CHUNK (after a chunked 200 head) and
# for RANDOM_DATA_THEN_CLOSE (alone): the same fixed bytes, so a client sees the same error
GARBAGE = b"lskdu018973t09sylgasjkfg1][]'./.sdlv"


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
        self._transport.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + GARBAGE)
        self._transport.close()

    def random_data_then_close(self) -> None:
        self._transport.write(GARBAGE)
        self._transport.close()
