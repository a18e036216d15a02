#!/usr/bin/env python3
"""WebSocket message round trips per second (#11 Proof) through ``webSocket`` stubs, against a
bare aiohttp (+ uvloop) echo server measured in the same run:

- a plain reply (``onMessage`` with a content pattern, a fixed text);
- a templated reply (``response-template``: ``{{message.body}}``, compiled once);
- a plain reply with conditions configured that never fire (a per-connection ``rateLimit``
  far above the rate, ``chaos`` at rate 0, a delay distribution of 0 ms).

    python bench/websocket_stubs.py [--seconds S] [--conn C] [--batch B] [--only NAME]...

Each of C connections sends a message and waits for the reply, B times per loop. Servers are
pinned to CPU $SERVER_CPU (0) and the load (this process) to $LOAD_CPU (1), one server at a
time. Figures are ratios to the echo; the machine's absolute numbers vary.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
import httpx
from common import LOAD_CPU, SERVER_CPU, cpu_seconds, free_port, mockbdd_cmd, stop, wait_ready
from protocols import ECHO

REPLY = {"match": {"equalTo": "ping"}, "reply": [{"text": "pong"}]}
STUBS: dict[str, dict[str, Any]] = {
    "plain": {"onConnect": [{"text": "hi"}], "onMessage": [REPLY]},
    "templated": {
        "onConnect": [{"text": "hi"}],
        "transformers": ["response-template"],
        "onMessage": [{"match": {"equalTo": "ping"}, "reply": [{"text": "p{{message.body}}"}]}],
    },
    "conditions, never firing": {
        "onConnect": [{"text": "hi"}],
        "onMessage": [REPLY],
        "rateLimit": {"messages": 1_000_000_000, "periodMs": 1000},
        "chaos": {"dropRate": 0.0, "errorRate": 0.0},
        "delayDistribution": {"type": "uniform", "lower": 0, "upper": 0},
    },
}


@contextmanager
def serving(cmd: list[str], port: int) -> Iterator[tuple[str, int]]:
    """The server's base URL and pid (its CPU time is read around each measure)."""
    proc = subprocess.Popen(
        ["taskset", "-c", SERVER_CPU, *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(f"{base}/__admin/health")
        yield base, proc.pid
    finally:
        stop(proc)


def measure(url: str, pid: int, conns: int, seconds: float, batch: int) -> tuple[float, float]:
    """Round trips per second, and the server's CPU microseconds per round trip (the figure
    that holds when the machine is shared: waiting for a CPU costs no CPU time)."""
    cpu = cpu_seconds(pid)
    started = time.perf_counter()
    rate = asyncio.run(round_trips(url, conns, seconds, batch))
    done = rate * (time.perf_counter() - started)
    return rate, (cpu_seconds(pid) - cpu) * 1e6 / max(done, 1)


async def round_trips(url: str, conns: int, seconds: float, batch: int) -> float:
    """Messages answered per second over ``conns`` connections, each in lock step."""
    async with aiohttp.ClientSession() as session:
        sockets = [await session.ws_connect(url) for _ in range(conns)]
        for sock in sockets:  # the stubs greet first; the echo does not
            try:
                await asyncio.wait_for(sock.receive(), 0.2)
            except TimeoutError:
                pass
        deadline = time.perf_counter() + seconds
        started = time.perf_counter()

        async def loop(sock: aiohttp.ClientWebSocketResponse) -> int:
            done = 0
            while time.perf_counter() < deadline:
                for _ in range(batch):
                    await sock.send_str("ping")
                    await sock.receive()
                done += batch
            return done

        total = sum(await asyncio.gather(*(loop(s) for s in sockets)))
        elapsed = time.perf_counter() - started
        for sock in sockets:
            await sock.close()
        return total / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--conn", type=int, default=8)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--only", action="append", choices=list(STUBS), help="these stubs only")
    args = parser.parse_args()
    os.sched_setaffinity(0, {int(LOAD_CPU)})
    s, c, b = args.seconds, args.conn, args.batch

    port = free_port()
    with serving([sys.executable, "-c", ECHO, str(port)], port) as (base, pid):
        echo, echo_us = measure(base.replace("http", "ws") + "/live", pid, c, s, b)
    port = free_port()
    measured: dict[str, tuple[float, float]] = {}
    with serving(mockbdd_cmd(port), port) as (base, pid):
        for i, (name, script) in enumerate(STUBS.items()):
            if args.only and name not in args.only:
                continue
            stub = {"request": {"urlPath": f"/ws{i}"}, "webSocket": script}
            httpx.post(base + "/__admin/mappings", json=stub).raise_for_status()
            measured[name] = measure(base.replace("http", "ws") + f"/ws{i}", pid, c, s, b)
    report: dict[str, Any] = {
        "aiohttp echo": {"per_s": round(echo), "server_cpu_us": round(echo_us, 1)}
    }
    for name, (rate, us) in measured.items():
        report[f"webSocket stub, {name}"] = {
            "per_s": round(rate),
            "server_cpu_us": round(us, 1),
            "rate ratio": round(rate / echo, 3),
            "cpu ratio": round(us / echo_us, 3),
        }
    print(json.dumps({"websocket_round_trips": report}, indent=2))


if __name__ == "__main__":
    main()
