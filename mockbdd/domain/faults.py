"""Faults: ways a response can fail at the socket level. The transport implements the injector."""

from __future__ import annotations

import enum
from typing import Protocol

from mockbdd.extensions import Kind


class Fault(enum.Enum):
    CONNECTION_RESET_BY_PEER = "CONNECTION_RESET_BY_PEER"
    EMPTY_RESPONSE = "EMPTY_RESPONSE"
    MALFORMED_RESPONSE_CHUNK = "MALFORMED_RESPONSE_CHUNK"
    RANDOM_DATA_THEN_CLOSE = "RANDOM_DATA_THEN_CLOSE"


class FaultInjector(Protocol):
    """Implemented by the server for one connection: each method ends the exchange."""

    def connection_reset_by_peer(self) -> None: ...

    def empty_response(self) -> None: ...

    def malformed_response_chunk(self) -> None: ...

    def random_data_then_close(self) -> None: ...


def inject(fault: Fault, injector: FaultInjector) -> None:
    """Dispatch a fault to the injector method of the same name."""
    {
        Fault.CONNECTION_RESET_BY_PEER: injector.connection_reset_by_peer,
        Fault.EMPTY_RESPONSE: injector.empty_response,
        Fault.MALFORMED_RESPONSE_CHUNK: injector.malformed_response_chunk,
        Fault.RANDOM_DATA_THEN_CLOSE: injector.random_data_then_close,
    }[fault]()


class FaultContext(Protocol):
    """What a fault may do to one exchange; the transport implements it. ``head`` and ``body``
    are the answer the stub planned (status line and headers serialised, body bytes)."""

    head: bytes
    body: bytes

    def write(self, data: bytes) -> None: ...

    def close(self) -> None: ...

    def reset(self) -> None:
        """Close with a TCP RST."""

    async def hold(self, max_seconds: float) -> None:
        """Keep the connection open, sending nothing, until the client closes it or
        ``max_seconds`` pass."""


class FaultAction(Protocol):
    """One fault: ends the exchange through ``ctx`` (the connection is not reused)."""

    async def __call__(self, ctx: FaultContext) -> None: ...


FAULTS: Kind[FaultAction] = Kind("fault")
