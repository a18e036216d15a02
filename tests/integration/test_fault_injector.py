"""Faults as actions the data plane awaits, over real sockets: NO_RESPONSE holds the connection,
TRUNCATED_BODY cuts the planned answer short, and a plugin's fault is served like a built-in."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from mockbdd.config import ServerConfig
from mockbdd.domain.faults import FAULTS, FaultContext
from mockbdd.domain.journal import PENDING, ServeEvent
from mockbdd.domain.namespace import Namespace
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.extensions import Extensions
from mockbdd.server.runner import MockHttpServer
from mockbdd.wire import builtins
from mockbdd.wire.mappings import parse_stub_mapping


def builtin_extensions() -> Extensions:
    """The server's built-ins, not yet frozen, so a test can add its own entries."""
    extensions = Extensions()
    builtins.register(extensions)
    return extensions


@asynccontextmanager
async def running(extensions: Extensions | None = None) -> AsyncIterator[MockHttpServer]:
    server = MockHttpServer(ServerConfig(port=0), extensions=extensions)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def fault_stub(ns: Namespace, path: str, fault: str, body: str = "") -> None:
    stub = parse_stub_mapping(
        {
            "request": {"urlPath": path},
            "response": {"status": 201, "headers": {"X-Kind": "planned"}, "body": body},
        }
    )
    assert isinstance(stub.response, ResponseDefinition)
    ns.add_stub(dataclasses.replace(stub, response=dataclasses.replace(stub.response, fault=fault)))


async def exchange(port: int, path: str, wait: float = 5.0) -> bytes:
    """Send one GET and read until the server closes the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    try:
        return await asyncio.wait_for(reader.read(), wait)
    finally:
        writer.close()


async def completed(ns: Namespace) -> ServeEvent:
    """The newest journal entry, once its exchange has completed."""
    done: asyncio.Future[ServeEvent] = asyncio.get_running_loop().create_future()
    newest = next(ns.journal.events(), None)
    if newest is not None and newest.response is not PENDING:
        return newest

    def on_completed(event: ServeEvent) -> None:
        if not done.done():
            done.set_result(event)

    unsubscribe = ns.journal.subscribe_completed(on_completed)
    try:
        return await asyncio.wait_for(done, 10)
    finally:
        unsubscribe()


async def test_no_response_sends_nothing_until_the_client_gives_up() -> None:
    async with running() as server, httpx.AsyncClient(base_url=server.origin()) as http:
        ns = server.engine.default
        fault_stub(ns, "/hang", "NO_RESPONSE", body="never sent")
        fault_stub(ns, "/ok", "EMPTY_RESPONSE")
        with pytest.raises(httpx.ReadTimeout):
            await http.get("/hang", timeout=0.3)
        event = await completed(ns)  # the client hung up: the hold ends, the entry completes
        assert (event.request.path, event.response.status) == ("/hang", 0)
        assert event.response.fault == "NO_RESPONSE"
        assert event.total_ms >= event.processing_ms
        health = await http.get("/__admin/health")  # and the server serves on
        assert health.status_code == 200


async def test_a_held_connection_is_let_go_when_the_cap_passes() -> None:
    async def hold_briefly(ctx: FaultContext) -> None:
        await ctx.hold(0.2)
        ctx.close()

    extensions = builtin_extensions()
    extensions.add(FAULTS, "HOLD_BRIEFLY", hold_briefly, origin="test")
    async with running(extensions) as server:
        fault_stub(server.engine.default, "/brief", "HOLD_BRIEFLY", body="x")
        assert await exchange(server.port, "/brief") == b""  # closed, nothing written


async def test_truncated_body_sends_the_planned_head_and_half_the_body() -> None:
    async with running() as server, httpx.AsyncClient(base_url=server.origin()) as http:
        fault_stub(server.engine.default, "/cut", "TRUNCATED_BODY", body="0123456789")
        raw = await exchange(server.port, "/cut")
        head, _, body = raw.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 201 Created\r\n")
        assert b"\r\nX-Kind: planned" in head
        assert b"\r\nContent-Length: 10" in head
        assert body == b"01234"
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get("/cut")
        count = await http.post("/__admin/requests/count", json={"url": "/cut"})
        assert count.json()["count"] == 2


async def test_a_plugin_fault_is_awaited_like_a_built_in() -> None:
    async def goodbye(ctx: FaultContext) -> None:
        ctx.write(b"HTTP/1.1 418 Bye\r\nContent-Length: 3\r\n\r\nbye")
        await asyncio.sleep(0)
        ctx.close()

    extensions = builtin_extensions()
    extensions.add(FAULTS, "GOODBYE", goodbye, origin="test")
    async with running(extensions) as server, httpx.AsyncClient(base_url=server.origin()) as http:
        fault_stub(server.engine.default, "/bye", "GOODBYE")
        answer = await http.get("/bye")
        assert (answer.status_code, answer.text) == (418, "bye")
        event = await completed(server.engine.default)
        assert event.response.fault == "GOODBYE"


async def test_a_fault_this_server_does_not_know_is_a_clear_500() -> None:
    async with running() as server, httpx.AsyncClient(base_url=server.origin()) as http:
        fault_stub(server.engine.default, "/odd", "NOT_A_FAULT")
        answer = await http.get("/odd")
        assert answer.status_code == 500
        assert "no fault named 'NOT_A_FAULT' on this server" in answer.text
        assert "NO_RESPONSE" in answer.text  # the names it does know
        event = next(server.engine.default.journal.events())
        assert event.response.status == 500
        assert event.response.fault is None
