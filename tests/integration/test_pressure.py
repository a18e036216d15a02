"""Resource pressure over HTTP: memory that shows in the server's resident set and goes again
(on time, on DELETE, on reset, on namespace deletion), CPU burnt by child processes that end,
caps that refuse a request whole, and serving that goes on meanwhile.

Where a test reads the resident set, the server is a ``mockbdd serve`` process of its own: a
test worker that has run hundreds of tests holds freed memory the allocator hands out again,
so pressure there need not grow its resident set (CI saw 128 MB of pressure add 80 MB)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from mockbdd.server.embedded import MockServer
from tests.integration.test_cli_serve import serving


@dataclass(frozen=True)
class Served:
    url: str
    pid: int


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer(pressure_max_memory_mb=400, pressure_max_cpu_percent=200) as s:
        yield s


@pytest.fixture
def served() -> Iterator[Served]:
    caps = ("--pressure-max-memory-mb", "400", "--pressure-max-cpu-percent", "200")
    with serving(*caps) as (proc, url):
        yield Served(url, proc.pid)


def rss_mb(server: Served) -> float:
    """The server process's resident set."""
    with open(f"/proc/{server.pid}/status", encoding="ascii") as f:
        line = next(x for x in f if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False


def eventually(check: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def call(method: str, url: str, body: Any = None) -> httpx.Response:
    return httpx.request(method, url, json=body, timeout=30)


def test_memory_pressure_shows_in_the_servers_rss_and_goes_on_delete(served: Served) -> None:
    admin = f"{served.url}/__admin"
    call("POST", f"{admin}/mappings", {"request": {"url": "/ping"}, "response": {"body": "pong"}})
    before = rss_mb(served)
    answer = call("POST", f"{admin}/pressure", {"memoryMb": 256, "durationMs": 60_000})
    assert answer.status_code == 200
    report = answer.json()
    assert report["active"] is True
    assert report["heldMemoryMb"] == 256
    assert rss_mb(served) - before > 200  # really resident, not just reserved
    assert call("GET", f"{served.url}/ping").text == "pong"  # serving goes on
    assert call("GET", f"{admin}/pressure").json()["memoryMb"] == 256

    released = call("DELETE", f"{admin}/pressure").json()
    assert released["released"] is True
    assert released["active"] is False
    assert eventually(lambda: rss_mb(served) - before < 100)
    assert call("DELETE", f"{admin}/pressure").json()["released"] is False


def test_pressure_ends_by_itself_when_its_duration_is_over(served: Served) -> None:
    admin = f"{served.url}/__admin"
    before = rss_mb(served)
    call("POST", f"{admin}/pressure", {"memoryMb": 128, "durationMs": 1000, "cpuPercent": 20})
    assert rss_mb(served) - before > 100
    assert eventually(lambda: call("GET", f"{admin}/pressure").json()["active"] is False)
    assert eventually(lambda: rss_mb(served) - before < 60)


def test_cpu_pressure_burns_in_child_processes_that_end_on_delete(server: MockServer) -> None:
    admin = f"{server.url}/__admin"
    report = call("POST", f"{admin}/pressure", {"cpuPercent": 150, "durationMs": 60_000}).json()
    pids = report["cpuProcesses"]
    assert len(pids) == 2  # 75 % each
    assert os.getpid() not in pids
    start = [cpu_seconds(p) for p in pids]
    time.sleep(1.0)
    burnt = [cpu_seconds(p) - s for p, s in zip(pids, start, strict=True)]
    # each near 0.75 s of the second on a quiet machine; an idle child would show ~0
    assert all(b > 0.05 for b in burnt), burnt
    assert call("GET", f"{admin}/health").status_code == 200  # the burning is in the children
    call("DELETE", f"{admin}/pressure")
    assert eventually(lambda: not any(alive(p) for p in pids))


def test_a_namespace_reset_or_deletion_ends_its_pressure_only(served: Served) -> None:
    for name in ("a", "b"):
        call("POST", f"{served.url}/__admin/namespaces", {"name": name})
    a, b = (f"{served.url}/__ns/{n}/__admin" for n in ("a", "b"))
    call("POST", f"{a}/pressure", {"memoryMb": 64, "durationMs": 60_000})
    call("POST", f"{b}/pressure", {"memoryMb": 64, "durationMs": 60_000})
    assert call("GET", f"{served.url}/__admin/pressure").json()["active"] is False
    call("POST", f"{a}/reset")
    assert call("GET", f"{a}/pressure").json()["active"] is False
    assert call("GET", f"{b}/pressure").json()["active"] is True
    before = rss_mb(served)
    call("DELETE", f"{served.url}/__admin/namespaces/b")
    assert eventually(lambda: before - rss_mb(served) > 40)
    # b's memory no longer counts against the cap
    again = call("POST", f"{a}/pressure", {"memoryMb": 400, "durationMs": 200})
    assert again.status_code == 200


@pytest.mark.parametrize(
    ("body", "pointer", "reason"),
    [
        ({"memoryMb": 401, "durationMs": 100}, "/memoryMb", "cap of 400 MB"),
        ({"memoryMb": 401, "durationMs": 100}, "/memoryMb", "valid: 0..400"),
        ({"cpuPercent": 201, "durationMs": 100}, "/cpuPercent", "--pressure-max-cpu-percent"),
        ({"memoryMb": 10}, "/durationMs", "is required"),
        ({"memoryMb": 10, "durationMs": 0}, "/durationMs", "1..3600000"),
        ({"memoryMb": -1, "durationMs": 10}, "/memoryMb", "whole number"),
        ({"durationMs": 10}, "/", "give memoryMb or cpuPercent"),
        ({"memory": 10, "durationMs": 10}, "/memory", "known: memoryMb, cpuPercent, durationMs"),
    ],
)
def test_a_request_over_the_caps_or_malformed_is_refused_whole(
    server: MockServer, body: dict[str, Any], pointer: str, reason: str
) -> None:
    admin = f"{server.url}/__admin"
    call("POST", f"{admin}/pressure", {"memoryMb": 16, "durationMs": 60_000})
    answer = call("POST", f"{admin}/pressure", body)
    assert answer.status_code == 422
    error = answer.json()["errors"][0]
    assert error["source"]["pointer"] == pointer
    assert reason in error["title"]
    still = call("GET", f"{admin}/pressure").json()  # the pressure before stays as it was
    assert still["memoryMb"] == 16
    assert still["active"] is True


def test_the_caps_count_every_namespace_together(server: MockServer) -> None:
    call("POST", f"{server.url}/__admin/namespaces", {"name": "other"})
    call("POST", f"{server.url}/__admin/pressure", {"memoryMb": 300, "durationMs": 60_000})
    refused = call(
        "POST", f"{server.url}/__ns/other/__admin/pressure", {"memoryMb": 200, "durationMs": 100}
    )
    assert refused.status_code == 422
    assert "300 MB held by other namespaces" in refused.json()["errors"][0]["title"]
    assert "valid: 0..100" in refused.json()["errors"][0]["title"]
