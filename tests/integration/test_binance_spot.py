"""The ``binance_spot`` service plugin over real HTTP: Binance's REST market-data shapes,
seeded random-walk candles with the OHLC invariants, limits as Binance applies them, request
weight with 429 then 418, and a config refused with the reason."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockbdd.server.embedded import MockServer

PAIRS = [{"symbol": "BTCUSDT", "interval": "1m", "initialPrice": 50000.0}]


@pytest.fixture
def market() -> Iterator[httpx.Client]:
    with MockServer() as server, httpx.Client(base_url=server.url, timeout=10) as http:
        mounted = http.post(
            "/__admin/plugins/binance_spot/mount",
            json={"service": "market", "config": {"tradingPairs": PAIRS, "seed": 7}},
        )
        assert mounted.status_code == 201, mounted.text
        yield http


def klines(http: httpx.Client, **params: Any) -> list[list[Any]]:
    answer = http.get("/market/api/v3/klines", params={"symbol": "BTCUSDT", **params})
    assert answer.status_code == 200, answer.text
    rows: list[list[Any]] = answer.json()
    return rows


def test_ping_time_and_exchange_info(market: httpx.Client) -> None:
    assert market.get("/market/api/v3/ping").json() == {}
    assert market.get("/market/api/v3/time").json()["serverTime"] > 1_600_000_000_000
    info = market.get("/market/api/v3/exchangeInfo").json()
    (symbol,) = info["symbols"]
    assert (symbol["symbol"], symbol["baseAsset"], symbol["quoteAsset"]) == (
        "BTCUSDT",
        "BTC",
        "USDT",
    )
    assert info["rateLimits"][0]["rateLimitType"] == "REQUEST_WEIGHT"


def test_klines_are_rows_of_strings_with_the_ohlc_invariants(market: httpx.Client) -> None:
    rows = klines(market, interval="1m")
    assert len(rows) == 500  # Binance's default limit
    for row in rows:
        assert len(row) == 12
        open_, high, low, close, volume = (float(v) for v in row[1:6])
        assert all(isinstance(v, str) for v in row[1:6])
        assert high >= max(open_, close)
        assert low <= min(open_, close)
        assert volume > 0
        assert row[6] == row[0] + 59_999  # close time
    for before, after in itertools.pairwise(rows):
        assert after[1] == before[4]  # each candle opens at the previous close
        assert after[0] - before[0] == 60_000
    assert len(klines(market, interval="1m", limit=5000)) == 1000  # clamped to the maximum


def test_the_same_seed_gives_the_same_candles_for_the_same_window(market: httpx.Client) -> None:
    rows = klines(market, interval="5m", limit=20)
    start = rows[0][0]
    again = klines(market, interval="5m", startTime=start, limit=20)
    assert again[: len(rows)] == rows[: len(again)]
    with MockServer() as other, httpx.Client(base_url=other.url, timeout=10) as http:
        http.post(
            "/__admin/plugins/binance_spot/mount",
            json={"service": "market", "config": {"tradingPairs": PAIRS, "seed": 7}},
        ).raise_for_status()
        theirs = klines(http, interval="5m", startTime=start, limit=3)
    assert [r[4] for r in theirs] == [r[4] for r in again[:3]]


def test_bad_parameters_get_binance_errors(market: httpx.Client) -> None:
    bad_symbol = market.get("/market/api/v3/klines", params={"symbol": "NOPE", "interval": "1m"})
    assert (bad_symbol.status_code, bad_symbol.json()["code"]) == (400, -1121)
    bad_interval = market.get(
        "/market/api/v3/klines", params={"symbol": "BTCUSDT", "interval": "7m"}
    )
    assert bad_interval.json() == {"code": -1120, "msg": "Invalid interval."}
    price = market.get("/market/api/v3/ticker/price", params={"symbol": "BTCUSDT"}).json()
    assert price["symbol"] == "BTCUSDT"
    assert float(price["price"]) > 0
    assert market.get("/market/other").status_code == 404  # not the plugin's: the stubs' 404


def test_request_weight_runs_out_with_429_then_418() -> None:
    with MockServer() as server, httpx.Client(base_url=server.url, timeout=10) as http:
        config = {
            "tradingPairs": PAIRS,
            "weightLimit": 4,
            "banAfter": 2,
            "weightPeriodMs": 3_600_000,
        }
        http.post("/__admin/plugins/binance_spot/mount", json={"service": "m", "config": config})
        first = http.get("/m/api/v3/klines", params={"symbol": "BTCUSDT", "interval": "1m"})
        assert first.headers["X-MBX-USED-WEIGHT-1M"] == "2"
        statuses = [http.get("/m/api/v3/ping").status_code for _ in range(6)]
    assert statuses[:2] == [200, 200]
    assert 429 in statuses
    assert statuses[-1] == 418


def test_a_config_it_cannot_serve_is_refused_with_the_reason(http: httpx.Client) -> None:
    bad = {"tradingPairs": [{"symbol": "BTCUSDT", "interval": "2m"}]}
    answer = http.post("/__admin/plugins/binance_spot/mount", json={"service": "m", "config": bad})
    assert answer.status_code == 422
    assert (
        "tradingPairs[0].interval '2m' is not a Binance interval"
        in answer.json()["errors"][0]["title"]
    )


def test_python_binance_reads_the_mock(market: httpx.Client) -> None:
    """The python-binance client (Binance's most used Python client) pointed at the mount."""
    from binance.client import Client

    # the sync client takes the thread's event loop, making one if there is none: give it one
    # this test closes, so no loop outlives the test
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        client = Client(ping=False)
        client.API_URL = str(market.base_url).rstrip("/") + "/market/api"
        client.ping()
        assert client.get_server_time()["serverTime"] > 0
        rows = client.get_klines(symbol="BTCUSDT", interval=Client.KLINE_INTERVAL_1MINUTE, limit=10)
        assert len(rows) == 10
        assert float(rows[-1][4]) > 0
        info = client.get_symbol_info("BTCUSDT")
        assert info is not None
        assert info["quoteAsset"] == "USDT"
        assert float(client.get_symbol_ticker(symbol="BTCUSDT")["price"]) > 0
        client.close_connection()
    finally:
        asyncio.set_event_loop(None)
        loop.close()
