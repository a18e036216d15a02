"""The data plane with metrics and one events listener on, against everything off (goal: < 5 %
overhead), and with a listener that never reads (goal: serving unaffected, memory bounded).

    .venv/bin/python bench/observability_overhead.py [--seconds 2] [--rounds 2]

One ``mockbdd serve`` per case pinned to $SERVER_CPU (0), wrk -t1 -c50 pinned to $LOAD_CPU (1),
one static stub (GET /api/users/1):

- ``off``: ``--no-metrics --event-history 0`` (the unstaged fast path);
- ``metrics``: metrics alone (``--event-history 0``); ``history``: the event stream's history
  kept with nobody listening (``--no-metrics``), to tell the costs apart;
- ``on``: metrics and events on (the defaults), one ``/__admin/events`` listener reading every
  event (a websockets client in a thread of this process, which runs on $LOAD_CPU with wrk);
- ``stalled``: the same with a listener that never reads (a raw socket after the handshake):
  it is closed once its buffer is full; its memory is the server's RSS after the run.

Each figure is requests per second with its ratio to ``off`` of the same round, and the
server's CPU time per request as a throughput ratio (``off``'s CPU per request over the case's).
About ``5 x seconds x rounds`` plus a start-up per case (about 30 s with the defaults; use
``--seconds 10 --rounds 3`` on a quiet machine). Needs wrk.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import threading
from typing import Any

import httpx
from common import (
    LOAD_CPU,
    free_port,
    mockbdd_cmd,
    pinned,
    reading_listener,
    rss_mib,
    wait_ready,
    wrk_cpu,
)

STUB: dict[str, Any] = {
    "request": {"method": "GET", "url": "/api/users/1"},
    "response": {"status": 200, "jsonBody": {"id": 1, "name": "Ada"}},
}
CASES = {
    "off": ("--no-metrics", "--event-history", "0"),
    "metrics": ("--event-history", "0"),  # metrics alone, no event stream
    "history": ("--no-metrics",),  # the event history kept, nobody listening
    "on": (),
    "stalled": (),
}


def stalled_listener(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.sendall(
        b"GET /__admin/events HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Version: 13\r\n\r\n"
    )
    assert b" 101 " in sock.recv(4096).split(b"\r\n")[0]
    return sock  # and never read again


def measure(case: str, seconds: int) -> tuple[float, float, float, int]:
    """req/s, CPU µs per request, RSS after (MiB), events the reading listener got."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with pinned(mockbdd_cmd(port, "--journal-max", "10000", *CASES[case])) as proc:
        wait_ready(f"{base}/__admin/health")
        httpx.post(f"{base}/__admin/mappings", json=STUB).raise_for_status()
        stop, counted = threading.Event(), [0]
        listener = reading_listener(base, counted, stop) if case == "on" else None
        stalled = stalled_listener(port) if case == "stalled" else None
        try:
            rate, cost = wrk_cpu(f"{base}/api/users/1", seconds, proc.pid)
            rss = rss_mib(proc.pid)
        finally:
            stop.set()
            if listener is not None:
                listener.join(5)
            if stalled is not None:
                stalled.close()
    return rate, cost, rss, counted[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    # the reading listener's client is load, as wrk is: on the load CPU, never on the server's
    # (a Python client decoding 40,000 frames a second, scheduled on the server's core, took
    # its cycles and its caches: 0.80x there, 0.85x here, same day)
    os.sched_setaffinity(0, {int(LOAD_CPU)})
    rates: dict[str, list[float]] = {c: [] for c in CASES}
    ratios: dict[str, list[float]] = {c: [] for c in CASES}
    cpu: dict[str, list[float]] = {c: [] for c in CASES}
    rss: dict[str, list[float]] = {c: [] for c in CASES}
    names = list(CASES)
    for round_ in range(args.rounds):
        got: dict[str, tuple[float, float, float, int]] = {}
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            got[name] = measure(name, args.seconds)
        for name, (rate, cost, after, _) in got.items():
            rates[name].append(rate)
            ratios[name].append(rate / got["off"][0])
            cpu[name].append(got["off"][1] / cost)
            rss[name].append(after)
        print(f"round {round_ + 1}: the reading listener got {got['on'][3]:,} events")
    print(
        f"{'case':<8} {'req/s (median)':>15} {'x off':>7} {'CPU/request x off':>18} {'RSS MiB':>8}"
    )
    for name in CASES:
        print(
            f"{name:<8} {statistics.median(rates[name]):>15,.0f}"
            f" {statistics.median(ratios[name]):>7.2f} {statistics.median(cpu[name]):>18.2f}"
            f" {statistics.median(rss[name]):>8.1f}"
        )


if __name__ == "__main__":
    main()
