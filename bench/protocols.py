#!/usr/bin/env python3
"""Protocols (#11) against baselines from the same run:

- WebSocket round trips per second through a ``webSocket`` stub (a reply per matching message)
  vs a bare aiohttp (+ uvloop) echo server;
- chat completions per second through ``openai-chat``, plain and streamed, vs a static stub
  answering the same JSON.

    python bench/protocols.py [--seconds S] [--conn C]

Servers are pinned to CPU $SERVER_CPU (0) and the load (this process) to $LOAD_CPU (1), one
server at a time. Figures are ratios; the machine's absolute numbers vary.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

import aiohttp
import httpx
from common import LOAD_CPU, SERVER_CPU, free_port, mockbdd_cmd, stop, wait_ready

ECHO = """
import sys, asyncio
from aiohttp import web
try:
    import uvloop; uvloop.install()
except ImportError:
    pass
async def ws(request):
    sock = web.WebSocketResponse()
    await sock.prepare(request)
    async for msg in sock:
        await sock.send_str("pong")
    return sock
async def health(request):
    return web.Response(text="ok")
app = web.Application()
app.router.add_get("/live", ws)
app.router.add_get("/__admin/health", health)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""
CHAT = {"content": "Sunny, 21 degrees in Paris today.", "stream": {"chunkChars": 8}}
ASK = {"model": "gpt-4o", "messages": [{"role": "user", "content": "weather?"}]}


@contextmanager
def serving(cmd: list[str], port: int) -> Iterator[str]:
    proc = subprocess.Popen(
        ["taskset", "-c", SERVER_CPU, *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(f"{base}/__admin/health")
        yield base
    finally:
        stop(proc)


async def rate(work: Callable[[], Awaitable[int]], conns: int, seconds: float) -> float:
    """Operations per second of ``conns`` loops running ``work`` (returns operations done)."""
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()

    async def loop() -> int:
        done = 0
        while time.perf_counter() < deadline:
            done += await work()
        return done

    total = sum(await asyncio.gather(*(loop() for _ in range(conns))))
    return total / (time.perf_counter() - started)


async def ws_round_trips(base: str, conns: int, seconds: float) -> float:
    url = base.replace("http://", "ws://") + "/live"
    async with aiohttp.ClientSession() as session:
        sockets = [await session.ws_connect(url) for _ in range(conns)]
        for sock in sockets:  # the stub greets first; the echo does not
            try:
                await asyncio.wait_for(sock.receive(), 0.2)
            except TimeoutError:
                pass
        free = list(sockets)

        async def trip() -> int:
            sock = free.pop()
            try:
                for _ in range(50):
                    await sock.send_str("ping")
                    await sock.receive()
            finally:
                free.append(sock)
            return 50

        result = await rate(trip, conns, seconds)
        for sock in sockets:
            await sock.close()
        return result


async def posts(base: str, path: str, body: dict[str, object], conns: int, seconds: float) -> float:
    connector = aiohttp.TCPConnector(limit=conns)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one() -> int:
            async with session.post(base + path, json=body) as answer:
                await answer.read()
                assert answer.status == 200, answer.status
            return 1

        return await rate(one, conns, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--conn", type=int, default=8)
    args = parser.parse_args()
    os.sched_setaffinity(0, {int(LOAD_CPU)})
    s, c = args.seconds, args.conn

    port = free_port()
    with serving([sys.executable, "-c", ECHO, str(port)], port) as base:
        echo = asyncio.run(ws_round_trips(base, c, s))
    port = free_port()
    with serving(mockbdd_cmd(port), port) as base:
        stubs = [
            {"request": {"urlPath": "/live"}, "webSocket": {
                "onConnect": [{"text": "hi"}],
                "onMessage": [{"match": {"equalTo": "ping"}, "reply": [{"text": "pong"}]}]}},
            {"request": {"method": "POST", "urlPath": "/v1/chat/completions"},
             "response": {"transformers": ["openai-chat"], "transformerParameters": CHAT}},
        ]  # fmt: skip
        for stub in stubs:
            httpx.post(base + "/__admin/mappings", json=stub).raise_for_status()
        plain = httpx.post(base + "/v1/chat/completions", json=ASK).json()
        static = {"request": {"method": "POST", "urlPath": "/static"},
                  "response": {"jsonBody": plain}}  # fmt: skip
        httpx.post(base + "/__admin/mappings", json=static).raise_for_status()
        stubbed = asyncio.run(ws_round_trips(base, c, s))
        chat = asyncio.run(posts(base, "/v1/chat/completions", ASK, c, s))
        streamed = asyncio.run(posts(base, "/v1/chat/completions", {**ASK, "stream": True}, c, s))
        baseline = asyncio.run(posts(base, "/static", ASK, c, s))
    print(json.dumps({
        "websocket_round_trips_per_s": {"webSocket stub": round(stubbed), "aiohttp echo": round(echo),
                                        "ratio": round(stubbed / echo, 3)},
        "chat_completions_per_s": {"plain": round(chat), "streamed": round(streamed),
                                   "static stub, same JSON": round(baseline),
                                   "plain ratio": round(chat / baseline, 3),
                                   "streamed ratio": round(streamed / baseline, 3)},
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
