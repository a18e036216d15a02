"""The data plane's own CPU per request with simulation or limits configured but never
triggered, against none (goal of issue 8: >= 0.9x), measured in process.

    .venv/bin/python bench/sim_hot_path.py [--requests 20000] [--rounds 3]

``chaos_overhead.py`` and ``limits_overhead.py`` load a real server with wrk, which on a
shared 2-core machine measures the other processes as much as mockbdd. This one calls
``DataPlane.serve`` directly on the server's loop with a prepared aiohttp request (everything
from reading the request to the prepared answer: recording, the stages, matching, the
journal, metrics) and takes the loop thread's own CPU time (``time.thread_time``), which
other processes do not move. What it leaves out (aiohttp parsing the request and writing the
answer, about as much again) is the same in every case, so the real ratio lies between the
``serve`` ratio shown and 1; the column ``x none, whole request`` adds ``--outside-us`` (the
aiohttp share of a request, measured by ``bench/run.py``'s profile) to every case.

``--bytecodes`` counts instead the Python bytecodes one ``serve`` executes (``sys.settrace``
opcode events, over 200 requests after a warm-up): no clock at all, so the same code gives
the same figure on a busy machine, and a change shows as the bytecodes it adds or saves
(about 6-7 ns each here). Work in C (dict lookups, aiohttp's parser) is not counted.

``--observe`` compares instead the observe path, one server per case with the "none" stub:
``off`` (``metrics=False, event_history=0``: no observe stage), ``metrics`` alone, ``history``
(the event stream's history, nobody listening), ``defaults`` (both) and ``listener`` (the
defaults and one ``/__admin/events`` client reading every event in a thread of this process:
the server's sender task runs on the loop and is counted, its client is not).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import threading
import time
from types import FrameType
from typing import Any

import httpx
from aiohttp.test_utils import make_mocked_request
from chaos_overhead import CASES as SIM_CASES
from common import USER_STUB, Case, reading_listener
from limits_overhead import CASES as LIMIT_CASES

from mockbdd.server.embedded import MockServer

BATCH = 20  # requests served per loop turn, about what wrk -c50 brings
CASES: dict[str, Case] = {**SIM_CASES, **{k: v for k, v in LIMIT_CASES.items() if k != "none"}}
OBSERVE: dict[str, dict[str, Any]] = {  # MockServer settings; "listener" adds a reading client
    "off": {"metrics": False, "event_history": 0},
    "metrics": {"event_history": 0},
    "history": {"metrics": False},
    "defaults": {},
    "listener": {},
}


class _Transport:
    """What the data plane asks of a request's transport (a Mock would cost more than it)."""

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 40000) if name == "peername" else default

    def is_closing(self) -> bool:
        return False


async def cpu_per_request(server: Any, count: int) -> float:
    """µs of the loop thread's CPU per ``DataPlane.serve`` call."""
    plane = server.data_plane
    ns = server.engine.default
    request = make_mocked_request("GET", "/api/users/1", transport=_Transport())
    started = time.thread_time()
    for i in range(count):
        await plane.serve(ns, request, "/api/users/1")
        if i % BATCH == 0:
            await asyncio.sleep(0)  # a loop turn: the observe hooks run, as under load
    await drained(server)
    return (time.thread_time() - started) / count * 1e6


async def drained(server: Any) -> None:
    """Until the observe hooks have run and every events listener has sent what it holds."""
    events = server.events
    for _ in range(1000):
        await asyncio.sleep(0 if not events else 0.001)
        if server.data_plane._observing:
            continue
        if events is None or not any(x.pending for x in events.hub._listeners):
            return


async def bytecodes_per_request(server: Any, count: int) -> float:
    """Python bytecodes executed per ``DataPlane.serve`` call (with its loop turns)."""
    executed = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal executed
        if event == "opcode":
            executed += 1
        return local

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        frame.f_trace_opcodes = True
        return local

    await cpu_per_request(server, 100)  # caches filled, as under load
    sys.settrace(tracer)
    try:
        await cpu_per_request(server, count)
    finally:
        sys.settrace(None)
    return executed / count


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--outside-us", type=float, default=15.0)
    parser.add_argument("--bytecodes", action="store_true", help="count bytecodes, not time")
    parser.add_argument("--observe", action="store_true", help="the observe path's cases")
    args = parser.parse_args()
    if args.bytecodes:
        args.rounds, args.requests = 1, 200
    if args.observe:
        report(observe_costs(args), args, "off")
        return
    report(configured_costs(args), args, "none")


def measure(mock: MockServer, args: argparse.Namespace) -> float:
    inner, loop = mock._server, mock._loop
    assert inner is not None
    assert loop is not None
    run = (bytecodes_per_request if args.bytecodes else cpu_per_request)(inner, args.requests)
    return asyncio.run_coroutine_threadsafe(run, loop).result()


def observe_costs(args: argparse.Namespace) -> dict[str, list[float]]:
    """One server per case of :data:`OBSERVE`, in a rotated order per round."""
    cost: dict[str, list[float]] = {name: [] for name in OBSERVE}
    names = list(OBSERVE)
    for round_ in range(args.rounds):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            with MockServer(journal_max=10000, **OBSERVE[name]) as mock:
                httpx.post(f"{mock.url}/__admin/mappings", json=USER_STUB).raise_for_status()
                if name != "listener":
                    cost[name].append(measure(mock, args))
                    continue
                stop, got = threading.Event(), [0]
                reader = reading_listener(mock.url, got, stop)
                cost[name].append(measure(mock, args))
                time.sleep(0.5)  # the last events read
                stop.set()
                reader.join(5)
                served = args.requests + (100 if args.bytecodes else 0)
                if got[0] < served:
                    sys.exit(f"the listener got {got[0]} events of {served}")
    return cost


def configured_costs(args: argparse.Namespace) -> dict[str, list[float]]:
    cost: dict[str, list[float]] = {name: [] for name in CASES}
    with MockServer(journal_max=10000) as mock:
        inner = mock._server
        loop = mock._loop
        assert inner is not None
        assert loop is not None
        names = list(CASES)
        for round_ in range(args.rounds):
            for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
                settings, response = CASES[name]
                httpx.post(f"{mock.url}/__admin/reset").raise_for_status()
                stub = {**USER_STUB, "response": {**USER_STUB["response"], **response}}
                httpx.post(f"{mock.url}/__admin/mappings", json=stub).raise_for_status()
                httpx.post(f"{mock.url}/__admin/settings", json=settings).raise_for_status()
                cost[name].append(measure(mock, args))
    return cost


def report(cost: dict[str, list[float]], args: argparse.Namespace, base_name: str) -> None:
    if args.bytecodes:
        base = cost[base_name][0]
        print(f"{'case':<16} {'bytecodes':>9} {'x ' + base_name:>7} {'added':>6}")
        for name, values in cost.items():
            print(
                f"{name:<16} {values[0]:>9.0f} {base / values[0]:>7.2f} {values[0] - base:>+6.0f}"
            )
        return
    base = statistics.median(cost[base_name])
    print(
        f"{'case':<16} {'serve µs':>9} {'x ' + base_name:>7}"
        f" {'x ' + base_name + ', whole request':>22}"
    )
    for name, values in cost.items():
        us = statistics.median(values)
        whole = (base + args.outside_us) / (us + args.outside_us)
        print(f"{name:<16} {us:>9.2f} {base / us:>7.2f} {whole:>22.2f}")


if __name__ == "__main__":
    main()
