"""Exchange market-data mocks (DESIGN §14, seed 002) as service plugins: ``binance_spot`` and
``kraken_spot`` serve their exchange's market data from seeded random-walk candles, both
:class:`ExchangePlugin` subclasses registered like any service plugin. Mounted into a namespace
(``POST /__admin/plugins/binance_spot/mount``, or a tag map's ``services: {market: {plugin:
binance_spot, config: {...}}}``), or run on a server of their own with
:class:`MockedCandleFeedServer` (imported on first use: it starts a server)."""

from __future__ import annotations

from typing import Any

from mockbdd.domain.service_plugins import SERVICE_PLUGINS
from mockbdd.exchanges.binance import BinanceSpot
from mockbdd.exchanges.candles import Candle, Series
from mockbdd.exchanges.kraken import KrakenSpot
from mockbdd.exchanges.market import Limits, Market
from mockbdd.exchanges.plugin import Connection, ExchangePlugin, ExchangeType, Subscription
from mockbdd.extensions import Extensions

__all__ = [
    "BinanceSpot",
    "Candle",
    "Connection",
    "ExchangePlugin",
    "ExchangeType",
    "KrakenSpot",
    "Limits",
    "Market",
    "MockedCandleFeedServer",
    "Series",
    "Subscription",
    "register",
]

BUILT_IN: tuple[type[ExchangePlugin], ...] = (BinanceSpot, KrakenSpot)


def register(extensions: Extensions) -> None:
    for plugin in BUILT_IN:
        extensions.add(SERVICE_PLUGINS, plugin.name, plugin())


# the server side lives above this package (it starts a mock server): loaded on first use
_LAZY = {"MockedCandleFeedServer": "mockbdd.candle_feed"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mockbdd.exchanges' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
