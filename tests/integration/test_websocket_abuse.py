"""Clients that abuse a ``webSocket`` stub, over raw sockets (no client library would send such
things): a broken frame, or a client that never reads what it is sent (replies or pushes), is
closed with a reason, and costs nothing else: what waits for it stays bounded and the other
connections are served meanwhile."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest
import websockets

from mockbdd.domain.websockets import MAX_SEND_BUFFER_BYTES
from mockbdd.server.embedded import MockServer
from tests.integration._websocket import (
    close_frame,
    frame,
    kernel_send_buffer_max,
    until_steady,
    upgrade,
)
from tests.integration._websocket import create as create_stub

BIG = 256 * 1024  # a reply this big fills the socket buffers of a client that does not read


async def create(server: MockServer, mapping: dict[str, Any]) -> None:
    (await create_stub(server, mapping)).raise_for_status()


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
    reader, writer = await upgrade(mock.url, "/live")
    writer.write(garbage)
    assert (await asyncio.wait_for(close_frame(reader), 5))[:2] == (code, reason)
    writer.close()
    await still_served(mock)


NOT_READING = r"mockbdd: the client is not reading \(\d+ (bytes wait to be sent|messages wait)\)"


async def sent_on(server: MockServer, path: str) -> int:
    async with httpx.AsyncClient(base_url=server.url) as http:
        listed = await http.get("/__admin/websockets", params={"path": path, "direction": "out"})
    return int(listed.json()["meta"]["total"])


async def closed_for_not_reading(
    reader: asyncio.StreamReader, biggest: int, *, pushes: bool = False
) -> None:
    """Read now: what waited, then the close (1008) with the reason; no more than the bound
    (the send buffer, the kernel's, one message) came before it."""
    code, reason, before = await asyncio.wait_for(close_frame(reader), 30)
    assert code == 1008
    # past the send buffer, or (replies coming faster than they are written) the outbox
    assert re.fullmatch(NOT_READING, reason), reason
    if pushes:  # nothing queues up: what the periodic pushes wrote
        assert reason.endswith(" bytes wait to be sent)"), reason
    assert before <= MAX_SEND_BUFFER_BYTES + kernel_send_buffer_max() + 2 * biggest


async def test_a_client_that_sends_but_never_reads_is_closed_and_costs_nothing_else(
    mock: MockServer,
) -> None:
    big = {"request": {"urlPath": "/big"}, "webSocket": {"onMessage": [
        {"match": {"equalTo": "more"}, "reply": [{"text": "x" * BIG}]}]}}  # fmt: skip
    await create(mock, big)
    await create(mock, PONG)
    reader, writer = await upgrade(mock.url, "/big", rcvbuf=4096)
    for _ in range(1500):  # far more replies than the socket buffers and the send buffer hold
        writer.write(frame(b"more"))
    await writer.drain()
    await still_served(mock)  # while that client's replies are stuck
    sent = await until_steady(lambda: sent_on(mock, "/big"))
    assert sent < 1500  # it stopped writing to that client: closed
    await closed_for_not_reading(reader, BIG)
    writer.close()
    await still_served(mock)


async def never_reading_its_pushes(server: MockServer) -> None:
    feed = {"request": {"urlPath": "/feed"}, "webSocket": {"periodic": [
        {"everyMs": 1, "send": {"text": "x" * (BIG // 4)}}]}}  # fmt: skip
    await create(server, feed)
    await create(server, PONG)
    reader, writer = await upgrade(server.url, "/feed", rcvbuf=4096)
    await still_served(server)
    await until_steady(lambda: sent_on(server, "/feed"))
    await still_served(server)
    await closed_for_not_reading(reader, BIG // 4, pushes=True)
    writer.close()


async def test_a_client_that_never_reads_its_pushes_is_closed_and_costs_nothing_else(
    mock: MockServer,
) -> None:
    await never_reading_its_pushes(mock)


def test_a_client_that_never_reads_is_closed_on_the_cli_loop_too(server: MockServer) -> None:
    """The embedded server's own loop: uvloop's where it is installed, as ``mockbdd serve``'s."""
    asyncio.run(never_reading_its_pushes(server))
