"""Seed 002's Python API (``mockbdd.exchanges``): ``MockedCandleFeedServer`` sync and async,
``set_network_conditions`` and ``set_rate_limits`` changing the running server through the
admin API, and a third exchange written as an ``ExchangePlugin`` in a few lines."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from typing import Any

import aiohttp
import httpx
import pytest

from mockbdd.client import AdminError
from mockbdd.domain.requests import RecordedRequest
from mockbdd.exchanges import (
    Connection,
    ExchangePlugin,
    ExchangeType,
    Market,
    MockedCandleFeedServer,
    Subscription,
)
from mockbdd.exchanges.candles import Candle

PAIRS = [("BTCUSDT", "1m", 50000.0)]


def klines(feed: MockedCandleFeedServer, **params: Any) -> httpx.Response:
    query = {"symbol": "BTCUSDT", "interval": "1m", **params}
    return httpx.get(feed.url + "/api/v3/klines", params=query, timeout=10)


def test_sync_feed_serves_binance_rest_and_streams_from_the_same_candles() -> None:
    with MockedCandleFeedServer(ExchangeType.BINANCE_SPOT, trading_pairs=PAIRS, seed=7) as feed:
        rows = klines(feed, limit=2).json()
        assert len(rows) == 2
        assert rows[1][1] == rows[0][4]  # opens at the previous close

        async def first_event() -> dict[str, Any]:
            async with (
                aiohttp.ClientSession() as s,
                s.ws_connect(feed.ws_url + "/btcusdt@kline_1m") as ws,
            ):
                return json.loads(await ws.receive_str(timeout=10))

        event = asyncio.run(first_event())
        (row,) = klines(feed, startTime=event["k"]["t"], limit=1).json()  # a minute may turn
        assert (event["k"]["t"], event["k"]["o"]) == (row[0], row[1])
        assert feed.ws_url.startswith("ws://127.0.0.1:")
    with pytest.raises(RuntimeError, match="not started"):
        _ = feed.url


async def test_async_feed_with_start_and_stop() -> None:
    feed = MockedCandleFeedServer(ExchangeType.BINANCE_SPOT, seed=3)
    url = await feed.start(trading_pairs=[("ETHUSDT", "5m", 3000.0)])
    try:
        query = {"symbol": "ETHUSDT"}
        async with (
            aiohttp.ClientSession() as s,
            s.get(url + "/api/v3/ticker/price", params=query) as r,
        ):
            assert r.status == 200
            assert float((await r.json())["price"]) > 0
    finally:
        await feed.stop()
    async with MockedCandleFeedServer("kraken_spot", trading_pairs=PAIRS) as kraken:
        async with aiohttp.ClientSession() as s, s.get(kraken.url + "/0/public/Time") as r:
            assert (await r.json())["error"] == []
        assert kraken.ws_url.endswith("/market/v2")


def test_network_conditions_change_the_running_server() -> None:
    with MockedCandleFeedServer(trading_pairs=PAIRS, seed=7) as feed:
        feed.set_network_conditions(latency_ms=300)
        assert feed.admin.settings()["network"]["latencyMs"] == 300
        started = time.perf_counter()
        assert klines(feed, limit=1).status_code == 200
        assert time.perf_counter() - started >= 0.2  # the latency, give or take
        feed.set_network_conditions(error_rate=1.0)
        assert klines(feed, limit=1).status_code == 500
        feed.set_network_conditions()  # all zero: back to normal
        assert "network" not in feed.admin.settings()
        assert klines(feed, limit=1).status_code == 200


def test_rate_limits_change_the_running_mount_and_keep_its_candles() -> None:
    config = {"weightPeriodMs": 3_600_000}  # no new window between the requests
    with MockedCandleFeedServer(trading_pairs=PAIRS, seed=7, time_scale=600, config=config) as feed:
        before = klines(feed, limit=3).json()
        feed.set_rate_limits(rest_limit=3, ban_after=5)  # 2 used already
        info = httpx.get(feed.url + "/api/v3/exchangeInfo").json()  # weight 20: over the limit
        assert info["code"] == -1003
        refused = klines(feed, limit=1)
        assert refused.status_code == 429
        assert refused.headers["Retry-After"].isdigit()
        feed.set_rate_limits(rest_limit=1000)
        after = klines(feed, startTime=before[0][0], limit=3).json()
        assert after[0] == before[0]  # the same clock and candles: reconfigured in place
        mounts = feed.admin.plugins()["mounts"]
        assert mounts[0]["config"]["weightLimit"] == 1000


def test_a_running_mount_refuses_a_change_it_cannot_take_in_place() -> None:
    with MockedCandleFeedServer(trading_pairs=PAIRS, seed=7) as feed:
        before = klines(feed, limit=3).json()
        pairs = [{"symbol": "ETHUSDT", "interval": "1m", "initialPrice": 3000.0}]
        with pytest.raises(AdminError) as refused:
            feed.admin.configure_mount(feed.service, {"tradingPairs": pairs, "wsLimit": 2})
        assert refused.value.status == 422
        message = str(refused.value)
        assert "'tradingPairs' does not change on a running mount" in message
        assert "weightLimit" in message  # what does
        mount = feed.admin.plugins()["mounts"][0]  # nothing half-applied: the limit neither
        assert "wsLimit" not in mount["config"]
        assert [p["symbol"] for p in mount["config"]["tradingPairs"]] == ["BTCUSDT"]
        assert klines(feed, startTime=before[0][0], limit=3).json() == before


def test_ws_message_limits_change_the_running_mount() -> None:
    with MockedCandleFeedServer(trading_pairs=PAIRS, seed=7) as feed:
        feed.set_rate_limits(ws_limit=1, ws_burst=2)

        async def flood() -> aiohttp.WSMessage:
            async with aiohttp.ClientSession() as s, s.ws_connect(feed.ws_url) as ws:
                for i in range(3):
                    await ws.send_str(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": i}))
                while True:
                    msg = await ws.receive(timeout=10)
                    if msg.type != aiohttp.WSMsgType.TEXT:
                        return msg

        closing = asyncio.run(flood())
        assert (closing.type, closing.data) == (aiohttp.WSMsgType.CLOSE, 1008)


def test_an_unknown_exchange_is_refused_naming_the_installed_ones() -> None:
    with pytest.raises(
        AdminError, match="registered service plugins \\(binance_spot, kraken_spot\\)"
    ):
        MockedCandleFeedServer("nasdaq").start_sync()


class ToyExchange(ExchangePlugin):
    """A third exchange in a few lines: its REST route, its subscribe message, its pushes."""

    name = "toy"
    intervals = {"1m": 60_000}
    push_every_s = 0.05

    @property
    def rest_routes(self) -> Mapping[str, Any]:
        return {"/candles": self.candles}

    def candles(self, market: Market, request: RecordedRequest) -> Any:
        series = market.series[(request.query["market"][0], "1m")]
        return [
            {"t": c.open_time, "close": c.close} for c in self.latest(series, market.now_ms(), 3)
        ]

    @property
    def ws_message_handlers(self) -> Mapping[str, Any]:
        return {"sub": self.sub}

    def sub(self, conn: Connection, msg: dict[str, Any]) -> Any:
        conn.subscribe(msg["market"], msg["market"], "1m")
        return {"ok": True}

    def message_type(self, message: Any) -> str | None:
        return message.get("op")

    def candle_message(self, conn: Connection, sub: Subscription, candle: Candle) -> Any:
        return {"market": sub.symbol, "close": candle.close}


def test_a_third_exchange_in_a_few_lines() -> None:
    with MockedCandleFeedServer(ToyExchange(), trading_pairs=[("ABC", "1m", 10.0)], seed=1) as feed:
        rows = httpx.get(feed.url + "/candles", params={"market": "ABC"}).json()
        assert len(rows) == 3

        async def follow() -> list[Any]:
            async with aiohttp.ClientSession() as s, s.ws_connect(feed.ws_url) as ws:
                await ws.send_str(json.dumps({"op": "sub", "market": "ABC"}))
                return [json.loads(await ws.receive_str(timeout=10)) for _ in range(3)]

        got = asyncio.run(follow())
        assert {"ok": True} in got
        rows = httpx.get(feed.url + "/candles", params={"market": "ABC"}).json()
        assert any(m.get("close") in {r["close"] for r in rows} for m in got)
        assert feed.admin.count_websocket_messages({"contains": '"op": "sub"'}, direction="in") == 1
