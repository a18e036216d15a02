"""Namespace cost: open with a 3-stub map + close (latency), and memory per live namespace."""

from __future__ import annotations

import http.client
import json
import statistics
import time
from collections.abc import Callable

import httpx
from common import free_port, mockbdd_cmd, pinned, rss_mib, wait_ready

from mockbdd.client import Client

THREE_STUBS = [
    {
        "request": {"method": "GET", "urlPath": "/inventory/v1/items/1"},
        "response": {"jsonBody": {"inStock": True}},
    },
    {
        "request": {"method": "POST", "urlPath": "/payments/v1/charges"},
        "responses": [{"status": 503, "times": 2}, {"status": 200, "jsonBody": {"id": "ch_1"}}],
    },
    {
        "request": {"method": "ANY", "urlPathPattern": "/payments(/.*)?"},
        "priority": 10,
        "response": {"status": 404},
    },
]


def _timed(cycles: int, cycle: Callable[[int], None]) -> str:
    timings = []
    for i in range(cycles):
        started = time.perf_counter()
        cycle(i)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return f"median {statistics.median(timings):.2f} ms, p99 {timings[int(len(timings) * 0.99) - 1]:.2f} ms"


def run(cycles: int = 500, live: int = 1000) -> None:
    port = free_port()
    with pinned(mockbdd_cmd(port)) as proc:
        base = f"http://127.0.0.1:{port}"
        wait_ready(f"{base}/__admin/health")
        conn = http.client.HTTPConnection("127.0.0.1", port)

        def call(method: str, path: str, body: object = None) -> None:
            conn.request(method, path, body=json.dumps(body) if body is not None else None)
            resp = conn.getresponse()
            resp.read()
            assert resp.status < 300, resp.status

        def raw_cycle(i: int) -> None:
            call("POST", "/__admin/namespaces", {"name": f"r{i}", "mappings": THREE_STUBS})
            call("DELETE", f"/__admin/namespaces/r{i}")

        client = Client(base)

        def handle_cycle(i: int) -> None:
            client.create_namespace(f"h{i}", mappings=THREE_STUBS).close()

        print("\n## Namespace open with a 3-stub map + close (2 admin calls, keep-alive)\n")
        print(f"server, stdlib http.client: {_timed(cycles, raw_cycle)} over {cycles} cycles")
        print(f"Python client (httpx), as the BDD hooks do it: {_timed(cycles, handle_cycle)}")
        before = rss_mib(proc.pid)
        with httpx.Client(base_url=base) as web:
            for i in range(live):
                web.post(
                    "/__admin/namespaces", json={"name": f"live{i}", "mappings": THREE_STUBS}
                ).raise_for_status()
                web.get(f"/__ns/live{i}/inventory/v1/items/1").raise_for_status()
        after = rss_mib(proc.pid)
        print(
            f"\n{live} live namespaces (3 stubs and 1 journaled request each): RSS {before:.1f} -> {after:.1f} MiB, "
            f"{(after - before) * 1024 / live:.1f} KiB per namespace"
        )
        client.close()
        conn.close()
