"""Delay precision: p99 of |observed - target| for a 50 ms delay under 500 req/s (goal <= 1 ms),
against an aiohttp server that answers after ``asyncio.sleep(0.05)`` (the baseline), same run.

    .venv/bin/python bench/delay_precision.py [--seconds 4] [--rounds 3] [--rate 500] [--realtime]

Servers, each pinned to $SERVER_CPU (0), all uvloop:

- ``mockbdd``: ``mockbdd serve`` as shipped: the delay ends at ``received + delay`` on a timerfd
  (``mockbdd/server/deadline.py``);
- ``mockbdd, sleep(relative)``: the same server with the delay it had before, a relative
  ``asyncio.sleep`` of the time left rounded to whole milliseconds (uvloop's timers);
- ``aiohttp + asyncio.sleep``: the baseline the issue names, a bare handler that sleeps 50 ms.

(``loop.call_at`` on the absolute deadline was tried too, and is no better than a relative
sleep: libuv counts a timer from the loop's last clock update, in whole milliseconds, so either
way the wait ends up to about 1 ms on either side of the deadline.)

``--realtime`` runs every process at real-time priority (``chrt -f 20``), so that a busy
machine's other processes do not hold the server or the client off their cores: what is left
is the timers' and the loops' own error. Without it, on a shared 2-core machine, the wait for a
core dominates every figure.

The load runs in a process of its own on $LOAD_CPU (1), uvloop, open model: request i is due at
``start + i / rate`` on a keep-alive pool large enough that no request waits for a connection.
Three errors per request, each |measured - 50 ms|:

- ``server``: from the moment the handler got the request to the moment its wait ended, as the
  server itself saw it (each server keeps these and writes them out on SIGUSR1): the timer's
  own error, what a mock can promise;
- ``client``: from the moment the client sent the request to its answer (adds the loopback
  round trip and both processes' scheduling);
- ``intended``: from the request's intended send time (adds the client's own lateness).

The longest cyclic-GC pause in each server is shown too (it holds up every wait that ends
during it). Every figure is a median over ``rounds`` interleaved rounds. About
``3 x seconds x rounds`` plus start-up (about 50 s with the defaults).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import httpx
from common import LOAD_CPU, free_port, pinned, wait_ready

# A server process that keeps the timer's error of each delayed request and writes the list to
# $ERRORS_FILE on SIGUSR1. argv: port, target ms, kind.
SERVER = """\
import asyncio, json, os, signal, sys, time

PORT, TARGET, KIND = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
ERRORS: list[float] = []


def dump(*_):
    path = os.environ["ERRORS_FILE"]
    with open(path + ".part", "w") as f:
        json.dump({"errors": ERRORS, "gc": PAUSES}, f)
    os.replace(path + ".part", path)  # whole, or not there yet
    ERRORS.clear()
    PAUSES.clear()


signal.signal(signal.SIGUSR1, dump)

PAUSES: list[float] = []  # the cyclic GC's pauses, ms
_gc_started = 0.0


def gc_timer(phase, info):
    global _gc_started
    if phase == "start":
        _gc_started = time.perf_counter()
    else:
        PAUSES.append((time.perf_counter() - _gc_started) * 1000)


import gc

gc.callbacks.append(gc_timer)

if KIND.startswith("mockbdd"):
    from mockbdd.cli import main
    from mockbdd.server.data_plane import DataPlane

    if KIND == "mockbdd-relative":  # the delay as it was: time left, rounded, slept

        async def delay(self, delay_ms, started):
            left_ms = round(delay_ms - (time.perf_counter() - started) * 1000)
            if left_ms > 0:
                await asyncio.sleep(left_ms / 1000)

    else:
        delay = DataPlane._delay

    async def recorded(self, delay_ms, started):
        await delay(self, delay_ms, started)
        ERRORS.append((time.perf_counter() - started) * 1000 - delay_ms)

    DataPlane._delay = recorded
    sys.exit(main(["serve", "--port", str(PORT), "--journal-max", "10000"]))

import uvloop
from aiohttp import web


async def slow(_request):
    started = time.perf_counter()
    await asyncio.sleep(TARGET / 1000)
    ERRORS.append((time.perf_counter() - started) * 1000 - TARGET)
    return web.Response(body=b'{"id":1}', content_type="application/json")


async def health(_request):
    return web.Response(text="ok")


uvloop.install()
app = web.Application()
app.router.add_get("/api/slow", slow)
app.router.add_get("/__admin/health", health)
web.run_app(app, host="127.0.0.1", port=PORT, access_log=None, print=None)
"""

KINDS = {
    "mockbdd": "mockbdd",
    "mockbdd, sleep(relative)": "mockbdd-relative",
    "aiohttp + asyncio.sleep": "aiohttp-sleep",
}


async def load(url: str, rate: float, seconds: float) -> list[tuple[float, float]]:
    """Per request, (ms from the intended send time, ms from the real send) to the answer."""
    total = int(rate * seconds)
    connector = aiohttp.TCPConnector(limit=0)
    seen: list[tuple[float, float]] = []
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(due: float) -> None:
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            sent = time.perf_counter()
            async with session.get(url) as resp:
                await resp.read()
            now = time.perf_counter()
            seen.append(((now - due) * 1000, (now - sent) * 1000))

        for _ in range(50):  # warm the pool and the server
            await one(time.perf_counter())
        seen.clear()
        start = time.perf_counter() + 0.05
        await asyncio.gather(*(one(start + i / rate) for i in range(total)))
    return seen


def measure(url: str, rate: float, seconds: float, prefix: list[str]) -> list[tuple[float, float]]:
    """Run the load in a process of its own (uvloop), pinned to the load CPU."""
    here = str(Path(__file__).parent)
    code = (
        f"import json, sys, uvloop; sys.path.insert(0, {here!r}); import delay_precision as d; "
        f"print(json.dumps(uvloop.run(d.load({url!r}, {rate!r}, {seconds!r}))))"
    )
    out = subprocess.run(
        ["taskset", "-c", LOAD_CPU, *prefix, sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [tuple(x) for x in json.loads(out)]  # type: ignore[misc]


def server_errors(pid: int, path: Path) -> dict[str, list[float]]:
    path.unlink(missing_ok=True)
    os.kill(pid, signal.SIGUSR1)
    for _ in range(500):
        if path.exists():
            values: dict[str, list[float]] = json.loads(path.read_text())
            return values
        time.sleep(0.01)
    raise TimeoutError(f"no errors written to {path}")


def figures(
    signed: list[float], pauses: list[float], seen: list[tuple[float, float]], target: float
) -> dict[str, float]:
    own = [abs(e) for e in signed]
    return {
        "server p50": statistics.median(own),
        "server p99": p99(own),
        "server early %": 100 * sum(1 for e in signed if e < 0) / len(signed),
        "server max": max(own),
        "gc max": max(pauses, default=0.0),
        "client p99": p99([abs(s - target) for _, s in seen]),
        "intended p99": p99([abs(i - target) for i, _ in seen]),
        "n": float(len(seen)),
    }


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--target-ms", type=float, default=50)
    parser.add_argument(
        "--realtime",
        action="store_true",
        help="run the servers and the load at real-time priority (chrt -f 20): the loop's own"
        " precision, without the waits for a core that other processes on a busy machine cause",
    )
    args = parser.parse_args()
    prefix = ["chrt", "-f", "20"] if args.realtime else []
    target = args.target_ms
    rows: dict[str, dict[str, list[float]]] = {k: {} for k in KINDS}
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        script = Path(tmp) / "server.py"
        script.write_text(SERVER)
        servers = []
        for name, kind in KINDS.items():
            port = free_port()
            errors = Path(tmp) / f"{kind}.json"
            os.environ["ERRORS_FILE"] = str(errors)
            cmd = [*prefix, sys.executable, str(script), str(port), str(target), kind]
            servers.append((name, port, errors, stack.enter_context(pinned(cmd))))
        for name, port, _, _ in servers:
            base = f"http://127.0.0.1:{port}"
            wait_ready(f"{base}/__admin/health")
            if name.startswith("mockbdd"):
                stub = {
                    "request": {"method": "GET", "url": "/api/slow"},
                    "response": {"jsonBody": {"id": 1}, "fixedDelayMilliseconds": target},
                }
                httpx.post(f"{base}/__admin/mappings", json=stub).raise_for_status()
        for round_ in range(args.rounds):
            order = servers[round_ % len(servers) :] + servers[: round_ % len(servers)]
            for name, port, errors, proc in order:
                server_errors(proc.pid, errors)  # forget the warm-up's
                seen = measure(f"http://127.0.0.1:{port}/api/slow", args.rate, args.seconds, prefix)
                kept = server_errors(proc.pid, errors)
                for key, value in figures(kept["errors"], kept["gc"], seen, target).items():
                    rows[name].setdefault(key, []).append(value)
    report(rows, args)


def report(rows: dict[str, dict[str, list[float]]], args: argparse.Namespace) -> None:
    b = {k: statistics.median(v) for k, v in rows["aiohttp + asyncio.sleep"].items()}
    print(
        f"{args.target_ms:g} ms delay at {args.rate:g} req/s, {args.seconds:g} s x {args.rounds}"
        f" rounds{', real-time priority' if args.realtime else ''}, medians;"
        " |observed - target| in ms, p99 also as x the baseline's"
    )
    print(
        "| server | n | server p50 | server p99 | x base | server max | server early |"
        " client p99 | x base | intended p99 | x base | longest GC pause |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, figures in rows.items():
        m = {k: statistics.median(v) for k, v in figures.items()}
        print(
            f"| {name} | {m['n']:.0f} | {m['server p50']:.2f} | {m['server p99']:.2f}"
            f" | {m['server p99'] / b['server p99']:.2f} | {m['server max']:.2f}"
            f" | {m['server early %']:.1f} % | {m['client p99']:.2f}"
            f" | {m['client p99'] / b['client p99']:.2f} | {m['intended p99']:.2f}"
            f" | {m['intended p99'] / b['intended p99']:.2f} | {m['gc max']:.2f} |"
        )


if __name__ == "__main__":
    main()
