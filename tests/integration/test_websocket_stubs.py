"""``webSocket`` stubs over real sockets, driven by the ``websockets`` client: on connect,
replies to matching messages, periodic messages, closing, the journal of messages both ways and
its count; bad scripts are refused with the field; abusive clients cost only their connection."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from mockbdd.server.embedded import MockServer
from tests.integration._websocket import create, ws_url


async def drain(ws: websockets.ClientConnection) -> None:
    """Read until the connection ends (raises ConnectionClosed)."""
    while True:
        await ws.recv()


CHAT = {
    "request": {"urlPath": "/chat"},
    "webSocket": {
        "onConnect": [{"text": "welcome"}, {"json": {"type": "hello", "n": 1}, "delayMs": 10}],
        "onMessage": [
            {"match": {"contains": "ping"}, "reply": [{"text": "pong"}]},
            {"match": {"equalTo": "bye"}, "reply": [{"text": "see you"}],
             "close": {"code": 4001, "reason": "asked to"}},
        ],
    },
}  # fmt: skip


async def test_on_connect_and_replies_to_matching_messages(mock: MockServer) -> None:
    assert (await create(mock, CHAT)).status_code == 201
    async with websockets.connect(ws_url(mock, "/chat")) as ws:
        assert await ws.recv() == "welcome"
        assert json.loads(await ws.recv()) == {"type": "hello", "n": 1}
        await ws.send("ping 1")
        assert await ws.recv() == "pong"
        await ws.send("nothing matches this")
        await ws.send("bye")
        assert await ws.recv() == "see you"
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4001, "asked to")

    async with httpx.AsyncClient(base_url=mock.url) as http:
        listed = (await http.get("/__admin/websockets")).json()["messages"]
        assert [(m["direction"], m.get("text")) for m in listed] == [
            ("out", "welcome"),
            ("out", '{"type":"hello","n":1}'),
            ("in", "ping 1"),
            ("out", "pong"),
            ("in", "nothing matches this"),
            ("in", "bye"),
            ("out", "see you"),
        ]
        count = await http.post(
            "/__admin/websockets/count",
            json={"pattern": {"contains": "ping"}, "direction": "in", "path": "/chat"},
        )
        assert count.json() == {"count": 1}
        received = (await http.get("/__admin/requests")).json()["requests"][0]
        assert received["request"]["url"] == "/chat"
        assert received["response"]["status"] == 101


async def test_periodic_messages_and_a_timed_close(mock: MockServer) -> None:
    ticker = {
        "request": {"urlPath": "/ticks"},
        "webSocket": {
            "periodic": [{"everyMs": 20, "send": {"base64": "AAE="}, "count": 3}],
            "close": {"afterMs": 300, "code": 1000},
        },
    }
    assert (await create(mock, ticker)).status_code == 201
    async with websockets.connect(ws_url(mock, "/ticks")) as ws:
        frames = [await ws.recv() for _ in range(3)]
        assert frames == [b"\x00\x01"] * 3
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)


async def test_a_plain_request_to_a_websocket_stub_is_told_to_upgrade(mock: MockServer) -> None:
    assert (await create(mock, CHAT)).status_code == 201
    async with httpx.AsyncClient(base_url=mock.url) as http:
        answer = await http.get("/chat")
    assert answer.status_code == 426
    assert "WebSocket upgrades only" in answer.text


async def test_an_oversized_message_closes_only_that_connection(mock: MockServer) -> None:
    assert (await create(mock, CHAT)).status_code == 201
    async with websockets.connect(ws_url(mock, "/chat"), max_size=None) as big:
        await big.recv()
        await big.send("x" * (2 * 1024 * 1024))
        with pytest.raises(ConnectionClosed) as closed:  # the second greeting may come first
            await asyncio.wait_for(drain(big), 10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009
    assert closed.value.rcvd.reason == "mockbdd: a message over 1048576 bytes"
    async with websockets.connect(ws_url(mock, "/chat")) as other:  # serving goes on
        assert await other.recv() == "welcome"


@pytest.mark.parametrize(
    ("script", "pointer", "reason"),
    [
        ({}, "/webSocket", "give at least one of onConnect, onMessage, periodic or close"),
        ({"onConnect": [{"text": "a", "json": 1}]}, "/webSocket/onConnect/0",
         "give exactly one of text, json or base64 (got text and json)"),
        ({"onConnect": [{"base64": "%%"}]}, "/webSocket/onConnect/0/base64", "not valid base64"),
        ({"periodic": [{"everyMs": 0, "send": {"text": "x"}}]}, "/webSocket/periodic/0/everyMs",
         "must be at least 1, got 0"),
        ({"onMessage": [{"match": {"sortOf": "x"}}]}, "/webSocket/onMessage/0/match", ""),
        ({"onConnect": [{"txt": "x"}]}, "/webSocket/onConnect/0/txt", "unknown field 'txt'"),
        ({"onConect": [{"text": "x"}]}, "/webSocket/onConect", "unknown field 'onConect'"),
        ({"onMessage": [{"match": {"matches": "("}}]}, "/webSocket/onMessage/0/match",
         "invalid regex '(': missing )"),
        ({"periodic": [{"everyMs": -5, "send": {"text": "x"}}]}, "/webSocket/periodic/0/everyMs",
         "must be at least 1, got -5"),
        ({"onConnect": [{"text": "x", "delayMs": -1}]}, "/webSocket/onConnect/0/delayMs",
         "must be at least 0, got -1"),
        ({"close": {"code": 999}}, "/webSocket/close/code", "must be at least 1000, got 999"),
    ],
)  # fmt: skip
async def test_bad_scripts_are_refused_with_the_field(
    mock: MockServer, script: dict[str, Any], pointer: str, reason: str
) -> None:
    answer = await create(mock, {"request": {"urlPath": "/x"}, "webSocket": script})
    assert answer.status_code == 422, answer.text
    error = answer.json()["errors"][0]
    assert error["source"]["pointer"].startswith(pointer), error
    assert reason in error["title"]


async def test_a_stub_with_both_a_response_and_a_websocket_is_refused(mock: MockServer) -> None:
    mapping = {"request": {}, "response": {"status": 200}, "webSocket": {"close": {}}}
    answer = await create(mock, mapping)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["title"] == (
        "give exactly one of 'response', 'responses' or 'webSocket'"
    )
