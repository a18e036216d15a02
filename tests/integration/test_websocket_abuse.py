"""Clients that abuse a ``webSocket`` stub, over raw sockets (no client library would send such
things): a broken frame or a client that sends but never reads is closed with a reason, and
costs nothing else: the other connections are served meanwhile."""

from __future__ import annotations

import asyncio
import base64
import os
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import websockets

from mockbdd.server.embedded import MockServer

BIG = 256 * 1024  # a reply this big fills the socket buffers of a client that does not read


async def create(server: MockServer, mapping: dict[str, Any]) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        (await http.post("/__admin/mappings", json=mapping)).raise_for_status()


async def upgrade(
    server: MockServer, path: str
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    url = urlsplit(server.url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        .encode()
    )  # fmt: skip
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101"), head
    return reader, writer


def frame(payload: bytes, opcode: int = 1) -> bytes:
    """One masked frame from the client (payloads under 126 bytes)."""
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked


async def close_frame(reader: asyncio.StreamReader) -> tuple[int, str]:
    """The server's close frame (code, reason), skipping what comes before it."""
    while True:
        first, length = await reader.readexactly(2)
        if length == 126:
            length = int.from_bytes(await reader.readexactly(2), "big")
        elif length == 127:
            length = int.from_bytes(await reader.readexactly(8), "big")
        payload = await reader.readexactly(length)
        if first & 0x0F == 0x8:
            return int.from_bytes(payload[:2], "big"), payload[2:].decode()


async def read_to_the_end(reader: asyncio.StreamReader) -> int:
    """How many bytes came before the server ended the connection (closed or cut)."""
    got = 0
    try:
        while chunk := await reader.read(65536):
            got += len(chunk)
    except ConnectionResetError:
        pass
    return got


PONG = {
    "request": {"urlPath": "/live"},
    "webSocket": {"onMessage": [{"match": {"equalTo": "ping"}, "reply": [{"text": "pong"}]}]},
}


async def still_served(server: MockServer) -> None:
    url = server.url.replace("http://", "ws://") + "/live"
    async with websockets.connect(url) as ws:
        await ws.send("ping")
        assert await asyncio.wait_for(ws.recv(), 5) == "pong"


@pytest.mark.parametrize(
    ("garbage", "code", "reason"),
    [
        (frame(b"", opcode=0x3), 1002, "mockbdd: a frame that breaks the WebSocket protocol"),
        (frame(b"\xff\xfe", opcode=0x1), 1007, "mockbdd: a text message that is not UTF-8"),
    ],
    ids=["reserved opcode", "text not UTF-8"],  # frames are masked at random: named, not shown
)
async def test_a_broken_frame_closes_that_connection_with_a_reason(
    mock: MockServer, garbage: bytes, code: int, reason: str
) -> None:
    await create(mock, PONG)
    reader, writer = await upgrade(mock, "/live")
    writer.write(garbage)
    assert await asyncio.wait_for(close_frame(reader), 5) == (code, reason)
    writer.close()
    await still_served(mock)


async def test_a_client_that_never_reads_is_closed_and_costs_nothing_else(
    mock: MockServer,
) -> None:
    big = {"request": {"urlPath": "/big"}, "webSocket": {"onMessage": [
        {"match": {"equalTo": "more"}, "reply": [{"text": "x" * BIG}]}]}}  # fmt: skip
    await create(mock, big)
    await create(mock, PONG)
    reader, writer = await upgrade(mock, "/big")
    for _ in range(1500):  # far more replies than the socket buffers and the outbox hold
        writer.write(frame(b"more"))
    await writer.drain()
    await still_served(mock)  # while that client's replies are stuck
    await asyncio.sleep(3)  # the server gives up on the close handshake and cuts it
    got = await asyncio.wait_for(read_to_the_end(reader), 10)
    assert got < 1500 * BIG
    writer.close()
    async with httpx.AsyncClient(base_url=mock.url) as http:
        listed = await http.get("/__admin/websockets", params={"path": "/big", "direction": "in"})
    # read until the outbox was full (1024 replies waiting), then closed: the rest never read
    assert 1024 < len(listed.json()["messages"]) < 1500
    await still_served(mock)
