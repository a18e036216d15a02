"""``binance_spot``: Binance's spot REST market data, as its clients read it.

Routes (under the service's prefix): ``GET /api/v3/ping``, ``/api/v3/time``,
``/api/v3/exchangeInfo``, ``/api/v3/klines`` (rows of strings, ``limit`` default 500, max 1000,
``startTime``/``endTime``), ``/api/v3/ticker/price``. Every answer carries
``X-MBX-USED-WEIGHT-1M``; past ``weightLimit`` per minute the answer is 429 with
``Retry-After`` and Binance's -1003 error, and after ``banAfter`` 429s in a minute, 418 (banned
until the minute is over), as Binance answers clients that keep polling.

Config: ``{"tradingPairs": [{"symbol", "interval", "initialPrice"}], "seed"?, "timeScale"?,
"weightLimit"?, "banAfter"?}``. ``timeScale`` 60 makes a minute of candles pass every second.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from typing import Any

from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ResponseDefinition
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
