"""``ExchangePlugin``: an exchange's market data as a service plugin, in a few lines per exchange
(seed 002's interface). A subclass names its intervals, maps REST paths to handlers
(:attr:`ExchangePlugin.rest_routes`) and WebSocket message types to handlers
(:attr:`ExchangePlugin.ws_message_handlers`), and says how a candle reads on its stream
(:meth:`ExchangePlugin.candle_message`); the base class does the rest: the config check, the
seeded candles and the clock (:class:`~mockbdd.exchanges.market.Market`), request weight and its
refusals, WebSocket upgrades under :attr:`ExchangePlugin.ws_paths`, connection attempts per
client IP, incoming messages per connection, subscriptions and their periodic pushes.

Built-in plugins (``binance_spot``, ``kraken_spot``) are ExchangePlugins registered like any
other service plugin (``mockbdd.plugins`` entry points, kind ``service plugin``).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar

from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.domain.service_plugins import PluginSocket, websocket_route
from mockbdd.exchanges.candles import INTERVALS_MS, Candle, Series
from mockbdd.exchanges.market import LIMIT_KEYS, Limits, Market, MessageBudget, check_common

_JSON = ("Content-Type", "application/json")

# a REST handler answers with a ResponseDefinition, or a JSON value (200, the plugin's headers)
RestHandler = Callable[[Market, RecordedRequest], Any]
# a WebSocket handler gets the connection and the decoded message; what it returns (if not
# None) is sent back as one message; it may also ``await conn.send(...)`` itself
WsHandler = Callable[["Connection", Any], Any]


class ExchangeType(str, Enum):
    """The built-in exchange plugins, by their registered name (any other registered
    :class:`ExchangePlugin` is mounted by its name as a string)."""

    BINANCE_SPOT = "binance_spot"
    KRAKEN_SPOT = "kraken_spot"


@dataclass(slots=True)
class Subscription:
    """One stream a connection follows: ``key`` as the exchange names it."""

    key: str
    symbol: str
    interval: str
    extra: dict[str, Any] = field(default_factory=dict)
    pushed: int | None = None  # the index of the candle last pushed


class Connection:
    """One WebSocket connection to an exchange mount, as its handlers see it."""

    def __init__(self, market: Market, path: str, query: Mapping[str, list[str]]) -> None:
        self.market, self.path, self.query = market, path, query
        self.id = next(market.connection_ids)
        self._socket: PluginSocket | None = None  # until the upgrade is accepted
        self.subscriptions: dict[str, Subscription] = {}
        self.state: dict[str, Any] = {}  # the plugin's own per-connection values

    @property
    def closed(self) -> bool:
        return self._socket is None or self._socket.closed

    def subscribe(self, key: str, symbol: str, interval: str, **extra: Any) -> Subscription:
        sub = Subscription(key, symbol, interval, dict(extra))
        self.subscriptions[key] = sub
        return sub

    def unsubscribe(self, key: str) -> bool:
        return self.subscriptions.pop(key, None) is not None

    async def send(self, message: Any) -> None:
        """Send ``message``: text as it is, anything else as compact JSON."""
        if self._socket is None:
            return
        text = message if isinstance(message, str) else json.dumps(message, separators=(",", ":"))
        await self._socket.send(text)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        if self._socket is not None:
            await self._socket.close(code, reason)


class ExchangePlugin:
    """The base of an exchange's service plugin; override what differs from the defaults."""

    name: ClassVar[str] = "exchange"
    title: ClassVar[str] = "exchange"  # in messages: "not a Binance interval"
    intervals: ClassVar[Mapping[str, int]] = INTERVALS_MS  # interval names → milliseconds
    ws_paths: ClassVar[tuple[str, ...]] = ("/ws",)  # upgrades at these paths and below them
    push_every_s: ClassVar[float] = 2.0
    config_keys: ClassVar[tuple[str, ...]] = ()  # the plugin's own keys, beside the common ones
    default_limits: ClassVar[Limits] = Limits()

    # -- what a subclass gives ----------------------------------------------------------------
    @property
    def rest_routes(self) -> Mapping[str, RestHandler]:
        """REST paths (GET and HEAD, relative to the mount) and their handlers."""
        return {}

    @property
    def ws_message_handlers(self) -> Mapping[str, WsHandler]:
        """Incoming message types (:meth:`message_type`) and their handlers."""
        return {}

    def candle_message(self, conn: Connection, sub: Subscription, candle: Candle) -> Any:
        """The message a subscription pushes for its current candle (None: nothing)."""
        return None

    def closed_candle_message(self, conn: Connection, sub: Subscription, candle: Candle) -> Any:
        """The message for the candle a subscription followed, once its interval is over
        (Binance's ``"x": true``); None (the default): the exchange sends none."""
        return None

    # -- hooks with defaults -------------------------------------------------------------------
    def check_config(self, config: Mapping[str, Any]) -> None:
        """The plugin's own keys; raise ``ValueError`` with the reason."""

    def normalize_symbol(self, symbol: str) -> str:
        """A configured symbol as the market keys it (and subscriptions name it)."""
        return symbol.upper()

    def weight(self, path: str, request: RecordedRequest) -> int:
        return 1

    def headers(self, market: Market) -> tuple[tuple[str, str], ...]:
        return (_JSON,)

    def refused(self, market: Market, why: str, retry_after_s: int) -> ResponseDefinition:
        """The answer when the request weight ran out (``why`` "limited") or the client is
        banned until the window ends ("banned")."""
        text = "too many requests" if why == "limited" else "banned until the window ends"
        return self.json(market, {"error": text}, 429 if why == "limited" else 418,
                         ("Retry-After", str(retry_after_s)))  # fmt: skip

    def connections_refused(self, market: Market, retry_after_s: int) -> ResponseDefinition:
        """The answer to a WebSocket upgrade past ``connectionLimit`` attempts per client IP."""
        return self.refused(market, "limited", retry_after_s)

    def open_streams(self, conn: Connection, request: RecordedRequest) -> ResponseDefinition | None:
        """Before the upgrade is accepted: subscribe what the URL names, or refuse it."""
        return None

    async def on_open(self, conn: Connection) -> None:
        """The connection is open (send a greeting here)."""

    def message_type(self, message: Any) -> str | None:
        return message.get("method") if isinstance(message, dict) else None

    def unknown_message(self, conn: Connection, message: Any) -> Any:
        return {"error": f"unknown message type {self.message_type(message)!r}"}

    def bad_json(self, conn: Connection, text: str) -> Any:
        return {"error": "the message is not JSON"}

    async def too_many_messages(self, conn: Connection) -> None:
        await conn.close(1008, "Too many requests")

    def pushes(self, conn: Connection) -> Iterator[Any]:
        """What goes out every :attr:`push_every_s`: each subscription's candle message, after
        the closed message of the newest candle that closed since the last push (time
        acceleration may skip older ones)."""
        market = conn.market
        now = market.now_ms()
        for sub in list(conn.subscriptions.values()):
            series = market.series.get((sub.symbol, sub.interval))
            if series is None:
                continue
            k = series.index(now)
            if sub.pushed is not None and sub.pushed < k:
                closed = self.closed_candle_message(conn, sub, series.candle(k - 1))
                if closed is not None:
                    yield closed
            sub.pushed = k
            message = self.candle_message(conn, sub, series.candle(k))
            if message is not None:
                yield message

    # -- helpers for subclasses ----------------------------------------------------------------
    def json(
        self, market: Market, value: Any, status: int = 200, *extra: tuple[str, str]
    ) -> ResponseDefinition:
        body = json.dumps(value, separators=(",", ":")).encode()
        return ResponseDefinition(status=status, headers=(*self.headers(market), *extra), body=body)

    @staticmethod
    def latest(series: Series, now_ms: int, limit: int) -> list[Candle]:
        """The newest ``limit`` candles up to ``now_ms``, oldest first."""
        last = series.index(now_ms)
        return [series.candle(k) for k in range(last - limit + 1, last + 1)]

    # -- the service plugin protocol ---------------------------------------------------------
    def check(self, config: Mapping[str, Any]) -> None:
        check_common(config, self.intervals, self.config_keys, self.title)
        self.check_config(config)

    def mount(self, service: str, config: Mapping[str, Any], rng: random.Random) -> MountedExchange:
        market = Market(
            config, rng, self.intervals, self.default_limits, normalize=self.normalize_symbol
        )
        return MountedExchange(self, market, config)


class MountedExchange:
    """One mount: REST answers and WebSocket sessions over one :class:`Market`."""

    def __init__(self, plugin: ExchangePlugin, market: Market, config: Mapping[str, Any]) -> None:
        self.plugin, self.market = plugin, market
        self._config = config  # as mounted: what may not change in place is compared to it
        self._routes = dict(plugin.rest_routes)
        self._handlers = dict(plugin.ws_message_handlers)
        self._open: set[Connection] = set()
        self._ws_exact = frozenset(plugin.ws_paths)
        self._ws_under = tuple(p + "/" for p in plugin.ws_paths)

    def reconfigure(self, config: Mapping[str, Any]) -> None:
        """New limits for the running mount (``PATCH /__admin/plugins/mounts/{service}``);
        ``ValueError`` (nothing changed) for another key: its candles are made at the mount."""
        fixed = sorted(
            key
            for key in {*config, *self._config}
            if key not in LIMIT_KEYS and config.get(key) != self._config.get(key)
        )
        if fixed:
            raise ValueError(
                f"{fixed[0]!r} does not change on a running mount (in place: "
                f"{', '.join(LIMIT_KEYS)}); mount it again to change it"
            )
        self.market.reconfigure(config)

    async def answer(self, request: RecordedRequest, path: str) -> ResponseDefinition | None:
        if path in self._ws_exact or path.startswith(self._ws_under):
            return self._upgrade(request, path)
        handler = self._routes.get(path)
        if handler is None or request.method not in ("GET", "HEAD"):
            return None
        refused = self.market.spend(self.plugin.weight(path, request))
        if refused is not None:
            return self.plugin.refused(self.market, *refused)
        answer = handler(self.market, request)
        if isinstance(answer, ResponseDefinition):
            return answer
        if inspect.isawaitable(answer):
            answer = await answer
        if isinstance(answer, ResponseDefinition):
            return answer
        return self.plugin.json(self.market, answer)

    def _upgrade(self, request: RecordedRequest, path: str) -> ResponseDefinition:
        retry = self.market.attempt_connection(request.client_ip)
        if retry is not None:
            return self.plugin.connections_refused(self.market, retry)
        # the URL's streams are checked before the upgrade, so a bad one is an HTTP answer
        conn = Connection(self.market, path, request.query)
        refusal = self.plugin.open_streams(conn, request)
        if refusal is not None:
            return refusal

        async def handler(socket: PluginSocket) -> None:
            await self._session(conn, socket)

        return websocket_route(handler)

    async def _session(self, conn: Connection, socket: PluginSocket) -> None:
        conn._socket = socket
        self._open.add(conn)
        limits = self.market.limits
        budget = MessageBudget(limits.ws_limit, limits.ws_burst)
        pusher = asyncio.get_running_loop().create_task(self._push(conn))
        try:
            await self.plugin.on_open(conn)
            async for text in socket.incoming():
                if not budget.take():
                    await self.plugin.too_many_messages(conn)
                    return
                await self._reply(conn, text)
        finally:
            self._open.discard(conn)
            pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pusher

    async def _reply(self, conn: Connection, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            reply = self.plugin.bad_json(conn, text)
        else:
            handler = self._handlers.get(self.plugin.message_type(message) or "")
            if handler is None:
                reply = self.plugin.unknown_message(conn, message)
            else:
                reply = handler(conn, message)
                if inspect.isawaitable(reply):
                    reply = await reply
        if reply is not None:
            await conn.send(reply)

    async def _push(self, conn: Connection) -> None:
        while not conn.closed:
            for message in self.plugin.pushes(conn):
                await conn.send(message)
            await asyncio.sleep(self.plugin.push_every_s)

    async def close(self) -> None:
        """Unmounted, replaced or the namespace closing: its connections go (1001)."""
        for conn in list(self._open):
            with contextlib.suppress(Exception):
                await conn.close(1001, "service unmounted")


__all__ = [
    "Connection",
    "ExchangePlugin",
    "ExchangeType",
    "MountedExchange",
    "RestHandler",
    "Subscription",
    "WsHandler",
]
