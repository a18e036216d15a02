"""Delays end on a timerfd (``mockbdd/server/deadline.py``), over real sockets: never early,
0 ms and sub-millisecond delays, a delay past 60 s that the client gives up on while the
server serves on, and the timerfd closed with the server."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockbdd.server.deadline import Deadlines
from mockbdd.server.embedded import MockServer, new_event_loop


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as s:
        yield s


def stub(base: str, url: str, **response: Any) -> None:
    mapping = {"request": {"method": "GET", "urlPath": url}, "response": {"body": url, **response}}
    created = httpx.post(f"{base}/__admin/mappings", json=mapping)
    assert created.status_code == 201, created.text


def test_a_delay_is_never_cut_short_and_ends_in_order(server: MockServer) -> None:
    stub(server.url, "/d30", fixedDelayMilliseconds=30)
    stub(server.url, "/d0", fixedDelayMilliseconds=0)
    with httpx.Client(base_url=server.url) as http:
        for _ in range(5):
            started = time.perf_counter()
            assert http.get("/d30").text == "/d30"
            assert time.perf_counter() - started >= 0.030  # never early
        started = time.perf_counter()
        assert http.get("/d0").status_code == 200
        assert time.perf_counter() - started < 1.0  # 0 ms: no wait (order of magnitude)
    served = httpx.get(f"{server.url}/__admin/requests").json()["requests"]
    assert sorted(e["timing"]["addedDelay"] for e in served) == [0, 30, 30, 30, 30, 30]


def test_a_delay_past_a_minute_holds_its_request_only(server: MockServer) -> None:
    stub(server.url, "/stuck", fixedDelayMilliseconds=90_000)
    stub(server.url, "/quick")
    opened = httpx.post(f"{server.url}/__admin/namespaces", json={"name": "other"})
    assert opened.status_code == 201, opened.text
    stub(f"{server.url}/__ns/other", "/quick")
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{server.url}/stuck", timeout=0.3)
    with httpx.Client(timeout=2) as http:  # the pending 90 s timer holds up nothing else
        assert http.get(f"{server.url}/quick").text == "/quick"
        assert http.get(f"{server.url}/__ns/other/quick").text == "/quick"


def test_sub_millisecond_and_past_deadlines_on_a_real_loop() -> None:
    async def run() -> list[float]:
        deadlines = Deadlines(asyncio.get_running_loop())
        late: list[float] = []

        async def wait(after_s: float) -> None:
            due = time.perf_counter() + after_s
            await deadlines.sleep_until(due)
            late.append(time.perf_counter() - due)

        await asyncio.gather(*(wait(s) for s in (0.0004, 0.002, -1.0, 0.0007, 0.001)))
        cancelled = asyncio.ensure_future(wait(60))
        await asyncio.sleep(0)
        cancelled.cancel()
        pending = asyncio.ensure_future(wait(60))
        await asyncio.sleep(0)
        deadlines.close()  # a pending wait ends at once
        await asyncio.wait_for(pending, 5)
        return late

    loop = new_event_loop()
    try:
        late = loop.run_until_complete(run())
    finally:
        loop.close()
    assert len(late) == 6
    assert min(late[:5]) >= -1e-4  # none early (a past deadline returns at once)


def test_abandoned_long_waits_do_not_pile_up() -> None:
    """Clients that give up on a long delay (their handlers cancelled) leave nothing behind for
    the length of the delay: the heap is swept once they are most of it."""

    async def run() -> tuple[int, int]:
        deadlines = Deadlines(asyncio.get_running_loop())
        kept = asyncio.ensure_future(deadlines.sleep_until(time.perf_counter() + 0.05))
        gone = [
            asyncio.ensure_future(deadlines.sleep_until(time.perf_counter() + 3600))
            for _ in range(3000)
        ]
        await asyncio.sleep(0)
        for task in gone:
            task.cancel()
        await asyncio.gather(*gone, return_exceptions=True)
        after_cancel = deadlines.pending
        await asyncio.wait_for(kept, 5)  # the live wait still ends
        deadlines.close()
        return after_cancel, len(gone)

    loop = new_event_loop()
    try:
        after_cancel, started = loop.run_until_complete(run())
    finally:
        loop.close()
    assert after_cancel < started // 2


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts /proc/self/fd")
def test_the_timerfd_is_closed_with_the_server() -> None:
    def open_fds() -> int:
        return len(os.listdir("/proc/self/fd"))

    with MockServer() as warm:  # imports and the first server's one-off descriptors
        stub(warm.url, "/d", fixedDelayMilliseconds=1)
        httpx.get(f"{warm.url}/d")
    before = open_fds()
    for _ in range(3):
        with MockServer() as s:
            stub(s.url, "/d", fixedDelayMilliseconds=1)
            assert httpx.get(f"{s.url}/d").status_code == 200
    assert open_fds() <= before
