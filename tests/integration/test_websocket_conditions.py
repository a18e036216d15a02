"""Conditions on the messages of ``webSocket`` stubs over real sockets: a delay drawn per message
(in order), chaos and network conditions (lost, cut, closed with 1011), a per-connection rate
limit on what the client sends (closed with 1008, or ignored); the namespace's delays, chaos and
network conditions per message too, as in force at each; bad settings refused with the field, the reason and the valid values."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as sync_connect

from mockbdd.server.embedded import MockServer
from tests.integration._websocket import create, ws_url


def echo(path: str = "/echo", **conditions: Any) -> dict[str, Any]:
    """A stub replying ``got <message>`` to every message, under ``conditions``."""
    return {
        "request": {"urlPath": path},
        "webSocket": {
            "transformers": ["response-template"],
            "onMessage": [
                {"match": {"matches": ".*"}, "reply": [{"text": "got {{message.body}}"}]}
            ],
            **conditions,
        },
    }


async def replies(url: str, *messages: str, wait: float = 0.5) -> list[str]:
    """What the stub answered to ``messages``, sent at once, until it is quiet for ``wait``."""
    heard: list[str] = []
    async with websockets.connect(url) as ws:
        for message in messages:
            await ws.send(message)
        try:
            while True:
                heard.append(str(await asyncio.wait_for(ws.recv(), wait)))
        except TimeoutError:
            return heard


async def test_a_delay_distribution_holds_replies_back_in_order(mock: MockServer) -> None:
    delay = {"type": "uniform", "lower": 100, "upper": 300, "seed": 3}
    assert (await create(mock, echo(delayDistribution=delay))).status_code == 201
    started = time.perf_counter()
    heard = await replies(ws_url(mock, "/echo"), "a", "b", "c", "d")
    assert heard == ["got a", "got b", "got c", "got d"]  # jitter never reorders a stream
    assert time.perf_counter() - started >= 0.1


async def test_a_fixed_delay_waits_before_each_reply(mock: MockServer) -> None:
    assert (await create(mock, echo(fixedDelayMilliseconds=200))).status_code == 201
    async with websockets.connect(ws_url(mock, "/echo")) as ws:
        started = time.perf_counter()
        await ws.send("x")
        assert await ws.recv() == "got x"
        assert time.perf_counter() - started >= 0.15


async def test_chaos_drop_rate_loses_replies_the_same_way_for_the_same_seed(
    mock: MockServer,
) -> None:
    chaos = {"dropRate": 0.5, "dropMode": "hang", "seed": 11}
    for path in ("/one", "/two"):  # two stubs, one seed: the same choices
        assert (await create(mock, echo(path, chaos=chaos))).status_code == 201
    sent = [str(i) for i in range(20)]
    one = await replies(ws_url(mock, "/one"), *sent)
    two = await replies(ws_url(mock, "/two"), *sent)
    assert one == two
    assert 0 < len(one) < 20  # some lost, the others in order and the connection still open
    assert one == sorted(one, key=lambda r: int(r.split()[1]))


async def test_chaos_error_rate_closes_with_1011(mock: MockServer) -> None:
    assert (await create(mock, echo(chaos={"errorRate": 1.0}))).status_code == 201
    async with websockets.connect(ws_url(mock, "/echo")) as ws:
        await ws.send("x")
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1011, "mockbdd: chaos errorRate")


async def test_chaos_reset_cuts_the_connection_without_a_close_frame(mock: MockServer) -> None:
    assert (await create(mock, echo(chaos={"dropRate": 1.0}))).status_code == 201
    async with websockets.connect(ws_url(mock, "/echo")) as ws:
        await ws.send("x")
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is None  # 1006: the connection is gone, as a network drop


def test_chaos_reset_cuts_the_connection_on_the_cli_loop_too(
    server: MockServer, http: httpx.Client
) -> None:
    """The embedded server's own loop is uvloop's where it is installed, as ``mockbdd serve``'s:
    its transports are no asyncio.WriteTransport, and are cut all the same."""
    assert http.post("/__admin/mappings", json=echo(chaos={"dropRate": 1.0})).status_code == 201
    with sync_connect(ws_url(server, "/echo")) as ws:
        ws.send("x")
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd is None


async def test_the_stubs_network_loses_every_message_at_packet_loss_1(mock: MockServer) -> None:
    assert (await create(mock, echo(network={"packetLossRate": 1.0}))).status_code == 201
    assert await replies(ws_url(mock, "/echo"), "a", "b", wait=0.3) == []


async def settle(mock: MockServer, settings: dict[str, Any]) -> None:
    async with httpx.AsyncClient(base_url=mock.url) as http:
        assert (await http.post("/__admin/settings", json=settings)).status_code == 200


async def test_the_namespaces_network_latency_reaches_open_connections(mock: MockServer) -> None:
    assert (await create(mock, echo())).status_code == 201
    async with websockets.connect(ws_url(mock, "/echo")) as ws:
        await ws.send("before")
        assert await ws.recv() == "got before"
        # settings in force per message: an open connection gets the new ones at its next
        await settle(mock, {"network": {"latencyMs": 200}})
        started = time.perf_counter()
        await ws.send("x")
        assert await ws.recv() == "got x"
        assert time.perf_counter() - started >= 0.15


async def test_a_namespace_timeline_reaches_an_open_connections_messages(mock: MockServer) -> None:
    assert (await create(mock, echo())).status_code == 201
    step = {"atMs": 400, "settings": {"network": {"latencyMs": 300}}}  # a brown-out at 0.4 s
    async with websockets.connect(ws_url(mock, "/echo")) as ws:
        await settle(mock, {"timeline": [step]})
        await ws.send("early")
        assert await ws.recv() == "got early"
        await asyncio.sleep(0.5)
        started = time.perf_counter()
        await ws.send("late")
        assert await ws.recv() == "got late"
        assert time.perf_counter() - started >= 0.25


async def test_the_namespaces_delay_adds_to_the_stubs_per_message(mock: MockServer) -> None:
    assert (await create(mock, echo(fixedDelayMilliseconds=100))).status_code == 201
    await settle(mock, {"delayDistribution": {"type": "uniform", "lower": 200, "upper": 300}})
    async with websockets.connect(ws_url(mock, "/echo")) as ws:  # the upgrade waits too
        for message in ("a", "b"):
            started = time.perf_counter()
            await ws.send(message)
            assert await ws.recv() == f"got {message}"
            assert time.perf_counter() - started >= 0.25  # 100 ms + 200..300 ms


async def test_the_namespaces_chaos_loses_the_same_messages_for_the_same_seed(
    mock: MockServer,
) -> None:
    assert (await create(mock, echo())).status_code == 201
    # the upgrade is one of the namespace's requests: it draws first (seed 2's keeps it)
    chaos = {"chaos": {"dropRate": 0.5, "dropMode": "hang", "seed": 2}}
    sent = [str(i) for i in range(20)]
    heard = []
    for _ in range(2):
        await settle(mock, chaos)  # settings set again: the seeded stream starts again
        heard.append(await replies(ws_url(mock, "/echo"), *sent))
    assert heard[0] == heard[1]
    assert 0 < len(heard[0]) < 20
    assert heard[0] == sorted(heard[0], key=lambda r: int(r.split()[1]))
    # the stub's own chaos wins over the namespace's: none lost
    assert (await create(mock, echo("/calm", chaos={"dropRate": 0.0}))).status_code == 201
    await settle(mock, chaos)
    assert len(await replies(ws_url(mock, "/calm"), *sent)) == 20


async def test_the_namespaces_chaos_error_rate_closes_a_connection_with_1011(
    mock: MockServer,
) -> None:
    assert (await create(mock, echo())).status_code == 201
    # seed 2 draws 0.96 (the upgrade passes), 0.95 (the first reply goes), then 0.06
    await settle(mock, {"chaos": {"errorRate": 0.5, "seed": 2}})
    async with websockets.connect(ws_url(mock, "/echo")) as ws:
        await ws.send("a")
        assert await ws.recv() == "got a"
        await ws.send("b")
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1011, "mockbdd: chaos errorRate")


async def test_over_the_rate_limit_the_connection_is_closed_with_1008(mock: MockServer) -> None:
    limit = {"messages": 3, "periodMs": 60_000}
    assert (await create(mock, echo(rateLimit=limit))).status_code == 201
    async with websockets.connect(ws_url(mock, "/echo")) as ws:
        for i in range(4):
            await ws.send(str(i))
        assert [await ws.recv() for _ in range(3)] == ["got 0", "got 1", "got 2"]
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1008
    assert closed.value.rcvd.reason == "mockbdd: over 3 messages per 60000 ms"
    # the limit is per connection: a new one starts with a full budget
    assert await replies(ws_url(mock, "/echo"), "again", wait=0.3) == ["got again"]


async def test_over_the_rate_limit_with_drop_messages_are_ignored(mock: MockServer) -> None:
    limit = {"messages": 2, "periodMs": 60_000, "onExceed": "drop"}
    assert (await create(mock, echo(rateLimit=limit))).status_code == 201
    assert await replies(ws_url(mock, "/echo"), "a", "b", "c", "d") == ["got a", "got b"]
    async with httpx.AsyncClient(base_url=mock.url) as http:
        got = (await http.get("/__admin/websockets", params={"direction": "in"})).json()
    assert [m["text"] for m in got["messages"]] == ["a", "b", "c", "d"]  # all were received


@pytest.mark.parametrize(
    ("conditions", "pointer", "reason"),
    [
        ({"rateLimit": {"messages": 0, "periodMs": 1000}}, "/webSocket/rateLimit/messages",
         "must be at least 1, got 0"),
        ({"rateLimit": {"messages": 1, "periodMs": 1000, "onExceed": "kick"}},
         "/webSocket/rateLimit/onExceed", "must be one of 'close', 'drop', got 'kick'"),
        ({"rateLimit": {"periodMs": 1000}}, "/webSocket/rateLimit/messages", "required"),
        ({"chaos": {"dropRate": 1.5}}, "/webSocket/chaos/dropRate", "must be at most 1"),
        ({"chaos": {"dropRate": 0.6, "errorRate": 0.6}}, "/webSocket/chaos",
         "errorRate + dropRate must not exceed 1, got 1.2"),
        ({"chaos": {"errorRate": 0.1, "errorStatus": 503}}, "/webSocket/chaos/errorStatus",
         "does not apply to WebSocket messages"),
        ({"chaos": {"dropMode": "later"}}, "/webSocket/chaos/dropMode",
         "must be one of 'reset', 'hang'"),
        ({"network": {"latencyMs": -1}}, "/webSocket/network/latencyMs", "must be at least 0"),
        ({"delayDistribution": {"type": "sometimes"}}, "/webSocket/delayDistribution/type",
         "lognormal"),
        ({"delayDistribution": {"type": "fixed"}, "fixedDelayMilliseconds": 5},
         "/webSocket/delayDistribution",
         "give either fixedDelayMilliseconds or delayDistribution"),
        ({"fixedDelayMilliseconds": -5}, "/webSocket/fixedDelayMilliseconds",
         "must be at least 0"),
    ],
)  # fmt: skip
async def test_bad_conditions_are_refused_with_the_field(
    mock: MockServer, conditions: dict[str, Any], pointer: str, reason: str
) -> None:
    answer = await create(mock, echo(**conditions))
    assert answer.status_code == 422, answer.text
    error = answer.json()["errors"][0]
    assert error["source"]["pointer"] == pointer, error
    assert reason in error["title"], error
