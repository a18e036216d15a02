"""Service plugins mounted into namespaces over real HTTP: ``POST /__admin/plugins/{name}/mount``
makes the plugin answer under ``/<service>`` before the stubs, per namespace, with its own state;
bad mounts are refused whole; a plugin that raises is a 500 naming it; unmounting, replacing and
deleting the namespace close the mount."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import httpx
import pytest

from mockbdd.config import ServerConfig
from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.domain.service_plugins import SERVICE_PLUGINS, PluginSocket, websocket_route
from mockbdd.extensions import Extensions
from mockbdd.server.runner import MockHttpServer
from mockbdd.wire import builtins

CLOSED: list[str] = []


class Counting:
    def __init__(self, service: str, start: int, rng: random.Random) -> None:
        self.service, self.count, self.rng = service, start, rng

    async def answer(self, request: RecordedRequest, path: str) -> ResponseDefinition | None:
        if path == "/boom":
            raise RuntimeError("the counter broke")
        if path == "/echo":  # a WebSocket route under the service, like the REST one
            return websocket_route(self._echo)
        if path != "/next":
            return None
        self.count += 1
        body = json.dumps({"count": self.count, "roll": self.rng.randint(1, 10**9)})
        return ResponseDefinition(200, body=body.encode())

    async def _echo(self, socket: PluginSocket) -> None:
        async for text in socket.incoming():
            if text == "bye":
                await socket.close(4000, "asked to")
                return
            self.count += 1
            await socket.send(f"{self.count}:{text}")

    async def close(self) -> None:
        CLOSED.append(self.service)


class Counter:
    def check(self, config: Mapping[str, Any]) -> None:
        if not isinstance(config.get("start", 0), int):
            raise ValueError("'start' must be a whole number")

    def mount(self, service: str, config: Mapping[str, Any], rng: random.Random) -> Counting:
        return Counting(service, int(config.get("start", 0)), rng)


@asynccontextmanager
async def serving(seed: int | None = None) -> AsyncIterator[httpx.AsyncClient]:
    extensions = Extensions()
    builtins.register(extensions)
    extensions.add(SERVICE_PLUGINS, "counter", Counter(), origin="test")
    server = MockHttpServer(ServerConfig(port=0, seed=seed), extensions=extensions.freeze())
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.origin(), timeout=10) as http:
            yield http
    finally:
        await server.stop()


async def mount(http: httpx.AsyncClient, body: Any, prefix: str = "") -> httpx.Response:
    return await http.post(f"{prefix}/__admin/plugins/counter/mount", json=body)


async def test_a_mounted_plugin_answers_under_its_service_before_the_stubs() -> None:
    async with serving() as http:
        stub = {"request": {"urlPathPattern": "/tally/.*"}, "response": {"status": 418}}
        assert (await http.post("/__admin/mappings", json=stub)).status_code == 201
        mounted = await mount(http, {"service": "tally", "config": {"start": 41}})
        assert mounted.status_code == 201, mounted.text
        assert mounted.json()["url"].endswith("/tally")
        assert (await http.get("/tally/next")).json()["count"] == 42
        assert (await http.get("/tally/next")).json()["count"] == 43
        assert (await http.get("/tally/other")).status_code == 418  # not the plugin's path
        assert (await http.get("/elsewhere/next")).status_code == 404
        listed = (await http.get("/__admin/plugins")).json()
        assert "counter" in listed["plugins"]
        assert [(m["plugin"], m["service"], m["config"]) for m in listed["mounts"]] == [
            ("counter", "tally", {"start": 41})
        ]
        paths = [
            e["request"]["url"] for e in (await http.get("/__admin/requests")).json()["requests"]
        ]
        assert paths.count("/tally/next") == 2  # plugin answers are journaled too


async def test_mounts_are_per_namespace_and_replacing_or_unmounting_closes_them() -> None:
    CLOSED.clear()
    async with serving() as http:
        assert (await http.post("/__admin/namespaces", json={"name": "a"})).status_code == 201
        assert (await mount(http, {"service": "tally"}, "/__ns/a")).status_code == 201
        assert (await http.get("/__ns/a/tally/next")).json()["count"] == 1
        assert (await http.get("/tally/next")).status_code == 404  # not mounted in default
        replaced = await mount(http, {"service": "tally", "config": {"start": 10}}, "/__ns/a")
        assert replaced.status_code == 200
        assert CLOSED == ["tally"]
        assert (await http.get("/__ns/a/tally/next")).json()["count"] == 11
        assert (await http.delete("/__ns/a/__admin/plugins/mounts/tally")).status_code == 200
        assert CLOSED == ["tally", "tally"]
        assert (await http.get("/__ns/a/tally/next")).status_code == 404
        gone = await http.delete("/__ns/a/__admin/plugins/mounts/tally")
        assert gone.status_code == 404
        assert (await mount(http, {"service": "tally"}, "/__ns/a")).status_code == 201
        assert (await http.delete("/__admin/namespaces/a")).status_code == 200
    assert CLOSED == ["tally", "tally", "tally"]


async def test_the_same_seed_gives_a_plugin_the_same_random_numbers() -> None:
    rolls = []
    for _ in range(2):
        async with serving(seed=7) as http:
            await mount(http, {"service": "dice"})
            rolls.append([(await http.get("/dice/next")).json()["roll"] for _ in range(3)])
    assert rolls[0] == rolls[1]


async def test_bad_mounts_are_refused_whole_with_the_field() -> None:
    async with serving() as http:
        cases = [
            ("/__admin/plugins/nope/mount", {"service": "x"}, "/plugin", "must be one of the registered service plugins (binance_spot, kraken_spot, counter"),
            ("/__admin/plugins/counter/mount", {}, "/service", "the service to mount it as"),
            ("/__admin/plugins/counter/mount", {"service": "a b"}, "/service", "service name 'a b' must match"),
            ("/__admin/plugins/counter/mount", {"service": "x", "config": []}, "/config", "the plugin's config, a JSON object"),
            ("/__admin/plugins/counter/mount", {"service": "x", "config": {"start": "1"}}, "/config", "counter: 'start' must be a whole number"),
        ]  # fmt: skip
        for url, body, pointer, reason in cases:
            answer = await http.post(url, json=body)
            assert answer.status_code == 422, answer.text
            error = answer.json()["errors"][0]
            assert error["source"]["pointer"] == pointer
            assert error["title"].startswith(reason), error
        assert (await http.get("/__admin/plugins")).json()["mounts"] == []


async def test_a_plugin_that_raises_answers_500_naming_it_and_serving_goes_on() -> None:
    async with serving() as http:
        await mount(http, {"service": "tally"})
        broken = await http.get("/tally/boom")
        assert broken.status_code == 500
        assert "service plugin 'counter' (service 'tally') failed: the counter broke" in broken.text
        assert (await http.get("/tally/next")).json()["count"] == 1


async def test_a_namespace_opens_with_mounts_all_or_nothing() -> None:
    async with serving() as http:
        body = {"name": "m", "mounts": {"tally": {"plugin": "counter", "config": {"start": 5}}}}
        assert (await http.post("/__admin/namespaces", json=body)).status_code == 201
        assert (await http.get("/__ns/m/tally/next")).json()["count"] == 6
        bad = {"name": "n", "mounts": {"tally": {"plugin": "counter", "config": {"start": "x"}}}}
        refused = await http.post("/__admin/namespaces", json=bad)
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["source"]["pointer"] == "/mounts/tally/config"
        names = [n["name"] for n in (await http.get("/__admin/namespaces")).json()["namespaces"]]
        assert "n" not in names  # nothing was left behind
        shape = await http.post("/__admin/namespaces", json={"mounts": {"t": {"plug": "x"}}})
        assert shape.json()["errors"][0]["source"]["pointer"] == "/mounts/t"


async def test_a_plugin_websocket_route_is_served_under_its_service() -> None:
    async with serving() as http:
        mounted = await mount(http, {"service": "tally", "config": {"start": 9}})
        assert mounted.status_code == 201, mounted.text
        base = str(http.base_url).replace("http", "ws", 1).rstrip("/")
        ws_url = base + "/tally/echo"
        async with aiohttp.ClientSession() as session, session.ws_connect(ws_url) as ws:
            await ws.send_str("hi")
            assert await ws.receive_str() == "10:hi"  # the mount's own state, shared with REST
            assert (await http.get("/tally/next")).json()["count"] == 11
            await ws.send_str("bye")
            closing = await ws.receive()
            assert closing.type == aiohttp.WSMsgType.CLOSE
            assert closing.data == 4000
        plain = await http.get("/tally/echo")  # no Upgrade: told how to ask
        assert plain.status_code == 426
        assert "WebSocket" in plain.text
        async with aiohttp.ClientSession() as session:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(base + "/tally/x")  # not the plugin's: the 404 report
            assert refused.value.status == 404
