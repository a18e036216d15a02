"""``binance_spot``: Binance's spot market data, as its clients read it (an :class:`ExchangePlugin`).

REST (under the service's prefix): ``GET /api/v3/ping``, ``/api/v3/time``,
``/api/v3/exchangeInfo``, ``/api/v3/klines`` (rows of strings, ``limit`` default 500, max 1000,
``startTime``/``endTime``), ``/api/v3/ticker/price``. Every answer carries
``X-MBX-USED-WEIGHT-1M``; past ``weightLimit`` per minute the answer is 429 with ``Retry-After``
and Binance's -1003 error, and after ``banAfter`` 429s in a minute, 418 (banned until the minute
is over), as Binance answers clients that keep polling.

WebSocket market streams: ``/ws[/<stream>...]`` and ``/stream?streams=a/b`` (each event wrapped
as ``{"stream", "data"}``) push ``kline`` events (``<symbol>@kline_<interval>``, Binance's field
names, every 2 s) from the same seeded candles as ``/api/v3/klines``: the running candle with
``"x": false``, and once its interval is over the final one with ``"x": true``;
``SUBSCRIBE``/``UNSUBSCRIBE``/``LIST_SUBSCRIPTIONS`` answer as Binance does (``{"result":
null, "id": 1}``, ``{"error": {"code": 2, ...}, "id"}``); at most 1024 streams per connection; more
than ``wsLimit`` (5) incoming messages a second closes the connection with 1008, and past
``connectionLimit`` (300) connection attempts per 5 minutes from one IP the upgrade is refused
with 429 and ``Retry-After``. Binance documents these limits but not the refusal's body: it
reads like its REST 429 (code -1003).

Config: the common keys (``tradingPairs``, ``seed``, ``timeScale``, ``weightLimit``,
``banAfter``, ``wsLimit``, ``wsBurst``, ``connectionLimit``, ``connectionPeriodMs``).
``timeScale`` 60 makes a minute of candles pass every second.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Mapping
from typing import Any, ClassVar

from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.exchanges.candles import INTERVALS_MS, Candle, Series
from mockbdd.exchanges.market import Limits, Market
from mockbdd.exchanges.plugin import (
    Connection,
    ExchangePlugin,
    RestHandler,
    Subscription,
    WsHandler,
)

DEFAULT_LIMIT, MAX_LIMIT = 500, 1000
MAX_STREAMS = 1024  # per connection, as Binance documents
WEIGHTS = {"/api/v3/ping": 1, "/api/v3/time": 1, "/api/v3/exchangeInfo": 20,
           "/api/v3/klines": 2, "/api/v3/ticker/price": 2}  # fmt: skip
MAX_TRADES = 2000  # per candle (candles.py): trade ids f..L are numbered from the candle's index
_JSON = ("Content-Type", "application/json;charset=UTF-8")
_TEXT = (("Content-Type", "text/plain; charset=utf-8"),)
_QUOTES = ("USDT", "BUSD", "USDC", "BTC", "ETH")


def _fmt(value: float) -> str:
    return f"{value:.8f}"


def kline_row(c: Candle, interval_ms: int) -> list[Any]:
    """A candle as ``/api/v3/klines`` lists it: 12 fields, prices and volumes as strings."""
    quote = c.volume * (c.open + c.close) / 2
    taker = c.volume * 0.5
    return [
        c.open_time, _fmt(c.open), _fmt(c.high), _fmt(c.low), _fmt(c.close), _fmt(c.volume),
        c.open_time + interval_ms - 1, _fmt(quote), c.trades, _fmt(taker),
        _fmt(taker * (c.open + c.close) / 2), "0",
    ]  # fmt: skip


def _error(ident: Any, code: int, msg: str) -> dict[str, Any]:
    return {"error": {"code": code, "msg": msg}, "id": ident}


class KlineBodies:
    """``/api/v3/klines`` bodies from each row's JSON made once per candle (a candle never
    changes), and the last window asked for per series kept whole: clients poll the same one.
    Keyed weakly by series, so an unmounted market takes its rows with it."""

    MAX_ROWS = 100_000  # per series

    def __init__(self) -> None:
        self._rows: weakref.WeakKeyDictionary[Series, dict[int, bytes]] = (
            weakref.WeakKeyDictionary()
        )
        self._last: weakref.WeakKeyDictionary[Series, tuple[int, int, bytes]] = (
            weakref.WeakKeyDictionary()
        )

    def body(self, series: Series, first: int, last: int) -> bytes:
        kept = self._last.get(series)
        if kept is not None and kept[0] == first and kept[1] == last:
            return kept[2]
        rows = self._rows.get(series)
        if rows is None or len(rows) > self.MAX_ROWS:
            rows = self._rows[series] = {}
        parts = []
        for k in range(first, last + 1):
            text = rows.get(k)
            if text is None:
                row = kline_row(series.candle(k), series.interval_ms)
                text = rows[k] = json.dumps(row, separators=(",", ":")).encode()
            parts.append(text)
        body = b"[" + b",".join(parts) + b"]"
        self._last[series] = (first, last, body)
        return body


class BinanceSpot(ExchangePlugin):
    name = "binance_spot"
    title = "Binance"
    intervals = INTERVALS_MS
    ws_paths = ("/ws", "/stream")
    default_limits: ClassVar[Limits] = Limits(weight_limit=6000, weight_period_ms=60_000)

    def __init__(self) -> None:
        self._bodies = KlineBodies()

    @property
    def rest_routes(self) -> Mapping[str, RestHandler]:
        return {
            "/api/v3/ping": lambda market, request: {},
            "/api/v3/time": lambda market, request: {"serverTime": market.now_ms()},
            "/api/v3/exchangeInfo": self._exchange_info,
            "/api/v3/ticker/price": self._ticker,
            "/api/v3/klines": self._klines,
        }

    @property
    def ws_message_handlers(self) -> Mapping[str, WsHandler]:
        return {
            "SUBSCRIBE": self._subscribe,
            "UNSUBSCRIBE": self._unsubscribe,
            "LIST_SUBSCRIPTIONS": lambda conn, msg: {
                "result": list(conn.subscriptions),
                "id": msg.get("id"),
            },
        }

    # -- REST ---------------------------------------------------------------------------------
    def normalize_symbol(self, symbol: str) -> str:
        return symbol.replace("/", "").replace("-", "").upper()  # BTC/USDT is BTCUSDT

    def weight(self, path: str, request: RecordedRequest) -> int:
        return WEIGHTS.get(path, 1)

    def headers(self, market: Market) -> tuple[tuple[str, str], ...]:
        return (_JSON, ("X-MBX-USED-WEIGHT-1M", str(market.used)))

    def error(
        self, market: Market, status: int, code: int, msg: str, *extra: tuple[str, str]
    ) -> ResponseDefinition:
        return self.json(market, {"code": code, "msg": msg}, status, *extra)

    def refused(self, market: Market, why: str, retry_after_s: int) -> ResponseDefinition:
        retry = ("Retry-After", str(retry_after_s))
        limit = market.limits.weight_limit
        if why == "banned":
            until = market.window_end_ms()
            return self.error(market, 418, -1003, f"Way too much request weight used; IP banned until {until}. Please use WebSocket Streams for live updates to avoid bans.", retry)  # fmt: skip
        return self.error(market, 429, -1003, f"Too much request weight used; current limit is {limit} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.", retry)  # fmt: skip

    def connections_refused(self, market: Market, retry_after_s: int) -> ResponseDefinition:
        limits = market.limits
        per = limits.connection_period_ms // 1000
        return self.error(market, 429, -1003, f"Too many new connections; current limit is {limits.connection_limit} connections per {per} seconds from one IP.", ("Retry-After", str(retry_after_s)))  # fmt: skip

    def _exchange_info(self, market: Market, request: RecordedRequest) -> Any:
        symbols = []
        for symbol in market.symbols:
            quote = next((q for q in _QUOTES if symbol.endswith(q) and symbol != q), symbol[-3:])
            symbols.append({
                "symbol": symbol, "status": "TRADING", "baseAsset": symbol[: -len(quote)],
                "baseAssetPrecision": 8, "quoteAsset": quote, "quotePrecision": 8,
                "quoteAssetPrecision": 8, "orderTypes": ["LIMIT", "MARKET"],
                "icebergAllowed": True, "ocoAllowed": True, "isSpotTradingAllowed": True,
                "isMarginTradingAllowed": False, "filters": [], "permissions": ["SPOT"],
            })  # fmt: skip
        return {
            "timezone": "UTC",
            "serverTime": market.now_ms(),
            "rateLimits": [
                {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1,
                 "limit": market.limits.weight_limit},
            ],
            "exchangeFilters": [],
            "symbols": symbols,
        }  # fmt: skip

    def _ticker(self, market: Market, request: RecordedRequest) -> Any:
        symbol = _param(request, "symbol")
        if symbol is not None:
            if symbol.upper() not in market.symbols:
                return self.error(market, 400, -1121, "Invalid symbol.")
            wanted = [symbol.upper()]
        else:
            wanted = list(market.symbols)
        now = market.now_ms()
        prices = []
        for s in wanted:
            series = market.series[(s, "1m")]
            prices.append({"symbol": s, "price": _fmt(series.candle(series.index(now)).close)})
        return prices[0] if symbol is not None else prices

    def _klines(self, market: Market, request: RecordedRequest) -> Any:
        query = {k: v[0] for k, v in request.query.items() if v}
        symbol = query.get("symbol")
        if not symbol:
            return self.error(market, 400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.")  # fmt: skip
        if symbol.upper() not in market.symbols:
            return self.error(market, 400, -1121, "Invalid symbol.")
        interval = query.get("interval")
        if interval not in INTERVALS_MS:
            return self.error(market, 400, -1120, "Invalid interval.")
        try:
            limit = int(query.get("limit", DEFAULT_LIMIT))
            start = int(query["startTime"]) if "startTime" in query else None
            end = int(query["endTime"]) if "endTime" in query else None
        except ValueError:
            return self.error(market, 400, -1100, "Illegal characters found in a parameter.")
        limit = min(max(limit, 1), MAX_LIMIT)  # Binance clamps: more than 1000 gives 1000
        series = market.series[(symbol.upper(), interval)]
        now = market.now_ms()
        last = series.index(min(end, now) if end is not None else now)
        if start is not None:  # from the first candle opening at or after startTime, onwards
            first = -(-(start - series.open_time(0)) // series.interval_ms)
            last = min(last, first + limit - 1)
        else:  # the newest ``limit`` candles up to endTime (or now)
            first = last - limit + 1
        body = self._bodies.body(series, first, last)
        return ResponseDefinition(status=200, headers=self.headers(market), body=body)

    # -- WebSocket ----------------------------------------------------------------------------
    def open_streams(self, conn: Connection, request: RecordedRequest) -> ResponseDefinition | None:
        if conn.path == "/stream":
            names = _param(request, "streams") or ""
            streams, combined = [n.lower() for n in names.split("/") if n], True
        elif conn.path.startswith("/stream/"):
            text = "mockbdd: binance_spot streams are at /ws/<stream> and /stream?streams=<a>/<b>\n"
            return ResponseDefinition(status=404, headers=_TEXT, body=text.encode())
        else:
            streams, combined = [n.lower() for n in conn.path[4:].split("/") if n], False
        if len(streams) > MAX_STREAMS:
            return self.error(conn.market, 400, 2, f"at most {MAX_STREAMS} streams per connection")
        conn.state["combined"] = combined
        for name in streams:
            self._follow(conn, name)
        return None

    def _follow(self, conn: Connection, name: str) -> None:
        symbol, _, interval = name.partition("@kline_")
        conn.subscribe(name, symbol.upper(), interval)  # unknown ones are listed, never pushed

    def _subscribe(self, conn: Connection, msg: dict[str, Any]) -> Any:
        names = _stream_names(msg)
        if isinstance(names, dict):
            return names
        if len(set(conn.subscriptions) | set(names)) > MAX_STREAMS:
            return _error(msg.get("id"), 2, f"Invalid request: at most {MAX_STREAMS} streams per connection")  # fmt: skip
        for name in names:
            self._follow(conn, name)
        return {"result": None, "id": msg.get("id")}

    def _unsubscribe(self, conn: Connection, msg: dict[str, Any]) -> Any:
        names = _stream_names(msg)
        if isinstance(names, dict):
            return names
        for name in names:
            conn.unsubscribe(name)
        return {"result": None, "id": msg.get("id")}

    def unknown_message(self, conn: Connection, message: Any) -> Any:
        if not isinstance(message, dict):
            return {"error": {"code": 2, "msg": "Invalid request: request must be an object"}}
        method = message.get("method")
        return _error(message.get("id"), 2, f"Invalid request: unknown method {method!r} (SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS)")  # fmt: skip

    def bad_json(self, conn: Connection, text: str) -> Any:
        return {"error": {"code": 3, "msg": "Invalid JSON: expected value at line 1 column 1"}}

    def candle_message(self, conn: Connection, sub: Subscription, candle: Candle) -> Any:
        return self._kline(conn, sub, candle, closed=False)

    def closed_candle_message(self, conn: Connection, sub: Subscription, candle: Candle) -> Any:
        return self._kline(conn, sub, candle, closed=True)

    def _kline(self, conn: Connection, sub: Subscription, candle: Candle, closed: bool) -> Any:
        market = conn.market
        series = market.series[(sub.symbol, sub.interval)]
        now = market.now_ms()
        row = kline_row(candle, series.interval_ms)
        first_trade = candle.open_time // series.interval_ms * MAX_TRADES
        data = {"e": "kline", "E": now, "s": sub.symbol, "k": {
            "t": row[0], "T": row[6], "s": sub.symbol, "i": sub.interval, "f": first_trade,
            "L": first_trade + candle.trades - 1, "o": row[1], "c": row[4], "h": row[2],
            "l": row[3], "v": row[5], "n": row[8], "x": closed, "q": row[7],
            "V": row[9], "Q": row[10], "B": "0"}}  # fmt: skip
        return {"stream": sub.key, "data": data} if conn.state.get("combined") else data


def _param(request: RecordedRequest, name: str) -> str | None:
    values = request.query.get(name)
    return values[0] if values else None


def _stream_names(msg: dict[str, Any]) -> list[str] | dict[str, Any]:
    params = msg.get("params", [])
    if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
        return _error(msg.get("id"), 2, "Invalid request: params must be a list of stream names")
    return [p.lower() for p in params]
