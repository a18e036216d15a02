"""``binance_spot``'s WebSocket market streams over a real socket: a kline push on
``/ws/<stream>`` agrees with the REST klines, ``/stream?streams=`` wraps ``{stream, data}``,
the SUBSCRIBE/UNSUBSCRIBE/LIST_SUBSCRIPTIONS protocol, and more than 5 messages a second
disconnects, as Binance does."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import httpx

from mockbdd.server.embedded import MockServer

PAIRS = [{"symbol": "BTCUSDT", "interval": "1m", "initialPrice": 50000.0}]


def _run(url: str, work: Any) -> Any:
    return asyncio.run(work(url.replace("http", "ws", 1) + "/market"))


def _serve() -> Any:
    server = MockServer()
    server.__enter__()
    mounted = httpx.post(
        server.url + "/__admin/plugins/binance_spot/mount",
        json={"service": "market", "config": {"tradingPairs": PAIRS, "seed": 7}},
    )
    assert mounted.status_code == 201, mounted.text
    return server


def test_a_kline_push_agrees_with_the_rest_klines() -> None:
    server = _serve()
    try:

        async def work(base: str) -> dict[str, Any]:
            async with (
                aiohttp.ClientSession() as s,
                s.ws_connect(base + "/ws/btcusdt@kline_1m") as ws,
            ):
                return json.loads(await ws.receive_str(timeout=10))

        event = _run(server.url, work)
        k = event["k"]
        query = {"symbol": "BTCUSDT", "interval": "1m", "startTime": k["t"], "limit": 1}
        rows = httpx.get(server.url + "/market/api/v3/klines", params=query).json()
        assert event["e"] == "kline"
        assert event["s"] == "BTCUSDT"
        k = event["k"]
        assert set(k) == {"t", "T", "s", "i", "f", "L", "o", "c", "h", "l", "v", "n", "x", "q", "V", "Q", "B"}  # fmt: skip
        assert k["t"] == rows[0][0]  # the same seeded candle as REST
        assert [k["o"], k["h"], k["l"]] == rows[0][1:4]
    finally:
        server.__exit__(None, None, None)


def test_combined_streams_and_the_subscribe_protocol() -> None:
    server = _serve()
    try:

        async def work(base: str) -> list[Any]:
            got: list[Any] = []
            async with (
                aiohttp.ClientSession() as s,
                s.ws_connect(base + "/stream?streams=btcusdt@kline_1m") as ws,
            ):
                first = json.loads(await ws.receive_str(timeout=10))
                got.append(first)
                await ws.send_str(
                    json.dumps({"method": "SUBSCRIBE", "params": ["btcusdt@kline_5m"], "id": 1})
                )
                await ws.send_str(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": 2}))
                await ws.send_str(
                    json.dumps({"method": "UNSUBSCRIBE", "params": ["btcusdt@kline_1m"], "id": 3})
                )
                await ws.send_str(json.dumps({"method": "FROB", "id": 4}))
                while len(got) < 5:
                    msg = json.loads(await ws.receive_str(timeout=10))
                    if "id" in msg:
                        got.append(msg)
            return got

        first, sub, listed, unsub, bad = _run(server.url, work)
        assert first["stream"] == "btcusdt@kline_1m"
        assert first["data"]["k"]["i"] == "1m"
        assert sub == {"result": None, "id": 1}
        assert listed == {"result": ["btcusdt@kline_1m", "btcusdt@kline_5m"], "id": 2}
        assert unsub == {"result": None, "id": 3}
        assert bad["id"] == 4
        assert bad["error"]["code"] == 2
    finally:
        server.__exit__(None, None, None)


def test_more_than_five_messages_a_second_disconnects() -> None:
    server = _serve()
    try:

        async def work(base: str) -> Any:
            async with (
                aiohttp.ClientSession() as s,
                s.ws_connect(base + "/ws/btcusdt@kline_1m") as ws,
            ):
                for i in range(12):  # within two seconds: one of them sees more than 5
                    await ws.send_str(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": i}))
                while True:
                    msg = await ws.receive(timeout=10)
                    if msg.type != aiohttp.WSMsgType.TEXT:
                        return msg

        closing = _run(server.url, work)
        assert closing.type == aiohttp.WSMsgType.CLOSE
        assert closing.data == 1008
    finally:
        server.__exit__(None, None, None)


def test_a_stream_path_binance_does_not_have_is_refused_with_where_they_are() -> None:
    server = _serve()
    try:
        upgrade = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                   "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}  # fmt: skip
        answer = httpx.get(server.url + "/market/stream/btcusdt@kline_1m", headers=upgrade)
        assert answer.status_code == 404
        assert "/ws/<stream> and /stream?streams=" in answer.text
    finally:
        server.__exit__(None, None, None)
