"""Service plugins: a service whose answers come from code, not from stubs (DESIGN §14: the
exchange market-data mocks, LLM APIs, WebSocket scripts).

A plugin registers a :class:`ServicePlugin` under a name. Mounting it into a namespace as a
service (tag map ``services: {market: {plugin: binance_spot, config: {...}}}``, admin
``POST /__admin/plugins/{name}/mount``) checks the config, then makes a :class:`MountedService`
that the data plane asks first for requests under the service's prefix. Only the kind and these
two protocols exist yet: the mounting, and WebSocket routes, come with the issues that need them.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.extensions import Kind


class MountedService(Protocol):
    """One mount of a service plugin in one namespace; its state is its own."""

    async def answer(self, request: RecordedRequest, path: str) -> ResponseDefinition | None:
        """The answer to ``request`` (``path`` is relative to the service prefix), or None
        when the path is not the plugin's: stubs and the 404 report take over."""

    async def close(self) -> None:
        """The namespace is closing, or the service is mounted again: release what it holds."""


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
