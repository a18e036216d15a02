"""The data plane with simulation configured but never triggered, against none (goal >= 0.9x).

    .venv/bin/python bench/chaos_overhead.py [--seconds 4] [--rounds 2]

One ``mockbdd serve`` pinned to $SERVER_CPU (0), wrk -t1 -c50 pinned to $LOAD_CPU (1), one
static stub (GET /api/users/1). Each round measures, on the same server, in turn:

- ``none``: nothing configured (the unstaged fast path);
- ``chaos``: a namespace chaos setting that draws for every request and never fires
  (``errorRate`` and ``dropRate`` 1e-12);
- ``stub chaos``: the same on the stub;
- ``network``: a namespace network setting with no latency and 1e-12 loss;
- ``timeline``: chaos, and a timeline whose only step is a day away (the values in force are
  looked up per request);
- ``degradation``: ``perInFlightMs`` 0 (the load meter kept, nothing added).

The order rotates from round to round. Each figure is requests per second with its ratio to
``none`` of the same round, and the server's CPU time per request as a throughput ratio
(steadier than req/s on a busy machine). About ``6 x seconds x rounds`` plus start-up. Needs wrk.
"""

from __future__ import annotations

import argparse
import statistics
from typing import Any

import httpx
from common import free_port, mockbdd_cmd, pinned, wait_ready
from limits_overhead import wrk

NEVER = {"errorRate": 1e-12, "dropRate": 1e-12}
DAY_MS = 86_400_000
STUB: dict[str, Any] = {
    "request": {"method": "GET", "url": "/api/users/1"},
    "response": {"status": 200, "jsonBody": {"id": 1, "name": "Ada"}},
}
CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {  # settings, response fields
    "none": ({}, {}),
    "chaos": ({"chaos": NEVER}, {}),
    "stub chaos": ({}, {"chaos": NEVER}),
    "network": ({"network": {"packetLossRate": 1e-12}}, {}),
    "timeline": (
        {"chaos": NEVER, "timeline": [{"atMs": DAY_MS, "settings": {"chaos": {"errorRate": 1}}}]},
        {},
    ),
    "degradation": ({"degradation": {"perInFlightMs": 0}}, {}),
}


def configure(base: str, settings: dict[str, Any], response: dict[str, Any]) -> None:
    httpx.post(f"{base}/__admin/reset").raise_for_status()
    stub = {**STUB, "response": {**STUB["response"], **response}}
    httpx.post(f"{base}/__admin/mappings", json=stub).raise_for_status()
    httpx.post(f"{base}/__admin/settings", json=settings).raise_for_status()
    check = httpx.get(f"{base}/api/users/1")
    assert check.status_code == 200, check


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
            order = names[round_ % len(names) :] + names[: round_ % len(names)]
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
