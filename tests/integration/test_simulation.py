"""Simulation over real sockets (DESIGN §11): seeded chaos that fails the same requests on
every run, per stub and per namespace; drops (reset, hang); network conditions, bandwidth,
degradation and timelines; ``timing.addedDelay``; ``POST /__admin/delays/sample``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockbdd.server.embedded import MockServer


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as s:
        yield s


def admin(server: MockServer, method: str, path: str, body: Any = None) -> httpx.Response:
    return httpx.request(method, f"{server.url}/__admin{path}", json=body, timeout=10)


def stub(server: MockServer, url: str, **response: Any) -> None:
    mapping = {
        "request": {"method": "GET", "urlPath": url},
        "response": {"status": 200, **response},
    }
    resp = admin(server, "POST", "/mappings", mapping)
    assert resp.status_code == 201, resp.text


def outcomes(server: MockServer, path: str, count: int) -> list[int | str]:
    """Each answer's status, or the kind of failure the client saw."""
    seen: list[int | str] = []
    with httpx.Client(base_url=server.url, timeout=httpx.Timeout(5, read=0.5)) as http:
        for _ in range(count):
            try:
                seen.append(http.get(path).status_code)
            except httpx.ReadTimeout:
                seen.append("hang")
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.ConnectError):
                seen.append("drop")
    return seen


def test_seeded_stub_chaos_fails_the_same_requests_on_every_run(server: MockServer) -> None:
    chaos = {"errorRate": 0.3, "errorStatus": 503, "dropRate": 0.1, "seed": 7}
    runs = []
    for _ in range(2):
        admin(server, "POST", "/reset")
        stub(server, "/pay", body="ok", chaos=chaos)
        runs.append(outcomes(server, "/pay", 40))
    assert runs[0] == runs[1]
    assert set(runs[0]) == {200, 503, "drop"}
    assert 4 <= runs[0].count(503) <= 22  # 30 % of 40, give or take the draw
    another = {**chaos, "seed": 8}
    admin(server, "POST", "/reset")
    stub(server, "/pay", body="ok", chaos=another)
    assert outcomes(server, "/pay", 40) != runs[0]  # another seed, other requests


def test_namespace_chaos_with_the_namespace_seed_reproduces(server: MockServer) -> None:
    runs = []
    for _ in range(2):
        admin(server, "POST", "/reset")
        stub(server, "/a", body="a")
        settings = {"chaos": {"errorRate": 0.5, "errorBody": {"error": "chaos"}}, "seed": 11}
        assert admin(server, "POST", "/settings", settings).status_code == 200
        runs.append(outcomes(server, "/a", 30))
    assert runs[0] == runs[1]
    assert {200, 500} == set(runs[0])
    with httpx.Client(base_url=server.url) as http:
        failed = [http.get("/a") for _ in range(30)]
    body = next(r for r in failed if r.status_code == 500)
    assert body.json() == {"error": "chaos"}
    assert body.headers["Content-Type"] == "application/json"


def test_a_stub_setting_wins_over_the_namespace_setting(server: MockServer) -> None:
    admin(server, "POST", "/settings", {"chaos": {"errorRate": 1.0, "errorStatus": 502}})
    stub(server, "/calm", chaos={"errorRate": 0.0})
    stub(server, "/other")
    assert outcomes(server, "/calm", 5) == [200] * 5
    assert outcomes(server, "/other", 5) == [502] * 5


def test_unconfigured_namespaces_and_unmatched_requests_are_untouched(server: MockServer) -> None:
    admin(server, "POST", "/settings", {"chaos": {"errorRate": 1.0}})
    assert outcomes(server, "/nothing-here", 3) == [404] * 3
    created = admin(server, "POST", "/namespaces", {"name": "calm"})
    assert created.status_code == 201
    calm = httpx.post(
        f"{server.url}/__ns/calm/__admin/mappings",
        json={"request": {"urlPath": "/x"}, "response": {"status": 204}},
    )
    assert calm.status_code == 201
    assert outcomes(server, "/__ns/calm/x", 3) == [204] * 3


def test_drop_modes_reset_and_hang(server: MockServer) -> None:
    stub(server, "/reset", chaos={"dropRate": 1.0})
    stub(server, "/hang", chaos={"dropRate": 1.0, "dropMode": "hang"})
    assert outcomes(server, "/reset", 2) == ["drop", "drop"]
    assert outcomes(server, "/hang", 1) == ["hang"]
    events = admin(server, "GET", "/requests").json()["requests"]
    faults = {e["request"]["url"]: e["response"].get("fault") for e in events}
    assert faults["/reset"] == "CONNECTION_RESET_BY_PEER"


def test_added_delay_reports_the_whole_delay_applied(server: MockServer) -> None:
    admin(server, "POST", "/settings", {"fixedDelay": 30, "network": {"latencyMs": 20}})
    stub(server, "/slow", fixedDelayMilliseconds=50)
    started = time.perf_counter()
    assert httpx.get(f"{server.url}/slow").status_code == 200
    assert time.perf_counter() - started >= 0.1
    event = admin(server, "GET", "/requests").json()["requests"][0]
    assert event["timing"]["addedDelay"] == 100


def test_network_packet_loss_and_errors_reproduce_with_a_seed(server: MockServer) -> None:
    network = {"latencyMs": 1, "jitterMs": 1, "packetLossRate": 0.2, "errorRate": 0.2}
    runs = []
    for _ in range(2):
        admin(server, "POST", "/reset")
        stub(server, "/n", body="n")
        admin(server, "POST", "/settings", {"network": network, "seed": 3})
        runs.append(outcomes(server, "/n", 30))
    assert runs[0] == runs[1]
    assert {200, 500, "drop"} == set(runs[0])


def test_bandwidth_paces_the_body(server: MockServer) -> None:
    stub(server, "/big", body="x" * 2000, bandwidth={"bytesPerSecond": 10_000})
    started = time.perf_counter()
    resp = httpx.get(f"{server.url}/big")
    assert resp.text == "x" * 2000
    assert time.perf_counter() - started >= 0.15  # 2,000 bytes at 10 kB/s: 0.2 s


def test_degradation_grows_with_the_requests_in_flight(server: MockServer) -> None:
    stub(server, "/d", fixedDelayMilliseconds=200, degradation={"perInFlightMs": 100})
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: httpx.get(f"{server.url}/d", timeout=10), range(4)))
    added = sorted(
        e["timing"]["addedDelay"] for e in admin(server, "GET", "/requests").json()["requests"]
    )
    assert added[0] == 200  # the first had nobody before it
    assert added[-1] > 200  # later ones waited for the ones in flight


def test_a_timeline_changes_what_is_in_force(server: MockServer) -> None:
    timeline = [{"atMs": 1500, "settings": {"chaos": {"errorRate": 1.0, "errorStatus": 503}}}]
    stub(server, "/t")
    assert admin(server, "POST", "/settings", {"timeline": timeline}).status_code == 200
    shown = admin(server, "GET", "/settings").json()["settings"]
    assert shown["timeline"][0]["atMs"] == 1500
    if shown["timelineElapsedMs"] < 1400:  # a loaded machine may be later than that
        assert "chaos" not in shown
        assert outcomes(server, "/t", 1) == [200]
    time.sleep(max(0.0, (1600 - shown["timelineElapsedMs"]) / 1000))
    assert outcomes(server, "/t", 2) == [503, 503]
    now = admin(server, "GET", "/settings").json()["settings"]
    assert now["chaos"]["errorRate"] == 1.0
    assert now["timelineElapsedMs"] >= 1500
    assert admin(server, "POST", "/settings", now).status_code == 200  # taken back as shown


def test_bad_chaos_is_refused_whole_and_nothing_is_half_applied(server: MockServer) -> None:
    admin(server, "POST", "/settings", {"fixedDelay": 5})
    resp = admin(
        server, "POST", "/settings", {"fixedDelay": 9, "chaos": {"errorRate": 0.8, "dropRate": 0.5}}
    )
    assert resp.status_code == 422
    error = resp.json()["errors"][0]
    assert error["source"]["pointer"] == "/chaos"
    assert error["title"] == "errorRate + dropRate must not exceed 1, got 1.3"
    assert admin(server, "GET", "/settings").json()["settings"] == {"fixedDelay": 5}


def test_sample_delays_previews_a_profile_without_sleeping(server: MockServer) -> None:
    body = {"delayDistribution": {"type": "normal", "mean": 100, "stddev": 10}, "count": 2000,
            "seed": 1}  # fmt: skip
    # 2,000 samples of 100 ms, slept, would outlast the client's 10 s timeout: no clock needed
    first = admin(server, "POST", "/delays/sample", body)
    assert first.status_code == 200, first.text
    data = first.json()
    assert len(data["samples"]) == 2000
    assert abs(data["summary"]["mean"] - 100) < 2
    assert abs(data["summary"]["stddev"] - 10) < 1
    assert set(data["summary"]) == {"mean", "stddev", "p50", "p90", "p99", "max"}
    assert admin(server, "POST", "/delays/sample", body).json() == data  # same seed, same draws
    bad = admin(server, "POST", "/delays/sample", {"delayDistribution": {"type": "gamma"}})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["source"]["pointer"] == "/delayDistribution/type"
    for wrong, pointer in (({"count": 0}, "/count"), ({"seed": -1}, "/seed"), ({}, None)):
        sent = {"delayDistribution": {"type": "fixed", "milliseconds": 1}, **wrong}
        if pointer is None:
            sent = {"count": 3}
            pointer = "/delayDistribution"
        resp = admin(server, "POST", "/delays/sample", sent)
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["source"]["pointer"] == pointer


def test_a_namespace_seed_makes_two_namespaces_fail_alike(server: MockServer) -> None:
    runs = []
    for name in ("one", "two"):
        mapping = {"request": {"urlPath": "/x"}, "response": {"status": 200}}
        created = admin(
            server,
            "POST",
            "/namespaces",
            {"name": name, "seed": 5, "mappings": [mapping],
             "settings": {"chaos": {"errorRate": 0.5}}},
        )  # fmt: skip
        assert created.status_code == 201, created.text
        runs.append(outcomes(server, f"/__ns/{name}/x", 20))
    assert runs[0] == runs[1]
    assert set(runs[0]) == {200, 500}
    bad = admin(server, "POST", "/namespaces", {"name": "three", "seed": "x"})
    assert bad.status_code == 400  # as every namespace-creation error
    assert bad.json()["errors"][0]["source"]["pointer"] == "/seed"


def test_network_bandwidth_and_degradation_per_stub_and_per_namespace(server: MockServer) -> None:
    stub(server, "/own", network={"latencyMs": 120})
    stub(server, "/shared", body="y" * 1000)
    admin(server, "POST", "/settings", {"bandwidth": {"bytesPerSecond": 5000},
                                        "degradation": {"perInFlightMs": 0}})  # fmt: skip
    started = time.perf_counter()
    assert httpx.get(f"{server.url}/shared").text == "y" * 1000  # 1,000 bytes at 5 kB/s
    assert time.perf_counter() - started >= 0.15
    assert httpx.get(f"{server.url}/own").status_code == 200
    added = {
        e["request"]["url"]: e["timing"]["addedDelay"]
        for e in admin(server, "GET", "/requests").json()["requests"]
    }
    assert added == {"/own": 120, "/shared": 0}  # the stub's network is its own


def test_a_timeline_ramps_the_delay_and_steps_a_rate_limit(server: MockServer) -> None:
    stub(server, "/r")
    timeline = [
        {"atMs": 0, "rampMs": 400, "to": {"fixedDelay": 200}},
        {"atMs": 2000, "settings": {"rateLimit": {"requests": 1, "periodMs": 60000}}},
    ]
    assert admin(server, "POST", "/settings", {"timeline": timeline}).status_code == 200
    time.sleep(0.2)
    assert httpx.get(f"{server.url}/r").status_code == 200
    elapsed = admin(server, "GET", "/settings").json()["settings"]["timelineElapsedMs"]
    time.sleep(max(0.0, (2100 - elapsed) / 1000))
    assert [httpx.get(f"{server.url}/r").status_code for _ in range(3)] == [200, 429, 429]
    delays = [
        e["timing"]["addedDelay"] for e in admin(server, "GET", "/requests").json()["requests"]
    ]
    assert len(delays) == 4  # the journal lists the newest first
    assert 40 <= delays[3] <= 200  # part-way up the ramp
    assert delays[2] == 200  # the ramp is over: its target is in force
    assert delays[:2] == [0, 0]  # refused by the limit the timeline stepped in
