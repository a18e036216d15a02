"""Exchange market-data mocks (DESIGN §14, seed 002) as service plugins: ``binance_spot``
serves Binance's spot REST market data from seeded random-walk candles. Mounted into a
namespace like any service plugin (``POST /__admin/plugins/binance_spot/mount``, or a tag map's
``services: {market: {plugin: binance_spot, config: {...}}}``)."""

from __future__ import annotations

from mockbdd.domain.service_plugins import SERVICE_PLUGINS
from mockbdd.exchanges.binance import BinanceSpot
from mockbdd.extensions import Extensions

__all__ = ["BinanceSpot", "register"]


def register(extensions: Extensions) -> None:
    extensions.add(SERVICE_PLUGINS, "binance_spot", BinanceSpot())
