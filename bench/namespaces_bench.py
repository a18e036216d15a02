"""Namespace cost: open + apply a 3-stub map + close (latency), and memory per live namespace."""

from __future__ import annotations

import statistics
import time

import httpx
from common import free_port, mockbdd_cmd, pinned, rss_mib, wait_ready

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


def run(cycles: int = 500, live: int = 1000) -> None:
    port = free_port()
    with (
        pinned(mockbdd_cmd(port)) as proc,
        httpx.Client(base_url=f"http://127.0.0.1:{port}") as http,
    ):
        wait_ready(f"http://127.0.0.1:{port}/__admin/health")
        timings = []
        for i in range(cycles):
            started = time.perf_counter()
            http.post("/__admin/namespaces", json={"name": f"b{i}"}).raise_for_status()
            http.post(
                f"/__ns/b{i}/__admin/mappings/import", json={"mappings": THREE_STUBS}
            ).raise_for_status()
            http.delete(f"/__admin/namespaces/b{i}").raise_for_status()
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        print(
            "\n## Namespace open + apply 3 stubs + close (3 HTTP calls, one keep-alive connection)\n"
        )
        print(
            f"median {statistics.median(timings):.2f} ms, p99 {timings[int(len(timings) * 0.99) - 1]:.2f} ms "
            f"over {cycles} cycles"
        )
        before = rss_mib(proc.pid)
        for i in range(live):
            http.post("/__admin/namespaces", json={"name": f"live{i}"}).raise_for_status()
            http.post(
                f"/__ns/live{i}/__admin/mappings/import", json={"mappings": THREE_STUBS}
            ).raise_for_status()
            http.get(f"/__ns/live{i}/inventory/v1/items/1").raise_for_status()
        after = rss_mib(proc.pid)
        print(
            f"\n{live} live namespaces (3 stubs and 1 journaled request each): RSS {before:.1f} -> {after:.1f} MiB, "
            f"{(after - before) * 1024 / live:.1f} KiB per namespace"
        )
