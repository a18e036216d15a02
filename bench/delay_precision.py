"""Delay precision: p99 of |observed - target| for a 50 ms delay under 500 req/s (goal <= 1 ms),
against an aiohttp server that answers after ``asyncio.sleep(0.05)`` (the baseline), same run.

    .venv/bin/python bench/delay_precision.py [--seconds 5] [--rate 500] [--target-ms 50]

Each server is pinned to $SERVER_CPU (0), the load to $LOAD_CPU (1). The load is open-model:
request i is due at ``start + i / rate`` and its latency is measured from that moment (no
coordinated omission), on a keep-alive pool large enough that no request waits for a
connection. Reports, per server, the error |latency - target| at p50, p99 and max, and the
requests that came back early (latency below the target). About ``2 x seconds`` plus
start-up (15 s with the defaults).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import httpx
from common import LOAD_CPU, free_port, mockbdd_cmd, pinned, wait_ready

BASELINE = """\
import asyncio, sys
from aiohttp import web
import uvloop

DELAY = float(sys.argv[2]) / 1000

async def slow(_request):
    await asyncio.sleep(DELAY)
    return web.Response(body=b'{"id":1}', content_type="application/json")

async def health(_request):
    return web.Response(text="ok")

uvloop.install()
app = web.Application()
app.router.add_get("/api/slow", slow)
app.router.add_get("/__admin/health", health)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
"""


async def load(url: str, rate: float, seconds: float) -> list[float]:
    """Latencies in ms, each from its request's intended send time."""
    total = int(rate * seconds)
    connector = aiohttp.TCPConnector(limit=0)
    latencies: list[float] = []
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(due: float) -> None:
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            async with session.get(url) as resp:
                await resp.read()
            latencies.append((time.perf_counter() - due) * 1000)

        for _ in range(50):  # warm the pool and the server
            await one(time.perf_counter())
        latencies.clear()
        start = time.perf_counter() + 0.05
        await asyncio.gather(*(one(start + i / rate) for i in range(total)))
    return latencies


def measure(url: str, rate: float, seconds: float) -> list[float]:
    """Run the load in a process of its own, pinned to the load CPU."""
    here = str(Path(__file__).parent)
    code = (
        f"import asyncio, json, sys; sys.path.insert(0, {here!r}); import delay_precision as d; "
        f"print(json.dumps(asyncio.run(d.load({url!r}, {rate!r}, {seconds!r}))))"
    )
    out = subprocess.run(
        ["taskset", "-c", LOAD_CPU, sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    values: list[float] = json.loads(out)
    return values


def report(name: str, latencies: list[float], target: float) -> None:
    errors = sorted(abs(x - target) for x in latencies)
    p99 = errors[min(len(errors) - 1, int(0.99 * len(errors)))]
    early = sum(1 for x in latencies if x < target)
    print(
        f"{name:<28} n={len(errors):>6} |error| p50 {statistics.median(errors):6.2f} ms"
        f"  p99 {p99:6.2f} ms  max {errors[-1]:7.2f} ms  early {early}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--target-ms", type=float, default=50)
    args = parser.parse_args()
    target = args.target_ms
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with pinned(mockbdd_cmd(port, "--journal-max", "10000")):
        wait_ready(f"{base}/__admin/health")
        stub = {
            "request": {"method": "GET", "url": "/api/slow"},
            "response": {"status": 200, "jsonBody": {"id": 1}, "fixedDelayMilliseconds": target},
        }
        httpx.post(f"{base}/__admin/mappings", json=stub).raise_for_status()
        report("mockbdd fixed delay", measure(f"{base}/api/slow", args.rate, args.seconds), target)
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "baseline.py"
        script.write_text(BASELINE)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with pinned([sys.executable, str(script), str(port), str(target)]):
            wait_ready(f"{base}/__admin/health")
            latencies = measure(f"{base}/api/slow", args.rate, args.seconds)
            report("aiohttp + asyncio.sleep", latencies, target)


if __name__ == "__main__":
    main()
