"""``binance_spot``: Binance's spot REST market data, as its clients read it.

Routes (under the service's prefix): ``GET /api/v3/ping``, ``/api/v3/time``,
``/api/v3/exchangeInfo``, ``/api/v3/klines`` (rows of strings, ``limit`` default 500, max 1000,
``startTime``/``endTime``), ``/api/v3/ticker/price``. Every answer carries
``X-MBX-USED-WEIGHT-1M``; past ``weightLimit`` per minute the answer is 429 with
``Retry-After`` and Binance's -1003 error, and after ``banAfter`` 429s in a minute, 418 (banned
until the minute is over), as Binance answers clients that keep polling.

WebSocket market streams (under the same prefix): ``/ws/<stream>[/<stream>...]`` and
``/stream?streams=a/b`` (each event wrapped as ``{"stream", "data"}``) push ``kline`` events
(``<symbol>@kline_<interval>``, Binance's field names, every 2 s) from the same seeded candles as
``/api/v3/klines``; ``SUBSCRIBE``/``UNSUBSCRIBE``/``LIST_SUBSCRIPTIONS`` answer as Binance does
(``{"result": null, "id": 1}``, ``{"error": {"code": 2, ...}, "id"}``); at most 1024 streams per
connection, and more than 5 incoming messages in a second closes the connection (1008).

Config: ``{"tradingPairs": [{"symbol", "interval", "initialPrice"}], "seed"?, "timeScale"?,
"weightLimit"?, "banAfter"?}``. ``timeScale`` 60 makes a minute of candles pass every second.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections.abc import Callable, Mapping
from typing import Any

from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.domain.service_plugins import PluginSocket, websocket_route
from mockbdd.exchanges.candles import INTERVALS_MS, Candle, Series

DEFAULT_LIMIT, MAX_LIMIT = 500, 1000
WEIGHTS = {"/api/v3/ping": 1, "/api/v3/time": 1, "/api/v3/exchangeInfo": 20,
           "/api/v3/klines": 2, "/api/v3/ticker/price": 2}  # fmt: skip
_JSON = ("Content-Type", "application/json;charset=UTF-8")
_CONFIG_KEYS = ("tradingPairs", "seed", "timeScale", "weightLimit", "banAfter")


def _fmt(value: float) -> str:
    return f"{value:.8f}"


class BinanceSpot:
    """The service plugin: checks a config, mounts a fresh market per mount."""

    def check(self, config: Mapping[str, Any]) -> None:
        unknown = sorted(set(config) - set(_CONFIG_KEYS))
        if unknown:
            raise ValueError(f"unknown key {unknown[0]!r} (known: {', '.join(_CONFIG_KEYS)})")
        pairs = config.get("tradingPairs")
        if not isinstance(pairs, tuple) or not pairs:
            raise ValueError(
                "'tradingPairs' must list at least one {symbol, interval, initialPrice}"
            )
        for i, pair in enumerate(pairs):
            if not isinstance(pair, Mapping) or not isinstance(pair.get("symbol"), str):
                raise ValueError(f"tradingPairs[{i}] needs 'symbol', such as 'BTCUSDT'")
            interval = pair.get("interval", "1m")
            if interval not in INTERVALS_MS:
                raise ValueError(
                    f"tradingPairs[{i}].interval {interval!r} is not a Binance interval "
                    f"({', '.join(INTERVALS_MS)})"
                )
            price = pair.get("initialPrice", 100.0)
            if not isinstance(price, int | float) or isinstance(price, bool) or price <= 0:
                raise ValueError(f"tradingPairs[{i}].initialPrice must be a number above 0")
        scale = config.get("timeScale", 1.0)
        if not isinstance(scale, int | float) or isinstance(scale, bool) or not 0 < scale <= 1e6:
            raise ValueError("'timeScale' must be a number in (0, 1000000]")
        for key in ("weightLimit", "banAfter"):
            value = config.get(key, 1)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{key!r} must be a whole number of at least 1")

    def mount(self, service: str, config: Mapping[str, Any], rng: random.Random) -> Market:
        return Market(config, rng)


class Market:
    """One mounted market: its candle series, its clock and its request-weight budget."""

    def __init__(
        self,
        config: Mapping[str, Any],
        rng: random.Random,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        self._started = clock()
        self._scale = float(config.get("timeScale", 1.0))
        seed = config.get("seed")
        base = str(seed) if seed is not None else str(rng.getrandbits(64))
        now_ms = self.now_ms()
        self.series: dict[tuple[str, str], Series] = {}
        self.symbols: dict[str, float] = {}
        for pair in config["tradingPairs"]:
            symbol = pair["symbol"].upper()
            price = float(pair.get("initialPrice", 100.0))
            self.symbols.setdefault(symbol, price)
            for name, ms in INTERVALS_MS.items():  # every interval of the symbol, one walk each
                key = (symbol, name)
                if key not in self.series:
                    self.series[key] = Series(f"{base}:{symbol}", ms, now_ms, price)
        self._limit = int(config.get("weightLimit", 6000))
        self._ban_after = int(config.get("banAfter", 3))
        self._window = -1
        self._used = 0
        self._refused = 0

    def now_ms(self) -> int:
        real = self._clock()
        return int((self._started + (real - self._started) * self._scale) * 1000)

    async def answer(self, request: RecordedRequest, path: str) -> ResponseDefinition | None:
        if path.startswith("/ws/") or path == "/stream":
            return self._socket(request, path)
        weight = WEIGHTS.get(path)
        if weight is None or request.method not in ("GET", "HEAD"):
            return None
        refused = self._spend(weight)
        if refused is not None:
            return refused
        query = {k: v[0] for k, v in request.query.items() if v}
        if path == "/api/v3/ping":
            return self._json({})
        if path == "/api/v3/time":
            return self._json({"serverTime": self.now_ms()})
        if path == "/api/v3/exchangeInfo":
            return self._json(self._exchange_info())
        if path == "/api/v3/ticker/price":
            return self._ticker(query.get("symbol"))
        return self._klines(query)

    def _socket(self, request: RecordedRequest, path: str) -> ResponseDefinition:
        if path == "/stream":
            names = (request.query.get("streams") or [""])[0]
            streams, combined = [n.lower() for n in names.split("/") if n], True
        else:
            streams, combined = [n.lower() for n in path[4:].split("/") if n], False
        if len(streams) > MAX_STREAMS:
            return self._error(400, 2, f"at most {MAX_STREAMS} streams per connection")

        async def handler(socket: PluginSocket) -> None:
            await serve_streams(self, socket, streams, combined)

        return websocket_route(handler)

    # -- request weight ---------------------------------------------------------------------
    def _spend(self, weight: int) -> ResponseDefinition | None:
        window = int(self._clock() // 60)
        if window != self._window:
            self._window, self._used, self._refused = window, 0, 0
        retry = str(60 - int(self._clock() % 60))
        if self._refused >= self._ban_after:
            until = (window + 1) * 60_000
            return self._error(418, -1003, f"Way too much request weight used; IP banned until {until}. Please use WebSocket Streams for live updates to avoid bans.", retry)  # fmt: skip
        if self._used + weight > self._limit:
            self._refused += 1
            return self._error(429, -1003, f"Too much request weight used; current limit is {self._limit} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.", retry)  # fmt: skip
        self._used += weight
        return None

    def _headers(self, *extra: tuple[str, str]) -> tuple[tuple[str, str], ...]:
        return (_JSON, ("X-MBX-USED-WEIGHT-1M", str(self._used)), *extra)

    def _json(self, value: Any, status: int = 200) -> ResponseDefinition:
        body = json.dumps(value, separators=(",", ":")).encode()
        return ResponseDefinition(status=status, headers=self._headers(), body=body)

    def _error(
        self, status: int, code: int, msg: str, retry: str | None = None
    ) -> ResponseDefinition:
        extra = (("Retry-After", retry),) if retry is not None else ()
        body = json.dumps({"code": code, "msg": msg}).encode()
        return ResponseDefinition(status=status, headers=self._headers(*extra), body=body)

    # -- routes -----------------------------------------------------------------------------
    def _exchange_info(self) -> dict[str, Any]:
        symbols = []
        for symbol in self.symbols:
            quote = next((q for q in ("USDT", "BUSD", "USDC", "BTC", "ETH") if symbol.endswith(q) and symbol != q), symbol[-3:])  # fmt: skip
            symbols.append({
                "symbol": symbol, "status": "TRADING", "baseAsset": symbol[: -len(quote)],
                "baseAssetPrecision": 8, "quoteAsset": quote, "quotePrecision": 8,
                "quoteAssetPrecision": 8, "orderTypes": ["LIMIT", "MARKET"],
                "icebergAllowed": True, "ocoAllowed": True, "isSpotTradingAllowed": True,
                "isMarginTradingAllowed": False, "filters": [], "permissions": ["SPOT"],
            })  # fmt: skip
        return {
            "timezone": "UTC",
            "serverTime": self.now_ms(),
            "rateLimits": [
                {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1,
                 "limit": self._limit},
            ],
            "exchangeFilters": [],
            "symbols": symbols,
        }  # fmt: skip

    def _ticker(self, symbol: str | None) -> ResponseDefinition:
        if symbol is not None:
            if symbol.upper() not in self.symbols:
                return self._error(400, -1121, "Invalid symbol.")
            wanted = [symbol.upper()]
        else:
            wanted = list(self.symbols)
        now = self.now_ms()
        prices = []
        for s in wanted:
            series = self.series[(s, "1m")]
            prices.append({"symbol": s, "price": _fmt(series.candle(series.index(now)).close)})
        return self._json(prices[0] if symbol is not None else prices)

    def _klines(self, query: Mapping[str, str]) -> ResponseDefinition:
        symbol = query.get("symbol")
        if not symbol:
            return self._error(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.")  # fmt: skip
        if symbol.upper() not in self.symbols:
            return self._error(400, -1121, "Invalid symbol.")
        interval = query.get("interval")
        if interval not in INTERVALS_MS:
            return self._error(400, -1120, "Invalid interval.")
        try:
            limit = int(query.get("limit", DEFAULT_LIMIT))
            start = int(query["startTime"]) if "startTime" in query else None
            end = int(query["endTime"]) if "endTime" in query else None
        except ValueError:
            return self._error(400, -1100, "Illegal characters found in a parameter.")
        if not 1 <= limit <= MAX_LIMIT:
            limit = min(max(limit, 1), MAX_LIMIT)  # Binance clamps: more than 1000 gives 1000
        series = self.series[(symbol.upper(), interval)]
        last = series.index(min(end, self.now_ms()) if end is not None else self.now_ms())
        if start is not None:  # from the first candle opening at or after startTime, onwards
            first = -(-(start - series.open_time(0)) // series.interval_ms)
            last = min(last, first + limit - 1)
        else:  # the newest ``limit`` candles up to endTime (or now)
            first = last - limit + 1
        rows = [self._row(series.candle(k), series.interval_ms) for k in range(first, last + 1)]
        return self._json(rows)

    @staticmethod
    def _row(c: Candle, interval_ms: int) -> list[Any]:
        quote = c.volume * (c.open + c.close) / 2
        taker = c.volume * 0.5
        return [
            c.open_time, _fmt(c.open), _fmt(c.high), _fmt(c.low), _fmt(c.close), _fmt(c.volume),
            c.open_time + interval_ms - 1, _fmt(quote), c.trades, _fmt(taker),
            _fmt(taker * (c.open + c.close) / 2), "0",
        ]  # fmt: skip

    async def close(self) -> None:
        pass


# -- WebSocket market streams (``/ws/<stream>``, ``/stream?streams=a/b``) -------------------------
MAX_STREAMS = 1024  # per connection, as Binance documents
MAX_INCOMING_PER_SECOND = 5  # more and Binance disconnects
PUSH_EVERY_S = 2.0  # Binance pushes kline updates every 2 seconds


class KlineStreams:
    """One connection's subscriptions and pushes; ``combined`` wraps ``{stream, data}``."""

    def __init__(self, market: Market, streams: list[str], combined: bool) -> None:
        self._market, self._combined = market, combined
        self._streams: dict[str, None] = dict.fromkeys(streams)
        self._window, self._seen = -1, 0

    def _known(self, stream: str) -> bool:
        symbol, _, kind = stream.partition("@kline_")
        return (symbol.upper(), kind) in self._market.series

    def event(self, stream: str) -> str:
        symbol, _, interval = stream.partition("@kline_")
        series = self._market.series[(symbol.upper(), interval)]
        now = self._market.now_ms()
        c = series.candle(series.index(now))
        row = Market._row(c, series.interval_ms)
        data = {"e": "kline", "E": now, "s": symbol.upper(), "k": {
            "t": row[0], "T": row[6], "s": symbol.upper(), "i": interval, "f": 0,
            "L": max(c.trades - 1, 0), "o": row[1], "c": row[4], "h": row[2], "l": row[3],
            "v": row[5], "n": row[8], "x": now >= row[6], "q": row[7], "V": row[9],
            "Q": row[10], "B": "0"}}  # fmt: skip
        body = {"stream": stream, "data": data} if self._combined else data
        return json.dumps(body, separators=(",", ":"))

    def reply(self, text: str) -> tuple[str | None, bool]:
        """(the answer to a client message, whether to disconnect)."""
        second = int(time.monotonic())
        if second != self._window:
            self._window, self._seen = second, 0
        self._seen += 1
        if self._seen > MAX_INCOMING_PER_SECOND:
            return None, True
        try:
            msg = json.loads(text)
        except ValueError:
            return json.dumps({"error": {"code": 3, "msg": "Invalid JSON: expected value at line 1 column 1"}}), False  # fmt: skip
        if not isinstance(msg, dict):
            return json.dumps({"error": {"code": 2, "msg": "Invalid request: request must be an object"}}), False  # fmt: skip
        ident, method, params = msg.get("id"), msg.get("method"), msg.get("params", [])
        if method == "LIST_SUBSCRIPTIONS":
            return json.dumps({"result": list(self._streams), "id": ident}), False
        if method not in ("SUBSCRIBE", "UNSUBSCRIBE") or not isinstance(params, list):
            return json.dumps({"error": {"code": 2, "msg": f"Invalid request: unknown method {method!r} (SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS)"}, "id": ident}), False  # fmt: skip
        names = [p.lower() for p in params if isinstance(p, str)]
        if len(names) != len(params):
            return json.dumps({"error": {"code": 2, "msg": "Invalid request: params must be stream names"}, "id": ident}), False  # fmt: skip
        if method == "SUBSCRIBE":
            if len(set(self._streams) | set(names)) > MAX_STREAMS:
                return json.dumps({"error": {"code": 2, "msg": f"Invalid request: at most {MAX_STREAMS} streams per connection"}, "id": ident}), False  # fmt: skip
            self._streams.update(dict.fromkeys(names))
        else:
            for name in names:
                self._streams.pop(name, None)
        return json.dumps({"result": None, "id": ident}), False

    def pushes(self) -> list[str]:
        return [self.event(s) for s in self._streams if self._known(s)]


async def serve_streams(
    market: Market, socket: PluginSocket, streams: list[str], combined: bool
) -> None:
    conn = KlineStreams(market, streams, combined)

    async def push() -> None:
        while not socket.closed:
            for text in conn.pushes():
                await socket.send(text)
            await asyncio.sleep(PUSH_EVERY_S)

    pusher = asyncio.get_running_loop().create_task(push())
    try:
        async for text in socket.incoming():
            answer, drop = conn.reply(text)
            if drop:
                await socket.close(1008, "Too many messages")
                return
            if answer is not None:
                await socket.send(answer)
    finally:
        pusher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pusher
