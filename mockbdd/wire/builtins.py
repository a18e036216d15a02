"""The built-in extensions, registered through the same registry as plugins, and the
immutable :data:`BUILTIN` instance for callers that have no server (client-side tag-map
checks, ``mockbdd schema``). A server assembles its own with :func:`load_extensions`."""

from __future__ import annotations

import importlib
import random
from collections.abc import Mapping
from functools import cache, partial
from typing import Any, Final

from mockbdd import crud, llm, templating, webhooks
from mockbdd.domain import faults
from mockbdd.domain.service_plugins import SERVICE_PLUGINS, MountedService, ServicePlugin
from mockbdd.extensions import Extensions, Register, assemble
from mockbdd.wire import content_operators, delay_codec


def register(extensions: Extensions, *, global_response_templating: bool = False) -> None:
    """Every built-in content operator, delay type, fault, response transformer and serve
    event listener (``global_response_templating``: ``response-template`` renders every stub)."""
    content_operators.register(extensions)
    delay_codec.register(extensions)
    faults.register(extensions)
    llm.register(extensions)
    crud.register(extensions)
    for name, (module, cls) in EXCHANGES.items():
        extensions.add(SERVICE_PLUGINS, name, OnFirstUse(module, cls))
    webhooks.register(
        extensions, lambda obj, at: delay_codec.parse_delay(obj, at, extensions=extensions)
    )
    templating.register(extensions, global_response_templating=global_response_templating)


# the exchange mocks (mockbdd.exchanges: candles, markets, their WebSocket streams), by name
EXCHANGES: Final[Mapping[str, tuple[str, str]]] = {
    "binance_spot": ("mockbdd.exchanges.binance", "BinanceSpot"),
    "kraken_spot": ("mockbdd.exchanges.kraken", "KrakenSpot"),
}


class OnFirstUse:
    """A built-in service plugin imported at its first check or mount (an admin call or a tag
    map's ``services``): a server that mounts none never holds the module (idle RSS)."""

    __slots__ = ("_class", "_module", "_plugin")

    def __init__(self, module: str, cls: str) -> None:
        self._module, self._class = module, cls
        self._plugin: ServicePlugin | None = None

    def plugin(self) -> ServicePlugin:
        if self._plugin is None:
            made: ServicePlugin = getattr(importlib.import_module(self._module), self._class)()
            self._plugin = made
        return self._plugin

    def check(self, config: Mapping[str, Any]) -> None:
        self.plugin().check(config)

    def mount(self, service: str, config: Mapping[str, Any], rng: random.Random) -> MountedService:
        return self.plugin().mount(service, config, rng)

    def __repr__(self) -> str:
        return f"OnFirstUse({self._module}.{self._class})"


BUILTIN: Final[Extensions] = assemble([register], plugins=False)


def load_extensions(*more: Register, global_response_templating: bool = False) -> Extensions:
    """What a server uses: the built-ins, then ``more`` (its own layers' built-ins), then every
    ``mockbdd.plugins`` entry point; frozen. Raises ``ExtensionError`` naming a plugin that
    cannot load or clashes."""
    builtins = partial(register, global_response_templating=global_response_templating)
    return assemble([builtins, *more])


@cache
def installed_extensions() -> Extensions:
    """The built-ins and every installed plugin, loaded once per process: what client-side
    checks (the BDD session, ``mockbdd lint``) validate tag maps with, so a plugin's operator,
    delay type, matcher or transformer named in a tag map is accepted as the server accepts it.
    Raises ``ExtensionError`` naming a plugin that cannot load or clashes."""
    return load_extensions()
