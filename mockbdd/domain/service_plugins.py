"""Service plugins: a service whose answers come from code, not from stubs (DESIGN §14: the
exchange market-data mocks, LLM APIs, WebSocket scripts).

A plugin registers a :class:`ServicePlugin` under a name. Mounting it into a namespace as a
service (tag map ``services: {market: {plugin: binance_spot, config: {...}}}``, admin
``POST /__admin/plugins/{name}/mount``) checks the config, then makes a :class:`MountedService`
that the data plane asks first for requests under the service's prefix. Only the kind and these
protocols are the contract.

WebSocket routes: a mount's ``answer`` may return :func:`websocket_route` (a
``ResponseDefinition`` carrying a :data:`SocketHandler`) for an upgrade under its prefix; the
server accepts the upgrade and runs the handler with a :class:`PluginSocket`, so a plugin's
WebSocket endpoints live under ``/<service>`` exactly like its REST routes. Returning an
ordinary ``ResponseDefinition`` instead refuses the upgrade with that HTTP answer.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, Protocol, runtime_checkable

from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.extensions import Kind


class PluginSocket(Protocol):
    """An accepted WebSocket as a plugin's handler sees it (the server owns the transport)."""

    @property
    def closed(self) -> bool: ...

    def incoming(self) -> AsyncIterator[str]:
        """Text (binary frames decoded as UTF-8) the client sends, until it closes."""

    async def send(self, text: str) -> None:
        """Send a text frame; a no-op once closed."""

    async def close(self, code: int = 1000, reason: str = "") -> None: ...


SocketHandler = Callable[[PluginSocket], Awaitable[None]]


def websocket_route(handler: SocketHandler) -> ResponseDefinition:
    """The answer that accepts a WebSocket upgrade and hands it to ``handler``."""
    return ResponseDefinition(status=101, socket_handler=handler)


class MountedService(Protocol):
    """One mount of a service plugin in one namespace; its state is its own."""

    async def answer(self, request: RecordedRequest, path: str) -> ResponseDefinition | None:
        """The answer to ``request`` (``path`` is relative to the service prefix), or None
        when the path is not the plugin's: stubs and the 404 report take over."""

    async def close(self) -> None:
        """The namespace is closing, or the service is mounted again: release what it holds."""


@runtime_checkable
class Reconfigurable(Protocol):
    """A mount that takes a new config in place (``PATCH /__admin/plugins/mounts/{service}``),
    keeping its state; a mount without it is mounted again with the new config."""

    def reconfigure(self, config: Mapping[str, Any]) -> None:
        """Take ``config`` (checked already), or raise ``ValueError`` (the reason) for a
        change it cannot take in place, having changed nothing."""


@runtime_checkable
class ServicePlugin(Protocol):
    def check(self, config: Mapping[str, Any]) -> None:
        """Raise ``ValueError`` (the reason) for a config the plugin cannot serve, before
        anything is mounted."""

    def mount(self, service: str, config: Mapping[str, Any], rng: random.Random) -> MountedService:
        """A fresh mount; ``rng`` is the namespace's seeded random source (deterministic runs)."""


SERVICE_PLUGINS: Kind[ServicePlugin] = Kind(
    "service plugin",
    lambda name, entry: "" if isinstance(entry, ServicePlugin) else "needs check() and mount()",
)
