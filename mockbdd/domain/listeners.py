"""Serve-event listeners: what a stub sets off once it has answered (WireMock's
``serveEventListeners`` and the older ``postServeActions``), registered by name under
:data:`SERVE_EVENT_LISTENERS` like every other extension. The built-in one is ``webhook``.

A listener runs after the answer has gone out and never holds it up. What it needs from the
server (an HTTP client, the outbound allow-list, the template engine) comes through a
:class:`ListenerContext`, so a listener is plain code that a test can drive with a fake one.
What it did is kept on the serve event as sub-events (``ServeEvent.sub_events``), as WireMock
keeps ``WEBHOOK_REQUEST`` / ``WEBHOOK_RESPONSE`` / ``ERROR``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

from mockbdd.domain.requests import RecordedRequest
from mockbdd.extensions import Kind
from mockbdd.records import record

if TYPE_CHECKING:  # the journal's events hold stubs, and stubs hold listener calls
    from mockbdd.domain.journal import ServeEvent


@record
class ListenerCall:
    """One entry of a stub's ``serveEventListeners``: the listener's name and its parameters
    (read-only JSON)."""

    name: str
    parameters: Mapping[str, Any]


class OutboundRequest(NamedTuple):
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None


class OutboundResponse(NamedTuple):
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class ListenerContext(Protocol):
    """What the server lends a listener."""

    @property
    def rng(self) -> random.Random:
        """The random source for delays a listener samples."""
        ...

    def render(
        self, template: str, original: RecordedRequest, parameters: Mapping[str, Any]
    ) -> str:
        """``template`` rendered by the server's response-template engine with WireMock's
        webhook model (``originalRequest``, ``parameters``); unchanged when it has none."""
        ...

    def refusal(self, url: str) -> str | None:
        """Why ``url`` may not be reached from this server (None: it may)."""
        ...

    async def send(self, request: OutboundRequest) -> OutboundResponse:
        """Send ``request``; raises ``OSError`` / ``TimeoutError`` when it cannot be sent."""
        ...


@runtime_checkable
class ServeEventListener(Protocol):
    def check(self, parameters: Mapping[str, Any]) -> None:
        """Called once, when a stub naming this listener is decoded: raise ``ValueError``
        (its message is the reason, ``/field: reason`` to point inside the parameters) to
        refuse the stub."""

    async def after_complete(
        self, context: ListenerContext, event: ServeEvent, parameters: Mapping[str, Any]
    ) -> None:
        """``event`` has been answered (its response and timings are final). Record what was
        done with ``event.add_sub_event``; exceptions are logged and recorded as ``ERROR``."""


SERVE_EVENT_LISTENERS: Kind[ServeEventListener] = Kind(
    "serve event listener",
    lambda name, entry: (
        "" if isinstance(entry, ServeEventListener) else "needs check() and after_complete()"
    ),
)
