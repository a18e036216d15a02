"""Clients that abuse an exchange plugin's WebSocket streams (``binance_spot``'s ``/ws`` and
``/stream``, ``kraken_spot``'s ``/v2``), over raw sockets: one that subscribes and never reads
is closed (1008) with the reason once its bounded send buffer is full, and what the server
wrote for it stays within that bound; a broken frame, a text that is not UTF-8 or an oversized
message closes that connection with the reason. Meanwhile the other clients keep getting their
pushes.

The plugins under test are the built-in ones with their pushes every 10 ms instead of every
second or two (a subclass setting ``push_every_s``, registered as a plugin of the test server),
so a never-reading client fills its buffers in a second rather than in minutes; the subclass
counts the push rounds of the connections following more than one stream (the never-reading
client's), which tells when the server stopped pushing to it."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar

import httpx
import pytest
import websockets

from mockbdd.domain.service_plugins import SERVICE_PLUGINS
from mockbdd.domain.websockets import MAX_MESSAGE_BYTES, MAX_SEND_BUFFER_BYTES
from mockbdd.exchanges.binance import BinanceSpot
from mockbdd.exchanges.kraken import MINUTES, KrakenSpot
from mockbdd.exchanges.plugin import Connection
from mockbdd.extensions import Extensions
from mockbdd.server.embedded import MockServer
from tests.integration._websocket import (
    close_frame,
    frame,
    kernel_send_buffer_max,
    until_steady,
    upgrade,
)

RCVBUF = 4096
NOT_READING = r"mockbdd: the client is not reading \(\d+ bytes wait to be sent\)"
BINANCE_SYMBOLS = [f"C{i}USDT" for i in range(20)]
KRAKEN_SYMBOLS = [f"C{i}/USD" for i in range(20)]


class FastBinance(BinanceSpot):
    name = "fast_binance"
    push_every_s = 0.01
    rounds: ClassVar[Counter[str]] = Counter()

    def pushes(self, conn: Connection) -> Iterator[Any]:
        if len(conn.subscriptions) > 1:  # the never-reading client's (the others follow one)
            self.rounds[conn.path] += 1
        yield from super().pushes(conn)


class FastKraken(KrakenSpot):
    name = "fast_kraken"
    push_every_s = 0.01
    rounds: ClassVar[Counter[str]] = Counter()

    def pushes(self, conn: Connection) -> Iterator[Any]:
        if len(conn.subscriptions) > 1:  # the never-reading client's (the others follow one)
            self.rounds[conn.path] += 1
        yield from super().pushes(conn)


def register(extensions: Extensions) -> None:
    extensions.add(SERVICE_PLUGINS, FastBinance.name, FastBinance())
    extensions.add(SERVICE_PLUGINS, FastKraken.name, FastKraken())


@pytest.fixture
async def exchanges() -> AsyncIterator[MockServer]:
    """``binance`` and ``kraken`` mounted (fast pushes, 20 symbols each), on the test's loop."""
    FastBinance.rounds.clear()
    FastKraken.rounds.clear()
    async with MockServer(plugins=(register,)) as server, httpx.AsyncClient() as http:
        for plugin, service, symbols in (
            ("fast_binance", "binance", BINANCE_SYMBOLS),
            ("fast_kraken", "kraken", KRAKEN_SYMBOLS),
        ):
            pairs = [{"symbol": s, "interval": "1m", "initialPrice": 100.0} for s in symbols]
            config = {"tradingPairs": pairs, "seed": 7, "wsLimit": 50, "wsBurst": 50}
            mounted = await http.post(
                f"{server.url}/__admin/plugins/{plugin}/mount",
                json={"service": service, "config": config},
            )
            assert mounted.status_code == 201, mounted.text
        yield server


def listening(server: MockServer, path: str) -> Any:
    """A client that keeps up: what it does not read is queued on its side (pushes come every
    10 ms), so its close handshake is not held behind them."""
    return websockets.connect(server.url.replace("http://", "ws://") + path, max_queue=None)


async def closed_for_not_reading(reader: asyncio.StreamReader) -> None:
    """Read now: what waited for the client, then the close (1008) and its reason; no more
    than the bound (the send buffer, the kernel's, a message) came before it."""
    code, reason, before = await asyncio.wait_for(close_frame(reader), 30)
    assert (code, bool(re.fullmatch(NOT_READING, reason))) == (1008, True), reason
    assert before <= MAX_SEND_BUFFER_BYTES + kernel_send_buffer_max() + RCVBUF + 64 * 1024


async def binance_push(ws: Any) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert event["e"] == "kline", event
    return event


async def kraken_push(ws: Any) -> dict[str, Any]:
    while True:  # acks, the snapshot and heartbeats come first
        message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if message.get("channel") == "ohlc" and message.get("type") == "update":
            return message


@pytest.mark.parametrize("path", ["/binance/ws/{streams}", "/binance/stream?streams={streams}"])
async def test_binance_a_subscriber_that_never_reads_is_closed_and_costs_nothing_else(
    exchanges: MockServer, path: str
) -> None:
    streams = "/".join(
        f"{s.lower()}@kline_{i}"
        for s in BINANCE_SYMBOLS
        for i in ("1m", "3m", "5m", "15m", "30m", "1h")
    )
    async with listening(exchanges, "/binance/ws/c0usdt@kline_1m") as other:
        await binance_push(other)
        reader, writer = await upgrade(
            exchanges.url, path.format(streams=streams), rcvbuf=RCVBUF
        )  # 120 streams, never read
        slow = path.split("?")[0].format(streams=streams)[len("/binance") :]
        try:
            await until_steady(lambda: _rounds(FastBinance, slow))  # its pushes stopped
            assert (await binance_push(other))["s"] == "C0USDT"  # the other's go on
            await closed_for_not_reading(reader)
            assert (await binance_push(other))["s"] == "C0USDT"
        finally:
            writer.close()


async def test_kraken_a_subscriber_that_never_reads_is_closed_and_costs_nothing_else(
    exchanges: MockServer,
) -> None:
    async with listening(exchanges, "/kraken/v2") as other:
        await other.send(json.dumps(_kraken_subscribe(["C0/USD"], 1)))
        await kraken_push(other)
        reader, writer = await upgrade(exchanges.url, "/kraken/v2", rcvbuf=RCVBUF)
        try:
            for minutes in MINUTES.values():  # 20 symbols x 9 intervals, never read
                writer.write(frame(json.dumps(_kraken_subscribe(KRAKEN_SYMBOLS, minutes)).encode()))
            await writer.drain()
            await until_steady(lambda: _rounds(FastKraken, "/v2"))
            await kraken_push(other)
            await closed_for_not_reading(reader)
            await kraken_push(other)
        finally:
            writer.close()


async def _rounds(plugin: type[FastBinance] | type[FastKraken], path: str) -> int:
    return plugin.rounds[path]


def _kraken_subscribe(symbols: list[str], minutes: int) -> dict[str, Any]:
    return {"method": "subscribe", "params": {"channel": "ohlc", "symbol": symbols,
            "interval": minutes, "snapshot": False}}  # fmt: skip


BROKEN = [
    (frame(b"", opcode=0x3), 1002, "mockbdd: a frame that breaks the WebSocket protocol"),
    (frame(b"\xff\xfe", opcode=0x1), 1007, "mockbdd: a text message that is not UTF-8"),
    (frame(b"x" * (MAX_MESSAGE_BYTES + 1)), 1009,  # sent whole: aiohttp 3.10 reads it first
     f"mockbdd: a message over {MAX_MESSAGE_BYTES} bytes"),
]  # fmt: skip


@pytest.mark.parametrize(("garbage", "code", "reason"), BROKEN,
                         ids=["reserved opcode", "text not UTF-8", "oversized"])  # fmt: skip
@pytest.mark.parametrize("path", ["/binance/ws/c1usdt@kline_1m", "/binance/stream", "/kraken/v2"])
async def test_a_broken_or_oversized_frame_closes_that_stream_with_a_reason(
    exchanges: MockServer, path: str, garbage: bytes, code: int, reason: str
) -> None:
    async with listening(exchanges, "/binance/ws/c0usdt@kline_1m") as other:
        await binance_push(other)
        reader, writer = await upgrade(exchanges.url, path)
        writer.write(garbage)
        try:
            assert (await asyncio.wait_for(close_frame(reader), 10))[:2] == (code, reason)
        finally:
            writer.close()
        await binance_push(other)
