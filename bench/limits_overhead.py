"""The data plane with limits configured but never triggered, against none (goal >= 0.9x).

    .venv/bin/python bench/limits_overhead.py [--seconds 4] [--rounds 2]

One ``mockbdd serve`` pinned to $SERVER_CPU (0), wrk -t1 -c50 pinned to $LOAD_CPU (1), one
static stub (GET /api/users/1). Each round measures, on the same server, in turn:

- ``none``: no limit (the unstaged fast path);
- ``rateLimit``: a namespace rate limit no load reaches (``requests`` 1e9 per ms): every answer
  carries the five rate-limit headers;
- ``concurrency``: ``maxInFlight`` 1e6 (a slot taken and given back per request);
- ``both``: the two together;
- ``stub rateLimit``: the same rate limit on the stub instead (a dry-run match per request).

The order of the cases rotates from round to round, so no case always follows another.

Each figure is requests per second, with its ratio to ``none`` of the same round, and the
server's CPU time per request as a throughput ratio (``none``'s CPU per request over the
case's: what the ratio would be with the server's core to itself; steadier than req/s on a
busy machine). About
``5 x seconds x rounds`` plus start-up (24 s with the defaults). Needs wrk.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
from typing import Any

import httpx
from common import LOAD_CPU, free_port, mockbdd_cmd, pinned, wait_ready

UNREACHED_RATE = {"requests": 1_000_000_000, "periodMs": 1}
UNREACHED_CONCURRENCY = {"maxInFlight": 1_000_000}
STUB: dict[str, Any] = {
    "request": {"method": "GET", "url": "/api/users/1"},
    "response": {"status": 200, "jsonBody": {"id": 1, "name": "Ada"}},
}
CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {  # settings, response fields
    "none": ({}, {}),
    "rateLimit": ({"rateLimit": UNREACHED_RATE}, {}),
    "concurrency": ({"concurrency": UNREACHED_CONCURRENCY}, {}),
    "both": ({"rateLimit": UNREACHED_RATE, "concurrency": UNREACHED_CONCURRENCY}, {}),
    "stub rateLimit": ({}, {"rateLimit": UNREACHED_RATE}),
}


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url: str, seconds: int, pid: int) -> tuple[float, float]:
    """Requests per second, and the server's CPU microseconds per request."""
    before = cpu_seconds(pid)
    out = subprocess.run(
        ["taskset", "-c", LOAD_CPU, "wrk", "-t1", "-c50", f"-d{seconds}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    used = cpu_seconds(pid) - before
    total = int(out.split(" requests in")[0].split()[-1])
    return float(out.split("Requests/sec:")[1].split()[0]), used / max(total, 1) * 1e6


def configure(base: str, settings: dict[str, Any], response: dict[str, Any]) -> None:
    httpx.post(f"{base}/__admin/reset").raise_for_status()
    stub = {**STUB, "response": {**STUB["response"], **response}}
    httpx.post(f"{base}/__admin/mappings", json=stub).raise_for_status()
    httpx.post(f"{base}/__admin/settings", json=settings).raise_for_status()
    check = httpx.get(f"{base}/api/users/1")
    assert check.status_code == 200, check
    assert ("X-RateLimit-Limit" in check.headers) == ("rateLimit" in {**settings, **response})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    figures: dict[str, list[float]] = {name: [] for name in CASES}
    ratios: dict[str, list[float]] = {name: [] for name in CASES}
    cpu: dict[str, list[float]] = {name: [] for name in CASES}
    with pinned(mockbdd_cmd(port, "--journal-max", "10000")) as proc:
        wait_ready(f"{base}/__admin/health")
        names = list(CASES)
        for round_ in range(args.rounds):
            measured: dict[str, float] = {}
            costs: dict[str, float] = {}
            order = names[round_ % len(names) :] + names[: round_ % len(names)]  # rotated
            for name in order:
                settings, response = CASES[name]
                configure(base, settings, response)
                measured[name], costs[name] = wrk(f"{base}/api/users/1", args.seconds, proc.pid)
            for name, value in measured.items():
                figures[name].append(value)
                ratios[name].append(value / measured["none"])
                cpu[name].append(costs["none"] / costs[name])
    print(f"{'case':<16} {'req/s (median)':>15} {'x none':>8} {'CPU/request x none':>19}")
    for name in CASES:
        print(
            f"{name:<16} {statistics.median(figures[name]):>15,.0f}"
            f" {statistics.median(ratios[name]):>8.2f} {statistics.median(cpu[name]):>19.2f}"
        )


if __name__ == "__main__":
    main()
