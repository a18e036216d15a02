"""AsyncClient and AsyncNamespaceHandle against a server on the test's own event loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from mockbdd.client import (
    AdminError,
    AsyncClient,
    AsyncNamespaceHandle,
    VerificationError,
    any_method,
    get,
    in_scenario,
    ok,
    post,
)
from mockbdd.server.embedded import MockServer


@pytest.fixture
async def aserver() -> AsyncIterator[MockServer]:
    async with MockServer() as server:
        yield server


@pytest.fixture
async def client(aserver: MockServer) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(aserver.url) as c:
        yield c


@pytest.fixture
async def http(aserver: MockServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=aserver.url) as h:
        yield h


async def test_stub_methods(client: AsyncClient, http: httpx.AsyncClient) -> None:
    stub = await client.create_stub(get("/a").with_metadata({"team": "x"}).will_return(ok("1")))
    assert (await client.get_stub(stub["id"]))["response"]["body"] == "1"
    await client.update_stub(stub["id"], get("/a").will_return(ok("2")))
    assert (await http.get("/a")).text == "2"
    assert len(await client.list_stubs()) == 1
    assert len(await client.unmatched_stubs()) == 0
    await client.import_stubs([get("/b").build()])
    assert len(await client.list_stubs(limit=5)) == 2
    await client.delete_stub(stub["id"])
    assert [s.request["urlPath"] for s in await client.list_stubs()] == ["/b"]
    await client.create_stub(get("/m").with_metadata({"team": "x"}))
    assert len(await client.find_stubs_by_metadata({"matchesJsonPath": "$.team"})) == 1
    await client.remove_stubs_by_metadata({"matchesJsonPath": "$.team"})
    assert len(await client.list_stubs()) == 1
    with pytest.raises(AdminError):  # 409: this server has no --mappings folder to save into
        await client.save_stubs()
    await client.delete_stubs()
    assert await client.list_stubs() == []
    await client.create_stub(get("/c"))
    await client.reset_mappings()
    assert await client.list_stubs() == []


async def test_journal_methods(client: AsyncClient, http: httpx.AsyncClient) -> None:
    await client.create_stub(any_method("/a"))
    await http.get("/a")
    await http.post("/a", content=b"x")
    await http.get("/nope")
    events = await client.requests()
    assert len(events) == 3
    assert len(await client.requests(limit=2)) == 2
    assert len(await client.requests(unmatched=True)) == 1
    assert len(await client.requests(matching_stub=events[-1].stub.id)) == 2
    assert (await client.get_request(events[0].id)).request.url == "/nope"
    assert await client.count({"method": "ANY", "urlPath": "/a"}) == 2
    assert [r.method for r in await client.find(post("/a"))] == ["POST"]
    assert [r.url for r in await client.unmatched_requests()] == ["/nope"]
    assert (await client.unmatched_near_misses())[0].request.url == "/nope"
    misses = await client.near_misses_for_request({"url": "/b", "method": "GET"})
    assert misses[0].stub is not None
    assert misses[0].stub.request["urlPath"] == "/a"
    assert (await client.near_misses_for_pattern(get("/nop")))[0].request.url == "/nope"
    await client.delete_request(events[0].id)
    assert len(await client.remove_requests(post("/a"))) == 1
    assert await client.count({"method": "ANY"}) == 1
    await client.reset_requests()
    assert await client.requests() == []


async def test_match_verify_switch_and_unused(client: AsyncClient, http: httpx.AsyncClient) -> None:
    await client.create_stub(get("/svc/a").will_return(ok("a")))
    found = await client.match({"method": "GET", "url": "/svc/a"})
    assert found.matched
    assert found.response == {"status": 200, "body": "a"}
    await http.get("/svc/a")
    await http.post("/svc/b", json={"n": 1})
    assert (await client.verify_requests(get("/svc/a"), 1, mode="atLeast")).holds
    missed = await client.verify_requests(get("/svc/b"), service="svc")
    assert (missed.holds, missed.near_misses[0].number) == (False, 1)  # GET /svc/a
    assert (await client.verify_in_order([get("/svc/a"), post("/svc/b")])).holds
    assert (await client.verify_nth(post("/svc/b"), 1, post("/svc/b"), timeout=0.1)).holds
    assert await client.unused_stubs("svc") == []
    switched = await client.switch_stubs(["svc"], [get("/svc/new")])
    assert len(switched.removed) == 1
    assert [s.service for s in await client.unused_stubs(timeout=0.05)] == ["svc"]


async def test_verify_and_wait(client: AsyncClient, aserver: MockServer) -> None:
    async with httpx.AsyncClient() as http:

        async def send_later() -> None:
            await asyncio.sleep(0.1)
            await http.get(aserver.url + "/late")

        sender = asyncio.create_task(send_later())
        assert await client.wait_for(get("/late"), 1, timeout=10) == 1
        await sender
        assert await client.verify(get("/late")) == 1
        with pytest.raises(VerificationError) as err:
            await client.verify(get("/later"))
        assert "but received 0" in str(err.value)
        assert "actual: /late" in str(err.value)
        with pytest.raises(VerificationError, match=r"within 0\.1 s"):
            await client.wait_for(get("/later"), 1, timeout=0.1)


async def test_scenarios_settings_system(client: AsyncClient, http: httpx.AsyncClient) -> None:
    flow = in_scenario("s").when_scenario_state_is("Started").will_set_state_to("two")
    await client.create_stub(get("/s").in_scenario(flow))
    await http.get("/s")
    assert (await client.scenarios())[0]["state"] == "two"
    await client.reset_scenarios()
    assert (await client.scenarios())[0]["state"] == "Started"
    await client.set_scenario_state("s", "two")
    assert (await client.scenarios())[0]["state"] == "two"
    assert await client.update_settings(fixed_delay=1) == {"fixedDelay": 1}
    assert await client.settings() == {"fixedDelay": 1}
    await client.reset()
    assert await client.list_stubs() == []
    assert (await client.health())["status"] == "healthy"
    assert await client.version()
    with pytest.raises(AdminError) as err:
        await client.create_stub({"request": {"method": "GET"}, "respons": {}})
    assert err.value.pointer == "/respons"


async def test_namespace_handles(client: AsyncClient, aserver: MockServer) -> None:
    async with httpx.AsyncClient() as http:
        a = await client.create_namespace("async-a")
        async with await client.create_namespace() as b:
            await a.stub(post("/v1/charges").will_return(ok("charged")), service="payments")
            assert (await http.post(a.url("payments") + "/v1/charges")).text == "charged"
            assert (await http.post(b.url("payments") + "/v1/charges")).status_code == 404
            assert [r.url for r in await a.requests("payments")] == ["/payments/v1/charges"]
            assert await b.count("POST", "/v1/charges", "payments") == 1
            assert await a.count("ANY", "/v1/charges", "payments") == 1
            await a.verify(1, "POST", "/v1/charges", "payments")
            assert await a.wait_for(1, "POST", "/v1/charges", "payments") == 1
            with pytest.raises(VerificationError, match="actual: /payments/v1/charges"):
                await a.verify(1, "POST", "/v1/charge", "payments")
            await a.reset()
            assert await a.requests() == []
            names = {n["name"] for n in await client.namespaces()}
            assert {"async-a", b.name} <= names
        assert b.closed
        again = await client.namespace("async-a")
        assert again.admin_url == a.admin_url
        assert await client.delete_namespace("async-a") is True
        await a.close()  # already gone: ignored
        await a.close()
        assert a.closed
        assert await client.delete_namespace("async-a", missing_ok=True) is False


async def test_async_apply(client: AsyncClient) -> None:
    seen: list[str] = []

    async def applier(handle: AsyncNamespaceHandle, name: str, params: dict[str, str]) -> None:
        seen.append(f"{handle.name}:{name}:{params}")

    async with await client.create_namespace("applied", applier=applier) as handle:
        await handle.apply("m", k="v")
    assert seen == ["applied:m:{'k': 'v'}"]
    async with await client.create_namespace() as plain:
        with pytest.raises(RuntimeError, match="BDD integration"):
            await plain.apply("m")


async def test_shutdown_is_accepted(client: AsyncClient) -> None:
    # In-process (``async with``) servers are stopped by their owner; shutdown only answers 200.
    await client.shutdown()
