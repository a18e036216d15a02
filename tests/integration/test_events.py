"""``/__admin/events`` with a real WebSocket client (aiohttp's): order, types, filters, namespace
scoping, resume with ``since``, the slow-listener close, a client that never reads, auth."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import httpx
import pytest

from mockbdd.admin.events import CLOSE_GONE, CLOSE_SLOW
from mockbdd.config import ServerConfig
from mockbdd.server.runner import MockHttpServer


@asynccontextmanager
async def running(**settings: Any) -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    server = MockHttpServer(ServerConfig.embedded(**settings))
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.origin(), timeout=10) as http:
            yield server.origin(), http
    finally:
        await server.stop()


async def receive(ws: aiohttp.ClientWebSocketResponse, n: int) -> list[dict[str, Any]]:
    out = []
    for _ in range(n):
        message = await asyncio.wait_for(ws.receive(), 10)
        assert message.type == aiohttp.WSMsgType.TEXT, message
        out.append(json.loads(message.data))
    return out


async def stub(http: httpx.AsyncClient, url: str, prefix: str = "", **extra: Any) -> str:
    created = await http.post(
        f"{prefix}/__admin/mappings", json={"request": {"urlPath": url}, "response": {}, **extra}
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def test_serve_events_arrive_in_order_as_the_journal_lists_them() -> None:
    async with running() as (origin, http), aiohttp.ClientSession() as session:
        await stub(http, "/a")
        async with session.ws_connect(origin + "/__admin/events?type=serve") as ws:
            for i in range(5):
                await http.get(f"/a?i={i}")
            events = await receive(ws, 5)
        assert [e["request"]["url"] for e in events] == [f"/a?i={i}" for i in range(5)]
        seqs = [e["seq"] for e in events]
        assert seqs == sorted(seqs)
        assert len(set(seqs)) == 5
        assert {e["type"] for e in events} == {"serve"}
        assert {e["namespace"] for e in events} == {"default"}
        listed = (await http.get("/__admin/requests")).json()["requests"]
        by_id = {r["id"]: r for r in listed}
        first = events[0]
        assert set(by_id[first["id"]]) <= set(first)  # the JSON of GET /requests, and more
        assert first["response"]["status"] == 200
        assert first["wasMatched"] is True


async def test_alike_events_are_each_the_json_of_get_requests() -> None:
    """Alike serve events (the same request, the same stub) are written from a template: each
    must still be exactly its own ServeEvent JSON, its id, time and timing included, also when
    a request carries the template's marker text or a body, or another stub answers."""
    async with running() as (origin, http), aiohttp.ClientSession() as session:
        await stub(http, "/same")
        await stub(http, "/slow", response={"fixedDelayMilliseconds": 30})
        async with session.ws_connect(origin + "/__admin/events?type=serve") as ws:
            sent = 0
            for _ in range(4):
                for path in ("/same", "/slow"):
                    await http.get(path)
                    sent += 1
            await http.get("/same", headers={"X-Trick": "@@mockbdd-event-1@@"})
            await http.get("/same", headers={"X-Trick": "@@mockbdd-event-1@@"})
            await http.post("/same", content=b"a body")
            await http.get("/nothing-here")
            events = await receive(ws, sent + 4)
        listed = (await http.get("/__admin/requests")).json()["requests"]
        by_id = {r["id"]: r for r in listed}
        for event in events:
            assert {k: v for k, v in event.items() if k not in ("seq", "type", "namespace")} == (
                by_id[event["id"]]
            )
        assert len({e["id"] for e in events}) == len(events)
        seqs = [e["seq"] for e in events]
        assert seqs == list(range(seqs[0], seqs[0] + len(events)))  # nothing else came between
        slow = [e for e in events if e["request"]["url"] == "/slow"]
        assert all(e["timing"]["addedDelay"] == 30 for e in slow)
        assert all(e["timing"]["totalTime"] >= 30 for e in slow)
        tricked = [e for e in events if "X-Trick" in e["request"]["headers"]]
        assert [e["request"]["headers"]["X-Trick"] for e in tricked] == ["@@mockbdd-event-1@@"] * 2


async def test_a_burst_of_alike_events_is_each_the_json_of_get_requests() -> None:
    """Alike events completed in one loop turn are encoded a batch at a time: over real
    sockets, a burst of 300 concurrent requests of one shape (and a second shape mixed in)
    still gives each event's own JSON, every one once, in sequence order."""
    async with running() as (origin, http), aiohttp.ClientSession() as session:
        await stub(http, "/same")
        await stub(http, "/other")
        async with session.ws_connect(origin + "/__admin/events?type=serve") as ws:
            limits = httpx.Limits(max_connections=50)
            async with httpx.AsyncClient(base_url=origin, limits=limits, timeout=30) as burst:
                paths = ["/other" if i % 50 == 7 else "/same" for i in range(300)]
                answers = await asyncio.gather(*(burst.get(p) for p in paths))
            assert [a.status_code for a in answers] == [200] * 300
            events = await receive(ws, 300)
        listed = (await http.get("/__admin/requests?limit=1000")).json()["requests"]
        by_id = {r["id"]: r for r in listed}
        for event in events:
            assert {k: v for k, v in event.items() if k not in ("seq", "type", "namespace")} == (
                by_id[event["id"]]
            )
        assert len(by_id) == len({e["id"] for e in events}) == 300
        seqs = [e["seq"] for e in events]
        assert seqs == list(range(seqs[0], seqs[0] + 300))


async def test_a_burst_arrives_as_one_frame_per_event_in_every_length_form() -> None:
    """Events pending together share a transport write, each its own frame: bodies that need
    RFC 6455's 7-bit, 16-bit and 64-bit payload lengths come through whole and in order, and
    no deflate is negotiated (compressing small frames cost more than serving them)."""
    sizes = [0, 40, 3_000, 70_000, 10, 200_000, 5]
    async with running() as (origin, http), aiohttp.ClientSession() as session:
        await stub(http, "/up")
        async with session.ws_connect(origin + "/__admin/events?type=serve", compress=15) as ws:
            assert ws.compress == 0
            await asyncio.gather(
                *(http.post(f"/up?n={i}", content=b"x" * size) for i, size in enumerate(sizes))
            )
            events = await receive(ws, len(sizes))
        got = {int(e["request"]["url"].split("=")[1]): e for e in events}
        assert sorted(got) == list(range(len(sizes)))
        for i, size in enumerate(sizes):
            assert got[i]["request"]["body"] == "x" * size
        seqs = [e["seq"] for e in events]
        assert seqs == sorted(seqs)


async def test_stub_and_namespace_events() -> None:
    async with running() as (origin, http), aiohttp.ClientSession() as session:
        async with session.ws_connect(origin + "/__admin/events") as ws:
            stub_id = await stub(http, "/x", name="the-x")
            assert (await http.delete(f"/__admin/mappings/{stub_id}")).status_code == 200
            created = await http.post("/__admin/namespaces", json={"name": "shop"})
            assert created.status_code == 201, created.text
            await stub(http, "/y", prefix="/__ns/shop")
            await http.delete("/__admin/namespaces/shop")
            events = await receive(ws, 5)
        kinds = [(e["type"], e["namespace"]) for e in events]
        assert kinds == [
            ("stub.created", "default"),
            ("stub.removed", "default"),
            ("namespace.created", "shop"),
            ("stub.created", "shop"),
            ("namespace.deleted", "shop"),
        ]
        assert events[0]["stub"]["id"] == stub_id
        assert events[0]["stub"]["name"] == "the-x"


async def test_filters_select_serve_events() -> None:
    async with running() as (origin, http), aiohttp.ClientSession() as session:
        await stub(http, "/pay/v1/charge")
        await stub(http, "/stock/v1/items")
        url = origin + "/__admin/events?type=serve&service=pay&method=post&matched=true"
        async with (
            session.ws_connect(url) as ws,
            session.ws_connect(
                origin + "/__admin/events?type=serve&matched=false&path=/nope*"
            ) as misses,
        ):
            await http.get("/pay/v1/charge")  # wrong method
            await http.post("/stock/v1/items")  # wrong service (and unmatched: POST vs ANY? no)
            await http.post("/pay/v1/charge")
            await http.post("/pay/v1/nothing")  # unmatched
            await http.get("/nope/1")
            wanted = await receive(ws, 1)
            missed = await receive(misses, 1)
            await http.post("/pay/v1/charge")
            assert (await receive(ws, 1))[0]["request"]["method"] == "POST"
        assert wanted[0]["request"]["url"] == "/pay/v1/charge"
        assert wanted[0]["request"]["method"] == "POST"
        assert missed[0]["request"]["url"] == "/nope/1"


async def test_namespace_stream_sees_only_its_namespace_and_closes_when_deleted() -> None:
    async with running() as (origin, http), aiohttp.ClientSession() as session:
        for name in ("one", "two"):
            assert (await http.post("/__admin/namespaces", json={"name": name})).status_code == 201
            await stub(http, "/hello", prefix=f"/__ns/{name}")
        async with (
            session.ws_connect(origin + "/__ns/one/__admin/events") as ws,
            session.ws_connect(origin + "/__admin/events?type=serve") as root,
        ):
            await http.get("/__ns/two/hello")
            await http.get("/__ns/one/hello")
            got = await receive(ws, 1)
            everything = await receive(root, 2)
            await http.delete("/__admin/namespaces/one")
            gone = await receive(ws, 1)
            closed = await asyncio.wait_for(ws.receive(), 10)
        assert got[0]["namespace"] == "one"
        assert closed.data == CLOSE_GONE
        assert [e["namespace"] for e in everything] == ["two", "one"]
        assert gone[0]["type"] == "namespace.deleted"
        assert closed.type == aiohttp.WSMsgType.CLOSE
        assert "deleted" in str(closed.extra)


async def test_resume_with_since_replays_what_was_missed() -> None:
    async with running() as (origin, http), aiohttp.ClientSession() as session:
        await stub(http, "/r")
        async with session.ws_connect(origin + "/__admin/events?type=serve") as ws:
            await http.get("/r?n=1")
            last = (await receive(ws, 1))[0]["seq"]
        for n in (2, 3, 4):  # while nobody listens
            await http.get(f"/r?n={n}")
        async with session.ws_connect(origin + f"/__admin/events?type=serve&since={last}") as ws:
            replayed = await receive(ws, 3)
            await http.get("/r?n=5")
            live = await receive(ws, 1)
        assert [e["request"]["url"] for e in replayed + live] == [f"/r?n={n}" for n in (2, 3, 4, 5)]


async def test_resume_past_the_history_says_what_was_lost() -> None:
    async with running(event_history=3) as (origin, http), aiohttp.ClientSession() as session:
        await stub(http, "/r")  # seq 1
        for n in range(6):  # seqs 2..7; the history keeps 5..7
            await http.get(f"/r?n={n}")
        await asyncio.sleep(0.05)
        async with session.ws_connect(origin + "/__admin/events?since=1") as ws:
            gap, *kept = await receive(ws, 4)
        assert gap == {"type": "gap", "after": 1, "resumedAt": 5, "lost": 3}
        assert [e["seq"] for e in kept] == [5, 6, 7]


async def test_a_listener_that_never_reads_is_dropped_and_serving_goes_on() -> None:
    """A client that never reads: the socket buffers fill, then its buffer of pending events;
    it is dropped, and every request is still answered."""
    server = MockHttpServer(ServerConfig.embedded(event_buffer=20))
    await server.start()
    assert server.events is not None
    hub = server.events.hub
    try:
        async with httpx.AsyncClient(base_url=server.origin(), timeout=10) as http:
            await stub(http, "/big", response={"status": 200, "body": "x" * 20_000})
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(
                b"GET /__admin/events HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                b"Sec-WebSocket-Version: 13\r\n\r\n"
            )
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            assert b" 101 " in head.split(b"\r\n")[0]
            assert hub.listeners == 1
            statuses = [(await http.get("/big")).status_code for _ in range(300)]
            assert statuses == [200] * 300
            for _ in range(100):  # the close is given up to 2 s to get through
                if hub.listeners == 0:
                    break
                await asyncio.sleep(0.1)
            assert hub.listeners == 0  # dropped: nothing more is queued for it
            assert (await http.get("/big")).status_code == 200
            writer.close()
    finally:
        await server.stop()


async def test_a_listener_that_reads_late_gets_the_close_reason_and_resumes() -> None:
    async with running(event_buffer=5) as (origin, http), aiohttp.ClientSession() as session:
        await stub(http, "/s", response={"status": 200, "body": "y" * 50_000})
        async with session.ws_connect(origin + "/__admin/events?type=serve") as ws:
            await http.get("/s?n=0")
            first = (await receive(ws, 1))[0]
            # stop reading: the socket buffers fill, then the listener's five pending events
            transport = ws._response.connection.transport  # type: ignore[union-attr]
            transport.pause_reading()
            total = 1
            while total < 400:  # ~100 KB of JSON per event: a few MB fill any socket buffer
                await http.get(f"/s?n={total}")
                total += 1
            transport.resume_reading()
            seen: list[dict[str, Any]] = []
            while True:
                message = await asyncio.wait_for(ws.receive(), 10)
                if message.type != aiohttp.WSMsgType.TEXT:
                    break
                seen.append(json.loads(message.data))
        assert message.type == aiohttp.WSMsgType.CLOSE
        assert message.data == CLOSE_SLOW
        reason = str(message.extra)
        assert "slow listener" in reason
        since = int(reason.rsplit("since=", 1)[1])
        assert since == seen[-1]["seq"]  # the last event it was sent
        async with session.ws_connect(origin + f"/__admin/events?type=serve&since={since}") as ws:
            rest = await receive(ws, total - 1 - len(seen))
        urls = [e["request"]["url"] for e in [first, *seen, *rest]]
        assert urls == [f"/s?n={n}" for n in range(total)]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("colour=red", "colour"),
        ("since=yesterday", "since"),
        ("since=-3", "since"),
        ("matched=maybe", "matched"),
        ("type=serve,stub.exploded", "stub.exploded"),
        ("service=a/b", "service"),
    ],
)
async def test_bad_filters_are_400_with_the_reason(query: str, field: str) -> None:
    async with running() as (origin, http), aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(origin + "/__admin/events?" + query)
        assert refused.value.status == 400
        answer = await http.get("/__admin/events?" + query)
        assert answer.status_code == 400
        assert field in answer.text


async def test_plain_http_is_told_to_upgrade() -> None:
    async with running() as (_, http):
        answer = await http.get("/__admin/events")
        assert answer.status_code == 426
        assert "WebSocket" in answer.json()["errors"][0]["title"]


async def test_events_need_the_admin_token() -> None:
    async with running(admin_token="t0k") as (origin, _), aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(origin + "/__admin/events")
        assert refused.value.status == 401
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await session.ws_connect(
                origin + "/__admin/events", headers={"Authorization": "Bearer wrong"}
            )
        async with session.ws_connect(
            origin + "/__admin/events", headers={"Authorization": "Bearer t0k"}
        ) as ws:
            assert not ws.closed


async def test_garbage_frames_cost_only_their_connection() -> None:
    async with running() as (origin, http), aiohttp.ClientSession() as session:
        await stub(http, "/g")
        async with session.ws_connect(origin + "/__admin/events?type=serve") as ws:
            await ws.send_bytes(b"\x00\xff" * 100)
            await ws.send_str("not json at all")
            await http.get("/g")
            assert (await receive(ws, 1))[0]["request"]["url"] == "/g"
        async with session.ws_connect(origin + "/__admin/events") as big:
            await big.send_bytes(b"x" * (128 * 1024))  # over the frame cap: closed
            closed = await asyncio.wait_for(big.receive(), 10)
            assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        assert (await http.get("/g")).status_code == 200


async def test_no_event_stream_says_so() -> None:
    async with running(event_history=0) as (_, http):
        answer = await http.get("/__admin/events")
        assert answer.status_code == 404
        assert "--event-history 0" in answer.text


# -- the Python client's events() ----------------------------------------------------------
def test_sync_client_events_filter_and_resume_after_a_slow_close() -> None:
    import threading

    from mockbdd import Client, MockServer

    with MockServer(event_buffer=3) as server, Client(server.url) as admin:
        admin.create_stub(
            {"request": {"urlPath": "/c"}, "response": {"status": 200, "body": "z" * 50_000}}
        )
        with admin.events(types=("serve",), method="GET") as stream:
            httpx.post(server.url + "/c")  # filtered out
            httpx.get(server.url + "/c?n=0")
            assert next(stream)["request"]["url"] == "/c?n=0"
            # the stream is not read while 300 large events go by: closed, then resumed
            done = threading.Event()

            def send() -> None:
                with httpx.Client() as http:
                    for n in range(1, 300):
                        http.get(f"{server.url}/c?n={n}")
                done.set()

            sender = threading.Thread(target=send)
            sender.start()
            done.wait(60)
            sender.join()
            urls = [next(stream)["request"]["url"] for _ in range(299)]
            assert stream.resumed >= 1  # it was closed for falling behind, and came back
        assert urls == [f"/c?n={n}" for n in range(1, 300)]


def test_sync_client_events_refused_and_ended() -> None:
    from mockbdd import Client, MockServer
    from mockbdd.client.errors import AdminError

    with MockServer() as server, Client(server.url) as admin:
        with pytest.raises(AdminError) as refused:
            next(iter(admin.events(path=None, matched=None, since=None, service="a/b")))
        assert refused.value.status == 400
        assert "service" in refused.value.title
        ns = admin.create_namespace("gone")
        with Client(ns.url()).events() as stream:
            ns.close()
            ended = list(stream)  # its namespace.deleted, then the stream ends
        assert [e["type"] for e in ended] == ["namespace.deleted"]


async def test_async_client_events() -> None:
    from mockbdd import AsyncClient

    async with running() as (origin, http), AsyncClient(origin) as admin:
        await stub(http, "/aio")
        async with admin.events(types=("serve",), matched=True) as stream:
            await http.get("/nope")
            await http.get("/aio")
            event = await stream.__anext__()
        assert event["request"]["url"] == "/aio"
        assert event["type"] == "serve"
