"""``kraken_spot``: Kraken's spot market data (an :class:`ExchangePlugin` of another shape than
Binance's: an envelope, pair names in three spellings, seconds, minutes, objects on the stream).

REST (under the service's prefix, as under ``https://api.kraken.com``): ``GET /0/public/Time``,
``/0/public/Assets``, ``/0/public/AssetPairs``, ``/0/public/OHLC`` (``pair``, ``interval`` in
minutes, ``since`` in seconds; up to the newest 720 entries, the last one the running candle,
and ``last``), ``/0/public/Ticker``. Every answer is Kraken's envelope ``{"error": [...],
"result": {...}}``; errors come with 200 as Kraken sends them (``EQuery:Unknown asset pair``,
``EGeneral:Invalid arguments``, ``EGeneral:Too many requests`` past ``weightLimit`` calls per
``weightPeriodMs``).

WebSocket v2 at ``/v2``: a ``status`` message on connect; ``{"method": "subscribe", "params":
{"channel": "ohlc", "symbol": ["BTC/USD"], "interval": 1, "snapshot"?: true}, "req_id"?}``
acknowledged once per symbol, then a ``snapshot`` of the newest candles and ``update`` messages
every second, with ``heartbeat``; ``unsubscribe`` and ``ping`` (``pong``). Past ``wsLimit``
messages a second the connection gets ``Exceeded msg rate`` and is closed (1008).

Symbols are configured as Kraken's v2 names (``BTC/USD``; ``BTCUSD`` is split at a known quote).
The REST pair id follows Kraken's legacy spelling for the old assets (``XXBTZUSD``: X for
crypto, Z for fiat, XBT for BTC) and the altname otherwise (``SOLUSD``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any, ClassVar

from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.exchanges.candles import Candle, Series
from mockbdd.exchanges.market import Limits, Market
from mockbdd.exchanges.plugin import (
    Connection,
    ExchangePlugin,
    RestHandler,
    Subscription,
    WsHandler,
)
from mockbdd.records import record

MINUTES = {"1m": 1, "5m": 5, "15m": 15, "30m": 30, "1h": 60, "4h": 240, "1d": 1440,
           "1w": 10080, "15d": 21600}  # fmt: skip
BY_MINUTES = {m: name for name, m in MINUTES.items()}
MAX_ENTRIES = 720
SNAPSHOT_CANDLES = 10
_LEGACY = {"BTC": "XXBT", "ETH": "XETH", "LTC": "XLTC", "XRP": "XXRP", "XLM": "XXLM",
           "ETC": "XETC", "ZEC": "XZEC", "XMR": "XXMR", "USD": "ZUSD", "EUR": "ZEUR",
           "GBP": "ZGBP", "JPY": "ZJPY", "CAD": "ZCAD"}  # fmt: skip
_QUOTES = ("USDT", "USDC", "USD", "EUR", "GBP", "JPY", "CAD", "BTC", "ETH")
_FIAT = {"USD", "EUR", "GBP", "JPY", "CAD"}


@record
class Pair:
    """One market in Kraken's spellings."""

    symbol: str  # v2: BTC/USD
    base: str  # BTC
    quote: str  # USD
    id: str  # REST key: XXBTZUSD
    altname: str  # XBTUSD
    wsname: str  # v1: XBT/USD

    @classmethod
    def of(cls, symbol: str) -> Pair:
        base, _, quote = symbol.partition("/")
        if not quote:
            quote = next((q for q in _QUOTES if symbol.endswith(q) and symbol != q), symbol[-3:])
            base = symbol[: -len(quote)]
        base, quote = ("BTC" if base == "XBT" else base), ("BTC" if quote == "XBT" else quote)
        alt_base, alt_quote = (
            ("XBT" if base == "BTC" else base),
            ("XBT" if quote == "BTC" else quote),
        )
        legacy = base in _LEGACY and quote in _LEGACY
        pair_id = _LEGACY[base] + _LEGACY[quote] if legacy else alt_base + alt_quote
        return cls(f"{base}/{quote}", base, quote, pair_id, alt_base + alt_quote,
                   f"{alt_base}/{alt_quote}")  # fmt: skip


def _asset_id(code: str) -> str:
    return _LEGACY.get(code, code)


def _rfc3339(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"


def _price(value: float) -> str:
    return f"{value:.1f}" if value >= 1000 else f"{value:.5f}"


def _vwap(c: Candle) -> float:
    return (c.open + c.high + c.low + c.close) / 4


class KrakenSpot(ExchangePlugin):
    name = "kraken_spot"
    title = "Kraken"
    intervals: ClassVar[Mapping[str, int]] = {n: m * 60_000 for n, m in MINUTES.items()}
    ws_paths = ("/v2",)
    push_every_s = 1.0
    # Kraken's public endpoints allow about one call a second
    default_limits: ClassVar[Limits] = Limits(weight_limit=60, weight_period_ms=60_000)

    @property
    def rest_routes(self) -> Mapping[str, RestHandler]:
        return {
            "/0/public/Time": self._time,
            "/0/public/Assets": self._assets,
            "/0/public/AssetPairs": self._asset_pairs,
            "/0/public/OHLC": self._ohlc,
            "/0/public/Ticker": self._ticker,
        }

    @property
    def ws_message_handlers(self) -> Mapping[str, WsHandler]:
        return {"subscribe": self._subscribe, "unsubscribe": self._unsubscribe, "ping": self._ping}

    # -- REST -------------------------------------------------------------------------------------
    def normalize_symbol(self, symbol: str) -> str:
        return Pair.of(symbol.upper()).symbol  # BTCUSD and XBT/USD are BTC/USD

    def ok(self, market: Market, result: Any) -> ResponseDefinition:
        return self.json(market, {"error": [], "result": result})

    def error(self, market: Market, *errors: str) -> ResponseDefinition:
        return self.json(market, {"error": list(errors)})

    def refused(self, market: Market, why: str, retry_after_s: int) -> ResponseDefinition:
        return self.error(market, "EGeneral:Too many requests")

    def _pairs(self, market: Market) -> list[Pair]:
        return [Pair.of(s) for s in market.symbols]

    def _find(self, market: Market, name: str) -> Pair | None:
        wanted = name.upper()
        for pair in self._pairs(market):
            if wanted in (pair.id, pair.altname, pair.wsname, pair.symbol):
                return pair
        return None

    def _time(self, market: Market, request: RecordedRequest) -> Any:
        now = market.now_s()
        stamp = datetime.fromtimestamp(now, timezone.utc)
        rfc1123 = format_datetime(stamp).replace("-0000", "+0000")
        return self.ok(market, {"unixtime": int(now), "rfc1123": rfc1123})

    def _assets(self, market: Market, request: RecordedRequest) -> Any:
        codes = dict.fromkeys(c for p in self._pairs(market) for c in (p.base, p.quote))
        result = {
            _asset_id(code): {
                "aclass": "currency", "altname": "XBT" if code == "BTC" else code,
                "decimals": 4 if code in _FIAT else 10, "display_decimals": 2 if code in _FIAT else 5,
                "status": "enabled",
            }
            for code in codes
        }  # fmt: skip
        return self.ok(market, result)

    def _asset_pairs(self, market: Market, request: RecordedRequest) -> Any:
        wanted = _param(request, "pair")
        pairs = self._pairs(market)
        if wanted is not None:
            found = [self._find(market, name) for name in wanted.split(",")]
            if any(p is None for p in found):
                return self.error(market, "EQuery:Unknown asset pair")
            pairs = [p for p in found if p is not None]
        result = {
            p.id: {
                "altname": p.altname, "wsname": p.wsname, "aclass_base": "currency",
                "base": _asset_id(p.base), "aclass_quote": "currency", "quote": _asset_id(p.quote),
                "lot": "unit", "cost_decimals": 5, "lot_decimals": 8,
                "pair_decimals": 1 if market.symbols[p.symbol] >= 1000 else 5,
                "lot_multiplier": 1, "leverage_buy": [], "leverage_sell": [],
                "fees": [[0, 0.26]], "fees_maker": [[0, 0.16]], "fee_volume_currency": "ZUSD",
                "margin_call": 80, "margin_stop": 40, "ordermin": "0.0001", "costmin": "0.5",
                "tick_size": "0.1", "status": "online",
            }
            for p in pairs
        }  # fmt: skip
        return self.ok(market, result)

    def _series(
        self, market: Market, request: RecordedRequest
    ) -> tuple[Pair, Series] | ResponseDefinition:
        name = _param(request, "pair")
        if not name:
            return self.error(market, "EGeneral:Invalid arguments")
        pair = self._find(market, name)
        if pair is None:
            return self.error(market, "EQuery:Unknown asset pair")
        try:
            minutes = int(_param(request, "interval") or 1)
        except ValueError:
            return self.error(market, "EGeneral:Invalid arguments")
        interval = BY_MINUTES.get(minutes)
        if interval is None:
            return self.error(market, "EGeneral:Invalid arguments")
        return pair, market.series[(pair.symbol, interval)]

    def _ohlc(self, market: Market, request: RecordedRequest) -> Any:
        found = self._series(market, request)
        if isinstance(found, ResponseDefinition):
            return found
        pair, series = found
        try:
            since = int(float(_param(request, "since") or 0))
        except ValueError:
            return self.error(market, "EGeneral:Invalid arguments")
        candles = self.latest(series, market.now_ms(), MAX_ENTRIES)
        rows = [_ohlc_row(c) for c in candles if c.open_time // 1000 >= since]
        if not rows:  # the running candle is always there, whatever ``since`` says
            rows = [_ohlc_row(candles[-1])]
        last = candles[-2].open_time // 1000  # the newest committed candle
        return self.ok(market, {pair.id: rows, "last": last})

    def _ticker(self, market: Market, request: RecordedRequest) -> Any:
        name = _param(request, "pair")
        pairs = self._pairs(market)
        if name is not None:
            found = [self._find(market, n) for n in name.split(",")]
            if any(p is None for p in found):
                return self.error(market, "EQuery:Unknown asset pair")
            pairs = [p for p in found if p is not None]
        now = market.now_ms()
        result = {}
        for p in pairs:
            day = market.series[(p.symbol, "1d")].candle(market.series[(p.symbol, "1d")].index(now))
            minute = market.series[(p.symbol, "1m")]
            last = minute.candle(minute.index(now)).close
            result[p.id] = {
                "a": [_price(last * 1.0001), "1", "1.000"], "b": [_price(last * 0.9999), "1", "1.000"],
                "c": [_price(last), "0.00100000"], "v": [f"{day.volume:.8f}"] * 2,
                "p": [_price(_vwap(day))] * 2, "t": [day.trades] * 2,
                "l": [_price(day.low)] * 2, "h": [_price(day.high)] * 2, "o": _price(day.open),
            }  # fmt: skip
        return self.ok(market, result)

    # -- WebSocket v2 ------------------------------------------------------------------------------
    async def on_open(self, conn: Connection) -> None:
        await conn.send({"channel": "status", "type": "update", "data": [{
            "api_version": "v2", "connection_id": conn.id, "system": "online",
            "version": "2.0.10"}]})  # fmt: skip

    def _ack(self, msg: dict[str, Any], started: float, **fields: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"method": msg.get("method"), **fields,
                               "time_in": _rfc3339(int(started * 1000)),
                               "time_out": _rfc3339(int(time.time() * 1000))}  # fmt: skip
        if "req_id" in msg:
            out["req_id"] = msg["req_id"]
        return out

    async def _subscribe(self, conn: Connection, msg: dict[str, Any]) -> None:
        started = time.time()
        params = msg.get("params")
        checked = self._params(params)
        if isinstance(checked, str):
            await conn.send(self._ack(msg, started, error=checked, success=False))
            return
        symbols, minutes, snapshot = checked
        interval = BY_MINUTES[minutes]
        for symbol in symbols:
            pair = self._find(conn.market, symbol) if isinstance(symbol, str) else None
            if pair is None:
                await conn.send(self._ack(msg, started, error=f"Currency pair not supported {symbol}", success=False, symbol=symbol))  # fmt: skip
                continue
            conn.subscribe(f"ohlc:{pair.symbol}:{minutes}", pair.symbol, interval)
            result = {"channel": "ohlc", "interval": minutes, "snapshot": snapshot,
                      "symbol": pair.symbol, "warnings": []}  # fmt: skip
            await conn.send(self._ack(msg, started, result=result, success=True))
            if snapshot:
                series = conn.market.series[(pair.symbol, interval)]
                candles = self.latest(series, conn.market.now_ms(), SNAPSHOT_CANDLES)
                await conn.send(self._message("snapshot", conn, pair.symbol, minutes, candles))

    async def _unsubscribe(self, conn: Connection, msg: dict[str, Any]) -> None:
        started = time.time()
        checked = self._params(msg.get("params"))
        if isinstance(checked, str):
            await conn.send(self._ack(msg, started, error=checked, success=False))
            return
        symbols, minutes, _ = checked
        for symbol in symbols:
            pair = self._find(conn.market, symbol) if isinstance(symbol, str) else None
            key = f"ohlc:{pair.symbol if pair else symbol}:{minutes}"
            if pair is None or not conn.unsubscribe(key):
                await conn.send(self._ack(msg, started, error="Subscription Not Found", success=False, symbol=symbol))  # fmt: skip
                continue
            result = {"channel": "ohlc", "interval": minutes, "symbol": pair.symbol}
            await conn.send(self._ack(msg, started, result=result, success=True))

    @staticmethod
    def _params(params: Any) -> tuple[list[Any], int, bool] | str:
        if not isinstance(params, dict):
            return "Invalid request: params must be an object"
        if params.get("channel") != "ohlc":
            return f"Channel {params.get('channel')!r} is not served by this mock (ohlc only)"
        symbols = params.get("symbol")
        if not isinstance(symbols, list) or not symbols:
            return "Invalid request: symbol must be a list of currency pairs"
        minutes = params.get("interval", 1)
        if minutes not in BY_MINUTES or isinstance(minutes, bool):
            return f"Invalid interval {minutes!r} (one of {', '.join(map(str, BY_MINUTES))})"
        return symbols, int(minutes), bool(params.get("snapshot", True))

    def _ping(self, conn: Connection, msg: dict[str, Any]) -> Any:
        started = time.time()
        out = self._ack(msg, started)
        out["method"] = "pong"
        return out

    def _message(
        self, kind: str, conn: Connection, symbol: str, minutes: int, candles: list[Candle]
    ) -> dict[str, Any]:
        now = conn.market.now_ms()
        data = [{
            "symbol": symbol, "open": c.open, "high": c.high, "low": c.low, "close": c.close,
            "trades": c.trades, "volume": round(c.volume, 8), "vwap": _vwap(c),
            "interval_begin": _rfc3339(c.open_time), "interval": minutes,
            "timestamp": _rfc3339(c.open_time + minutes * 60_000),
        } for c in candles]  # fmt: skip
        return {"channel": "ohlc", "type": kind, "timestamp": _rfc3339(now), "data": data}

    def candle_message(self, conn: Connection, sub: Subscription, candle: Candle) -> Any:
        minutes = MINUTES[sub.interval]
        return self._message("update", conn, sub.symbol, minutes, [candle])

    def pushes(self, conn: Connection) -> Iterator[Any]:
        yield from super().pushes(conn)
        if conn.subscriptions:
            yield {"channel": "heartbeat"}

    def unknown_message(self, conn: Connection, message: Any) -> Any:
        method = self.message_type(message)
        return {"error": f"Method not found {method!r} (subscribe, unsubscribe, ping)",
                "method": method, "success": False}  # fmt: skip

    def bad_json(self, conn: Connection, text: str) -> Any:
        return {"error": "Malformed request", "success": False}

    async def too_many_messages(self, conn: Connection) -> None:
        await conn.send({"error": "Exceeded msg rate", "success": False})
        await conn.close(1008, "Exceeded msg rate")


def _ohlc_row(c: Candle) -> list[Any]:
    return [c.open_time // 1000, _price(c.open), _price(c.high), _price(c.low), _price(c.close),
            _price(_vwap(c)), f"{c.volume:.8f}", c.trades]  # fmt: skip


def _param(request: RecordedRequest, name: str) -> str | None:
    values = request.query.get(name)
    return values[0] if values else None
