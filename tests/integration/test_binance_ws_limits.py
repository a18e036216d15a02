"""``binance_spot``'s WebSocket side as clients meet it: python-binance's
``BinanceSocketManager`` (over the ``websockets`` library) reading kline streams from the mock,
messages journaled and countable like the webSocket stubs', connection attempts per client IP
refused as Binance refuses them, and the namespace's network latency on stream messages."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
import httpx

from mockbdd.exchanges import ExchangeType, MockedCandleFeedServer

PAIRS = [("BTCUSDT", "1m", 50000.0), ("ETHUSDT", "1m", 3000.0)]


async def test_python_binance_socket_manager_reads_the_kline_streams() -> None:
    from binance import AsyncClient, BinanceSocketManager

    async with MockedCandleFeedServer(
        ExchangeType.BINANCE_SPOT, trading_pairs=PAIRS, seed=7
    ) as feed:
        client = AsyncClient()  # not create(): that pings Binance itself
        client.API_URL = feed.url + "/api"
        try:
            sockets = BinanceSocketManager(client)
            sockets.STREAM_URL = feed.url.replace("http", "ws", 1) + "/"
            async with sockets.kline_socket("BTCUSDT", AsyncClient.KLINE_INTERVAL_1MINUTE) as s:
                event = await asyncio.wait_for(s.recv(), 10)
            async with sockets.multiplex_socket(["ethusdt@kline_1m", "btcusdt@kline_1m"]) as s:
                combined = [await asyncio.wait_for(s.recv(), 10) for _ in range(2)]
            start = event["k"]["t"]  # the minute may have turned since
            rows = await client.get_klines(
                symbol="BTCUSDT", interval="1m", startTime=start, limit=1
            )
        finally:
            await client.close_connection()
        assert event["e"] == "kline"
        assert event["k"]["t"] == rows[-1][0]
        assert event["k"]["n"] == event["k"]["L"] - event["k"]["f"] + 1
        assert {m["stream"] for m in combined} == {"ethusdt@kline_1m", "btcusdt@kline_1m"}
        pushed = feed.admin.count_websocket_messages({"contains": '"e":"kline"'}, direction="out")
        assert pushed >= 3
        paths = {m["path"] for m in feed.admin.websocket_messages(direction="out")}
        assert paths == {"/market/ws/btcusdt@kline_1m", "/market/stream"}


def test_subscribe_messages_are_journaled_both_ways() -> None:
    with MockedCandleFeedServer(trading_pairs=PAIRS, seed=7) as feed:

        async def talk() -> Any:
            async with aiohttp.ClientSession() as s, s.ws_connect(feed.ws_url) as ws:
                await ws.send_str(json.dumps({"method": "SUBSCRIBE", "params": ["btcusdt@kline_1m"], "id": 9}))  # fmt: skip
                return json.loads(await ws.receive_str(timeout=10))

        assert asyncio.run(talk()) == {"result": None, "id": 9}
        admin = feed.admin
        assert admin.count_websocket_messages({"contains": "SUBSCRIBE"}, direction="in") == 1
        assert admin.count_websocket_messages({"equalToJson": {"result": None, "id": 9}}) == 1


def test_connection_attempts_past_the_limit_are_refused_with_429() -> None:
    with MockedCandleFeedServer(trading_pairs=PAIRS, seed=7) as feed:
        feed.set_rate_limits(connection_limit=2, connection_period_ms=60_000)

        async def connect_three() -> list[Any]:
            outcomes: list[Any] = []
            async with aiohttp.ClientSession() as s:
                for _ in range(3):
                    try:
                        async with s.ws_connect(feed.ws_url + "/btcusdt@kline_1m"):
                            outcomes.append("open")
                    except aiohttp.WSServerHandshakeError as refused:
                        outcomes.append(refused.status)
            return outcomes

        assert asyncio.run(connect_three()) == ["open", "open", 429]
        upgrade = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                   "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}  # fmt: skip
        refused = httpx.get(feed.ws_url.replace("ws", "http", 1), headers=upgrade)
        assert refused.status_code == 429
        assert 0 < int(refused.headers["Retry-After"]) <= 60
        assert refused.json()["code"] == -1003
        assert "2 connections per 60 seconds" in refused.json()["msg"]
        feed.set_rate_limits(connection_limit=300)
        assert asyncio.run(connect_three()) == ["open", "open", "open"]


def test_network_latency_delays_stream_messages() -> None:
    latency_ms = 300
    with MockedCandleFeedServer(trading_pairs=PAIRS, seed=7) as feed:
        feed.set_network_conditions(latency_ms=latency_ms)

        async def round_trip() -> float:
            async with aiohttp.ClientSession() as s, s.ws_connect(feed.ws_url) as ws:
                started = time.perf_counter()
                await ws.send_str(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": 1}))
                await ws.receive_str(timeout=10)
                return time.perf_counter() - started

        assert asyncio.run(round_trip()) >= latency_ms / 1000 * 0.7


def test_a_closed_candle_is_pushed_with_x_true_and_agrees_with_rest() -> None:
    # time_scale 60: a minute of candles every second, so a 1m candle closes between pushes
    with MockedCandleFeedServer(trading_pairs=PAIRS, seed=7, time_scale=60) as feed:

        async def until_closed() -> tuple[dict[str, Any], dict[str, Any]]:
            async with aiohttp.ClientSession() as s, s.ws_connect(feed.ws_url + "/btcusdt@kline_1m") as ws:  # fmt: skip
                running = json.loads(await ws.receive_str(timeout=10))
                while True:
                    event = json.loads(await ws.receive_str(timeout=10))
                    if event["k"]["x"]:
                        return running, event

        running, closed = asyncio.run(until_closed())
        assert running["k"]["x"] is False
        k = closed["k"]
        assert k["t"] > running["k"]["t"] - 60_000
        assert closed["E"] > k["T"]  # sent after its interval ended
        query = {"symbol": "BTCUSDT", "interval": "1m", "startTime": k["t"], "limit": 1}
        (row,) = httpx.get(feed.url + "/api/v3/klines", params=query).json()
        assert [k["o"], k["h"], k["l"], k["c"], k["v"]] == row[1:6]


def test_python_binance_threaded_websocket_manager_calls_back_with_klines() -> None:
    """The sync face of python-binance: a callback on its own thread. Its socket_listener is
    overridden only to make the client without ``AsyncClient.create()`` (which pings Binance
    itself) and to point the socket manager at the mock; the threads, queue and callbacks are
    the library's."""
    import queue

    from binance import AsyncClient, BinanceSocketManager, ThreadedWebsocketManager

    got: queue.Queue[dict[str, Any]] = queue.Queue()
    with MockedCandleFeedServer(trading_pairs=PAIRS, seed=7) as feed:
        stream_url = feed.url.replace("http", "ws", 1) + "/"

        class Local(ThreadedWebsocketManager):
            async def socket_listener(self) -> None:
                self._client = AsyncClient()
                self._client.API_URL = feed.url + "/api"
                self._bsm = BinanceSocketManager(self._client)
                self._bsm.STREAM_URL = stream_url
                # as the library's own listener waits: stop() only flips these flags
                while self._running or self._socket_running:  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
                await self._client.close_connection()

        # python-binance takes the main thread's current loop (get_loop(), in the manager and
        # in each socket it makes there) and runs it on its thread: give it one, closed and
        # unset here (left to get_loop(), it was never closed: a ResourceWarning in whichever
        # test came next)
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        twm = Local()
        twm.start()
        try:
            twm.start_kline_socket(callback=got.put, symbol="ETHUSDT", interval="1m")
            event = got.get(timeout=10)
        finally:
            twm.stop()
            twm.join(timeout=10)
            assert not twm.is_alive()
            asyncio.set_event_loop(None)
            loop.close()
        assert (event["e"], event["s"], event["k"]["i"]) == ("kline", "ETHUSDT", "1m")
        query = {"symbol": "ETHUSDT", "interval": "1m", "startTime": event["k"]["t"], "limit": 1}
        (row,) = httpx.get(feed.url + "/api/v3/klines", params=query).json()
        assert event["k"]["o"] == row[1]
