"""Seed 002's ``MockedCandleFeedServer``: an exchange's market data on a mock server of its own.

It is a thin face over what any mockbdd server does: it starts an embedded server (its own
thread, so sync and async tests can both drive it), mounts the exchange plugin as a service
through the admin API, and changes the running server through the admin API too:
``set_network_conditions`` sets the namespace's ``network`` setting (latency and jitter, packet
loss, errors: REST answers and WebSocket messages alike), ``set_rate_limits`` reconfigures the
mount in place (``PATCH /__admin/plugins/mounts/{service}``), keeping its candles, clock and
connections. Everything else a mockbdd server offers (stubs beside the plugin, the journal,
``GET /__admin/websockets``) is there through :attr:`admin`.

Imported from :mod:`mockbdd.exchanges` on first use.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any

from mockbdd.client import Client
from mockbdd.domain.service_plugins import SERVICE_PLUGINS
from mockbdd.exchanges import BUILT_IN
from mockbdd.exchanges.plugin import ExchangePlugin, ExchangeType
from mockbdd.extensions import Extensions
from mockbdd.server.embedded import MockServer

TradingPair = tuple[str, str, float]  # (symbol, interval, initial price)
DEFAULT_PAIRS: tuple[TradingPair, ...] = (
    ("BTCUSDT", "1m", 50000.0),
    ("ETHUSDT", "1m", 3000.0),
    ("SOLUSDT", "1m", 100.0),
)


class MockedCandleFeedServer:
    """``MockedCandleFeedServer(ExchangeType.BINANCE_SPOT)``: ``with`` it, ``async with`` it,
    or ``await start()`` / ``await stop()``. ``exchange_type`` is a built-in
    :class:`ExchangeType`, the name of an installed exchange plugin, or an
    :class:`ExchangePlugin` instance (registered on this server only). ``seed`` fixes the
    candles (the same seed gives the same candle for the same open time); ``time_scale`` 60
    makes a minute of candles pass every second; ``config`` adds plugin config keys."""

    def __init__(
        self,
        exchange_type: ExchangeType | str | ExchangePlugin = ExchangeType.BINANCE_SPOT,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        trading_pairs: Iterable[TradingPair] | None = None,
        seed: int | None = None,
        time_scale: float = 1.0,
        service: str = "market",
        config: Mapping[str, Any] | None = None,
    ) -> None:
        self.plugin: ExchangePlugin | None = None
        if isinstance(exchange_type, ExchangePlugin):
            self.plugin, name = exchange_type, exchange_type.name
        else:
            name = str(
                exchange_type.value if isinstance(exchange_type, ExchangeType) else exchange_type
            )
        self.exchange_type = exchange_type
        self.plugin_name = name
        self.host = host
        self._port = port
        self.service = service
        self.trading_pairs = tuple(trading_pairs) if trading_pairs is not None else DEFAULT_PAIRS
        self._config: dict[str, Any] = dict(config or {})
        if seed is not None:
            self._config["seed"] = seed
        if time_scale != 1.0:
            self._config["timeScale"] = time_scale
        self._settings: dict[str, Any] = {}
        self._server: MockServer | None = None
        self._admin: Client | None = None

    # -- where it is ----------------------------------------------------------------------------
    @property
    def server(self) -> MockServer:
        if self._server is None:
            raise RuntimeError("mockbdd: the candle feed server is not started (start() it first)")
        return self._server

    @property
    def admin(self) -> Client:
        """The admin client of the server (stubs, journal, WebSocket messages)."""
        if self._admin is None:
            raise RuntimeError("mockbdd: the candle feed server is not started (start() it first)")
        return self._admin

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def url(self) -> str:
        """The exchange's REST base: Binance's ``/api/v3/klines`` is under it."""
        return f"{self.server.url}/{self.service}"

    @property
    def ws_url(self) -> str:
        """The exchange's WebSocket base (Binance: ``.../ws``, Kraken: ``.../v2``)."""
        plugin = self.plugin or _BUILT_IN.get(self.plugin_name)
        path = plugin.ws_paths[0] if plugin is not None else "/ws"
        return self.url.replace("http", "ws", 1) + path

    # -- lifecycle --------------------------------------------------------------------------
    def start_sync(self, trading_pairs: Iterable[TradingPair] | None = None) -> str:
        """Start the server and mount the exchange; returns :attr:`url`."""
        if self._server is not None:
            return self.url
        if trading_pairs is not None:
            self.trading_pairs = tuple(trading_pairs)
        plugins = () if self.plugin is None else (_registering(self.plugin),)
        server = MockServer(host=self.host, port=self._port, plugins=plugins).start()
        admin = Client(server.url)
        try:
            admin.mount_plugin(self.plugin_name, self.service, self._mount_config())
        except BaseException:
            admin.close()
            server.stop()
            raise
        self._server, self._admin = server, admin
        return self.url

    def stop_sync(self) -> None:
        server, admin = self._server, self._admin
        self._server = self._admin = None
        if admin is not None:
            admin.close()
        if server is not None:
            server.stop()

    async def start(self, trading_pairs: Iterable[TradingPair] | None = None) -> str:
        return await asyncio.to_thread(self.start_sync, trading_pairs)

    async def stop(self) -> None:
        await asyncio.to_thread(self.stop_sync)

    def __enter__(self) -> MockedCandleFeedServer:
        self.start_sync()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_sync()

    async def __aenter__(self) -> MockedCandleFeedServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- changing the running server ----------------------------------------------------------
    def set_network_conditions(
        self,
        latency_ms: float = 0,
        packet_loss_rate: float = 0.0,
        error_rate: float = 0.0,
        jitter_ms: float = 0,
    ) -> None:
        """The namespace's ``network`` setting: each REST answer and WebSocket message waits
        ``latency_ms`` ± ``jitter_ms``; ``packet_loss_rate`` of connections are reset (and of
        WebSocket messages never sent), ``error_rate`` of answers are 500. All zero: none."""
        network = {"latencyMs": latency_ms, "jitterMs": jitter_ms,
                   "packetLossRate": packet_loss_rate, "errorRate": error_rate}  # fmt: skip
        if any(network.values()):
            self._settings["network"] = network
        else:
            self._settings.pop("network", None)
        self.admin.update_settings(self._settings)

    def set_rate_limits(
        self,
        rest_limit: int | None = None,
        rest_period_ms: int | None = None,
        ws_limit: float | None = None,
        ws_burst: int | None = None,
        *,
        ban_after: int | None = None,
        connection_limit: int | None = None,
        connection_period_ms: int | None = None,
    ) -> None:
        """The exchange's limits on the running mount (what is not given stays):
        ``rest_limit`` request weight per ``rest_period_ms``, ``ws_limit`` incoming messages a
        second per connection (bursts up to ``ws_burst``), ``connection_limit`` WebSocket
        connection attempts per client IP per ``connection_period_ms``."""
        given = {"weightLimit": rest_limit, "weightPeriodMs": rest_period_ms,
                 "wsLimit": ws_limit, "wsBurst": ws_burst, "banAfter": ban_after,
                 "connectionLimit": connection_limit,
                 "connectionPeriodMs": connection_period_ms}  # fmt: skip
        changed = {k: v for k, v in given.items() if v is not None}
        if changed:
            self._config.update(changed)
            self.admin.configure_mount(self.service, changed)

    def _mount_config(self) -> dict[str, Any]:
        pairs = [{"symbol": s, "interval": i, "initialPrice": p} for s, i, p in self.trading_pairs]
        return {"tradingPairs": pairs, **self._config}


_BUILT_IN = {cls.name: cls() for cls in BUILT_IN}


def _registering(plugin: ExchangePlugin) -> Any:
    def register(extensions: Extensions) -> None:
        extensions.add(SERVICE_PLUGINS, plugin.name, plugin, origin="MockedCandleFeedServer")

    return register
