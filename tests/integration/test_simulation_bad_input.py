"""Issue 8's "Bad input", over real sockets: bad delay distributions are refused whole on every
way in (settings, a stub, a timeline phase, ``/delays/sample``), naming the field, the reason
and the valid choices, with nothing half-applied; and a namespace whose queue overflows, whose
every answer is a chaos error, or whose pressure request is over the cap, holds up no other."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockbdd.server.embedded import MockServer

TYPES = "fixed, uniform, lognormal, normal, exponential, pareto, poisson, mixture, percentiles"


def fixed(ms: float) -> dict[str, Any]:
    return {"type": "fixed", "milliseconds": ms}


BAD_DELAYS = [  # (distribution, pointer under it, words the reason must have)
    ({"type": "lognormal", "median": 100, "sigma": -0.1}, "/sigma", "at least 0, got -0.1"),
    ({"type": "normal", "mean": 100, "stddev": -5}, "/stddev", "at least 0, got -5"),
    (
        {
            "type": "mixture",
            "components": [
                {"weight": 0.5, "distribution": fixed(1)},
                {"weight": 0.4, "distribution": fixed(9)},
            ],
        },
        "/components",
        "the weights must sum to 1, they sum to 0.9",
    ),
    ({"type": "percentiles", "p50": 100, "p99": 50}, "/p99", "must not be below p50 (100)"),
    ({"type": "pareto", "scale": 10, "shape": 0}, "/shape", "greater than 0, got 0"),
    ({"type": "pareto", "scale": 10, "shape": -1.5}, "/shape", "greater than 0, got -1.5"),
    ({"type": "gamma", "mean": 5}, "/type", f"({TYPES}, empirical), got 'gamma'"),
]


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(pressure_max_memory_mb=64) as s:
        yield s


@pytest.fixture(autouse=True)
def clean(server: MockServer) -> None:
    httpx.post(f"{server.url}/__admin/reset").raise_for_status()


def refused(answer: httpx.Response, pointer: str, reason: str) -> None:
    assert answer.status_code == 422, answer.text
    error = answer.json()["errors"][0]
    assert error["source"]["pointer"] == pointer
    assert reason in error["title"]


@pytest.mark.parametrize(("delay", "pointer", "reason"), BAD_DELAYS)
def test_a_bad_distribution_is_refused_whole_wherever_it_comes_in(
    server: MockServer, delay: dict[str, Any], pointer: str, reason: str
) -> None:
    admin = f"{server.url}/__admin"
    before = {"fixedDelay": 5, "chaos": {"errorRate": 0.25}}
    assert httpx.post(f"{admin}/settings", json=before).status_code == 200
    shown = httpx.get(f"{admin}/settings").json()
    # with other, valid keys beside it: none of them is applied either
    sent = {"delayDistribution": delay, "chaos": {"errorRate": 1}, "rateLimit": {"requests": 1,
            "periodMs": 1000}}  # fmt: skip
    refused(httpx.post(f"{admin}/settings", json=sent), f"/delayDistribution{pointer}", reason)
    phase = {"timeline": [{"atMs": 10, "settings": {"delayDistribution": delay}}]}
    refused(
        httpx.post(f"{admin}/settings", json=phase),
        f"/timeline/0/settings/delayDistribution{pointer}",
        reason,
    )
    assert httpx.get(f"{admin}/settings").json() == shown
    mapping = {"request": {"urlPath": "/x"}, "response": {"body": "x", "delayDistribution": delay}}
    refused(
        httpx.post(f"{admin}/mappings", json=mapping),
        f"/response/delayDistribution{pointer}",
        reason,
    )
    assert httpx.get(f"{admin}/mappings").json()["mappings"] == []
    preview = {"delayDistribution": delay, "count": 10}
    refused(
        httpx.post(f"{admin}/delays/sample", json=preview), f"/delayDistribution{pointer}", reason
    )
    assert httpx.get(f"{server.url}/x").status_code == 404  # nothing half-made answers


def test_an_unknown_stage_kind_and_a_rate_of_zero_name_the_choices(server: MockServer) -> None:
    runs = f"{server.url}/__admin/load-runs"
    for stage, pointer, reason in (
        ({"kind": "rmap", "rate": 5, "duration": 1}, "/kind",
         "unknown stage kind 'rmap' (valid: constant, ramp, spike, cycle)"),
        ({"kind": "constant", "rate": 0, "duration": 1}, "/rate", "above 0"),
        ({"kind": "ramp", "from": 0, "to": 0, "duration": 1}, "/to", "use a rate above 0"),
    ):  # fmt: skip
        script = {"requests": [{"path": "/"}], "stages": [stage]}
        refused(httpx.post(runs, json={"script": script}), f"/script/stages/0{pointer}", reason)
    assert httpx.get(runs).json() == {"loadRuns": []}
    zero = {"rateLimit": {"requests": 0, "periodMs": 1000}}
    refused(httpx.post(f"{server.url}/__admin/settings", json=zero), "/rateLimit/requests", "1..")


def open_namespace(server: MockServer, name: str, settings: dict[str, Any]) -> str:
    mappings = [
        {
            "request": {"urlPath": "/slow"},
            "response": {"body": "slow", "fixedDelayMilliseconds": 500},
        },
        {"request": {"urlPath": "/fast"}, "response": {"body": "fast"}},
    ]
    body = {"name": name, "mappings": mappings, "settings": settings}
    opened = httpx.post(f"{server.url}/__admin/namespaces", json=body)
    assert opened.status_code == 201, opened.text
    return f"{server.url}/__ns/{name}"


async def flood(url: str, count: int) -> list[tuple[int, float]]:
    """Each answer's status and the loop time it came back at."""
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(timeout=10, limits=httpx.Limits(max_connections=count)) as http:

        async def one() -> tuple[int, float]:
            status = (await http.get(url)).status_code
            return status, loop.time()

        return await asyncio.gather(*(one() for _ in range(count)))


async def fast_meanwhile(url: str, count: int) -> float:
    """Answers one at a time while the floods run; the loop time the last came back at."""
    async with httpx.AsyncClient(timeout=10) as http:
        await asyncio.sleep(0.05)  # the floods are in
        for _ in range(count):
            assert (await http.get(url)).text == "fast"
    return asyncio.get_running_loop().time()


def test_an_overflowing_queue_and_all_errors_hold_up_no_other_namespace(
    server: MockServer,
) -> None:
    limit = {"maxInFlight": 1, "queueDepth": 2, "queueTimeoutMs": 5000}
    queued = open_namespace(server, "queued", {"concurrency": limit})
    failing = open_namespace(server, "failing", {"chaos": {"errorRate": 1.0, "errorStatus": 503}})
    calm = open_namespace(server, "calm", {})

    async def run() -> Any:
        return await asyncio.gather(
            flood(f"{queued}/slow", 40),
            flood(f"{failing}/slow", 40),
            fast_meanwhile(f"{calm}/fast", 5),
        )

    overflow, errors, calm_done = asyncio.run(run())
    statuses = [status for status, _ in overflow]
    assert statuses.count(200) == 3  # one in flight, two queued: the rest refused at once
    assert statuses.count(503) == 37
    assert [status for status, _ in errors] == [503] * 40  # every answer an error, none dropped
    # the queue drains one 500 ms answer at a time; the other namespace is served before that
    assert calm_done < max(done for status, done in overflow if status == 200)
    journal = httpx.get(f"{queued}/__admin/requests").json()["requests"]
    assert len(journal) == 40  # rejected requests are journaled too


def test_a_pressure_request_over_the_cap_is_refused_and_stalls_nothing(server: MockServer) -> None:
    calm = open_namespace(server, "calm-p", {})
    busy = open_namespace(server, "busy-p", {})
    held = httpx.post(f"{busy}/__admin/pressure", json={"memoryMb": 32, "durationMs": 60_000})
    assert held.status_code == 200, held.text
    try:
        over = httpx.post(f"{busy}/__admin/pressure", json={"memoryMb": 65, "durationMs": 100})
        refused(over, "/memoryMb", "cap of 64 MB")
        more = httpx.post(f"{calm}/__admin/pressure", json={"memoryMb": 40, "durationMs": 100})
        refused(more, "/memoryMb", "32 MB held by other namespaces")
        with httpx.Client(timeout=2) as http:
            assert [http.get(f"{calm}/fast").text for _ in range(5)] == ["fast"] * 5
        assert httpx.get(f"{busy}/__admin/pressure").json()["memoryMb"] == 32  # kept as it was
    finally:
        httpx.delete(f"{busy}/__admin/pressure")
