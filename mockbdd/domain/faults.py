"""Faults: ways an exchange fails at the socket. Each is a :class:`FaultAction` registered by
name under :data:`FAULTS` (the built-ins through :func:`register`, as plugins register theirs);
the transport implements :class:`FaultContext` for one connection and awaits the action."""

from __future__ import annotations

import enum
from typing import Protocol

from mockbdd.extensions import Extensions, Kind

# what real WireMock 3.13.2 writes for MALFORMED_RESPONSE_CHUNK (after a chunked 200 head) and
# for RANDOM_DATA_THEN_CLOSE (alone): the same fixed bytes, so a client sees the same error
GARBAGE = b"lskdu018973t09sylgasjkfg1][]'./.sdlv"
CHUNKED_200_HEAD = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
NO_RESPONSE_MAX_SECONDS = 120.0  # a client with no timeout is let go after this, never held on


class Fault(str, enum.Enum):
    """The built-in faults' names (a ``str``: a fault is looked up by name in ``FAULTS``)."""

    CONNECTION_RESET_BY_PEER = "CONNECTION_RESET_BY_PEER"
    EMPTY_RESPONSE = "EMPTY_RESPONSE"
    MALFORMED_RESPONSE_CHUNK = "MALFORMED_RESPONSE_CHUNK"
    RANDOM_DATA_THEN_CLOSE = "RANDOM_DATA_THEN_CLOSE"
    NO_RESPONSE = "NO_RESPONSE"  # mockbdd: the connection stays open and silent
    TRUNCATED_BODY = "TRUNCATED_BODY"  # mockbdd: the head and half the body, then close

    def __str__(self) -> str:  # the name, as a plain ``str`` name prints
        return self.value


class FaultContext(Protocol):
    """What a fault may do to one exchange; the transport implements it. ``head`` and ``body``
    are the answer the stub planned: the status line and headers serialised (through the
    blank line, ``Content-Length`` the whole body's) and the body bytes."""

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


async def connection_reset_by_peer(ctx: FaultContext) -> None:
    ctx.reset()


async def empty_response(ctx: FaultContext) -> None:
    ctx.close()


async def malformed_response_chunk(ctx: FaultContext) -> None:
    ctx.write(CHUNKED_200_HEAD + GARBAGE)
    ctx.close()


async def random_data_then_close(ctx: FaultContext) -> None:
    ctx.write(GARBAGE)
    ctx.close()


async def no_response(ctx: FaultContext) -> None:
    """Read the request, answer nothing: what a hung upstream looks like to a client's timeout."""
    await ctx.hold(NO_RESPONSE_MAX_SECONDS)
    ctx.close()


async def truncated_body(ctx: FaultContext) -> None:
    """The planned head (declaring the whole body) and its first half, then close: the client
    sees the connection end before the body does."""
    ctx.write(ctx.head + ctx.body[: len(ctx.body) // 2])
    ctx.close()


BUILTIN: dict[Fault, FaultAction] = {
    Fault.CONNECTION_RESET_BY_PEER: connection_reset_by_peer,
    Fault.EMPTY_RESPONSE: empty_response,
    Fault.MALFORMED_RESPONSE_CHUNK: malformed_response_chunk,
    Fault.RANDOM_DATA_THEN_CLOSE: random_data_then_close,
    Fault.NO_RESPONSE: no_response,
    Fault.TRUNCATED_BODY: truncated_body,
}


def register(extensions: Extensions) -> None:
    """mockbdd's own faults, registered as a plugin registers its own."""
    for fault, action in BUILTIN.items():
        extensions.add(FAULTS, fault.value, action)
