"""The running server's own state, as the admin API reports it."""

from __future__ import annotations

import time

import httpx

from mockbdd.server.embedded import MockServer


def uptime(server: MockServer) -> int:
    health = httpx.get(f"{server.url}/__admin/health").json()
    return int(health["uptimeInSeconds"])


def test_uptime_counts_from_each_servers_own_start() -> None:
    with MockServer() as older:
        time.sleep(1.1)
        with MockServer() as newer:
            assert uptime(older) - uptime(newer) >= 1  # not one clock for the whole process
