"""The ``kraken_spot`` service plugin over real sockets: ccxt's ``kraken`` exchange (pointed at
the mount) loads the markets and fetches OHLCV, tickers and the time; the raw REST envelope and
its errors; the WebSocket v2 ``ohlc`` channel through a real WebSocket client (``websockets``)."""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from mockbdd.server.embedded import MockServer

PAIRS = [
    {"symbol": "BTC/USD", "interval": "1m", "initialPrice": 50000.0},
    {"symbol": "ETHUSDT", "interval": "5m", "initialPrice": 3000.0},
]


@pytest.fixture
def kraken() -> Iterator[str]:
    with MockServer() as server:
        mounted = httpx.post(
            server.url + "/__admin/plugins/kraken_spot/mount",
            json={"service": "kraken", "config": {"tradingPairs": PAIRS, "seed": 7}},
        )
        assert mounted.status_code == 201, mounted.text
        yield server.url + "/kraken"


def _ccxt(base: str) -> Any:
    import ccxt

    exchange = ccxt.kraken({"enableRateLimit": False, "timeout": 10_000})
    exchange.urls["api"] = {"public": base, "private": base}
    return exchange


def test_ccxt_kraken_loads_markets_and_fetches_ohlcv(kraken: str) -> None:
    exchange = _ccxt(kraken)
    markets = exchange.load_markets()
    assert {"BTC/USD", "ETH/USDT"} <= set(markets)
    assert markets["BTC/USD"]["id"] == "XXBTZUSD"
    candles = exchange.fetch_ohlcv("BTC/USD", "1m")
    assert len(candles) == 720  # Kraken's most
    for ts, open_, high, low, close, volume in candles:
        assert high >= max(open_, close)
        assert low <= min(open_, close)
        assert volume > 0
        assert ts % 60_000 == 0
    for before, after in itertools.pairwise(candles):
        assert after[0] - before[0] == 60_000
    since = candles[-5][0]
    recent = exchange.fetch_ohlcv("BTC/USD", "1m", since=since)
    assert recent[0][0] == since
    assert recent[0][1:5] == candles[-5][1:5]
    hourly = exchange.fetch_ohlcv("ETH/USDT", "1h", limit=10)
    assert len(hourly) == 10
    assert hourly[-1][0] - hourly[-2][0] == 3_600_000
    ticker = exchange.fetch_ticker("BTC/USD")
    assert ticker["last"] > 0
    assert ticker["bid"] < ticker["ask"]
    assert abs(exchange.fetch_time() - candles[-1][0]) < 120_000


def test_the_envelope_and_krakens_errors(kraken: str) -> None:
    time_ = httpx.get(kraken + "/0/public/Time").json()
    assert time_["error"] == []
    assert set(time_["result"]) == {"unixtime", "rfc1123"}
    unknown = httpx.get(kraken + "/0/public/OHLC", params={"pair": "DOGEUSD"})
    assert (unknown.status_code, unknown.json()) == (200, {"error": ["EQuery:Unknown asset pair"]})
    bad = httpx.get(kraken + "/0/public/OHLC", params={"pair": "XBTUSD", "interval": 7})
    assert bad.json() == {"error": ["EGeneral:Invalid arguments"]}
    ohlc = httpx.get(kraken + "/0/public/OHLC", params={"pair": "XBT/USD", "interval": 5}).json()
    rows = ohlc["result"]["XXBTZUSD"]
    assert ohlc["result"]["last"] == rows[-2][0]  # the newest committed candle
    assert len(rows[0]) == 8
    assert isinstance(rows[0][0], int)
    assert isinstance(rows[0][1], str)
    import ccxt

    exchange = _ccxt(kraken)
    with pytest.raises(ccxt.BadSymbol):
        exchange.fetch_ohlcv("DOGE/USD", "1m")


def test_too_many_requests_reads_as_kraken_says_it() -> None:
    import ccxt

    with MockServer() as server:
        config = {"tradingPairs": PAIRS, "weightLimit": 2, "weightPeriodMs": 3_600_000}
        httpx.post(server.url + "/__admin/plugins/kraken_spot/mount", json={"service": "k", "config": config})  # fmt: skip
        answers = [httpx.get(server.url + "/k/0/public/Time").json() for _ in range(3)]
        assert answers[2] == {"error": ["EGeneral:Too many requests"]}
        with pytest.raises(ccxt.DDoSProtection):
            _ccxt(server.url + "/k").fetch_time()


def test_websocket_v2_ohlc_subscription(kraken: str) -> None:
    ws_url = kraken.replace("http", "ws", 1) + "/v2"
    with connect(ws_url, open_timeout=10) as ws:
        status = json.loads(ws.recv(timeout=10))
        assert status["channel"] == "status"
        assert status["data"][0]["api_version"] == "v2"
        ws.send(json.dumps({"method": "ping", "req_id": 1}))
        assert json.loads(ws.recv(timeout=10))["method"] == "pong"
        ws.send(json.dumps({"method": "subscribe", "req_id": 2, "params": {
            "channel": "ohlc", "symbol": ["BTC/USD", "DOGE/USD"], "interval": 5}}))  # fmt: skip
        ack = json.loads(ws.recv(timeout=10))
        assert ack["success"] is True
        assert ack["result"] == {"channel": "ohlc", "interval": 5, "snapshot": True,
                                 "symbol": "BTC/USD", "warnings": []}  # fmt: skip
        snapshot = json.loads(ws.recv(timeout=10))
        assert (snapshot["channel"], snapshot["type"]) == ("ohlc", "snapshot")
        refused = json.loads(ws.recv(timeout=10))
        assert refused["success"] is False
        assert refused["error"] == "Currency pair not supported DOGE/USD"
        update = next(m for m in _messages(ws) if m.get("type") == "update")
        candle = update["data"][0]
        assert set(candle) == {"symbol", "open", "high", "low", "close", "trades", "volume",
                               "vwap", "interval_begin", "interval", "timestamp"}  # fmt: skip
        assert candle["interval"] == 5
        assert candle["interval_begin"] >= snapshot["data"][-1]["interval_begin"]  # RFC 3339
        ws.send(json.dumps({"method": "unsubscribe", "req_id": 3, "params": {
            "channel": "ohlc", "symbol": ["BTC/USD"], "interval": 5}}))  # fmt: skip
        done = next(m for m in _messages(ws) if m.get("method") == "unsubscribe")
        assert done["success"] is True
    begin = candle["interval_begin"][:19] + "+00:00"
    since = int(datetime.fromisoformat(begin).timestamp())
    query = {"pair": "XBTUSD", "interval": 5, "since": since}
    rest = httpx.get(kraken + "/0/public/OHLC", params=query).json()
    last = rest["result"]["XXBTZUSD"][0]
    assert last[0] == since
    assert [float(v) for v in last[1:4]] == pytest.approx(
        [candle["open"], candle["high"], candle["low"]], rel=1e-4
    )


def _messages(ws: Any) -> Iterator[dict[str, Any]]:
    for _ in range(50):
        yield json.loads(ws.recv(timeout=10))


def test_past_the_message_rate_kraken_says_so_and_closes(kraken: str) -> None:
    with connect(kraken.replace("http", "ws", 1) + "/v2", open_timeout=10) as ws:
        ws.recv(timeout=10)  # status
        with contextlib.suppress(ConnectionClosed):  # closed before the last ones went, maybe
            for i in range(8):  # wsLimit 5 a second by default
                ws.send(json.dumps({"method": "ping", "req_id": i}))
        got, closed = _until_closed(ws)
    assert got[-1] == {"error": "Exceeded msg rate", "success": False}
    assert closed.rcvd is not None
    assert closed.rcvd.code == 1008


def _until_closed(ws: Any) -> tuple[list[Any], Any]:
    got: list[Any] = []
    try:
        while True:
            got.append(json.loads(ws.recv(timeout=10)))
    except ConnectionClosed as closed:
        return got, closed
