"""Metrics over real sockets: Prometheus text parsed by prometheus-client's own parser, the JSON
view's windows, bounded labels, per-server registries, and StatsD lines caught by a UDP socket."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from mockbdd import Client, MockServer
from mockbdd.server import metrics as metrics_module


def families(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """name -> [(labels, value)] for every sample, as Prometheus would read the scrape."""
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, []).append((sample.labels, sample.value))
    return out


def sample(text: str, name: str, **labels: str) -> float:
    """The sum of ``name``'s samples whose labels include ``labels`` (0 when none)."""
    found = families(text).get(name, [])
    return sum(v for got, v in found if all(got.get(k) == want for k, want in labels.items()))


def wait_for(predicate: object, timeout: float = 5.0) -> None:
    """Observers run on the loop just after each answer: give them that turn."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(predicate) and predicate():
            return
        time.sleep(0.01)
    raise AssertionError("condition not met in time")


@pytest.fixture
def served() -> Iterator[tuple[MockServer, Client, httpx.Client]]:
    with (
        MockServer() as server,
        Client(server.url) as admin,
        httpx.Client(base_url=server.url, timeout=10) as http,
    ):
        yield server, admin, http


def test_counts_equal_the_requests_sent_by_stub_status_and_matched(
    served: tuple[MockServer, Client, httpx.Client],
) -> None:
    _server, admin, http = served
    admin.create_stub(
        {
            "name": "get-user",
            "request": {"method": "GET", "urlPathPattern": "/users/[0-9]+"},
            "response": {"status": 200},
        }
    )
    admin.create_stub(
        {"request": {"method": "POST", "url": "/orders"}, "response": {"status": 201}}
    )
    for i in range(7):
        assert http.get(f"/users/{i}").status_code == 200
    for _ in range(3):
        assert http.post("/orders").status_code == 201
    assert http.get("/nothing/here").status_code == 404

    def counted() -> bool:
        return sample(admin.metrics(), "mockbdd_requests_total") == 11

    wait_for(counted)
    text = admin.metrics()
    assert sample(text, "mockbdd_requests_total", stub="get-user", status="200") == 7
    order_stub = next(s for s in admin.list_stubs() if s.name is None)
    assert sample(text, "mockbdd_requests_total", stub=order_stub.id, status="201") == 3
    assert sample(text, "mockbdd_requests_total", stub="none", matched="false") == 1
    # labels by stub, never by raw path: no sample names /users/3
    assert "/users/" not in text
    assert sample(text, "mockbdd_request_duration_seconds_count", stub="get-user") == 7
    assert sample(text, "mockbdd_namespaces") == 1
    assert sample(text, "mockbdd_journal_entries", namespace="default") == 11
    # the scrape itself is an admin call, never counted as served traffic
    assert sample(admin.metrics(), "mockbdd_requests_total") == 11


def test_counters_are_counters_with_total(served: tuple[MockServer, Client, httpx.Client]) -> None:
    _, admin, http = served
    admin.create_stub({"request": {"url": "/x"}, "response": {"status": 200}})
    http.get("/x")
    wait_for(lambda: sample(admin.metrics(), "mockbdd_requests_total") == 1)
    types = {f.name: f.type for f in text_string_to_metric_families(admin.metrics())}
    assert types["mockbdd_requests"] == "counter"
    assert types["mockbdd_journal_evicted"] == "counter"
    assert types["mockbdd_request_duration_seconds"] == "histogram"
    assert types["mockbdd_in_flight"] == "gauge"
    text = admin.metrics()
    assert "# TYPE mockbdd_requests_total counter" in text
    assert "_created" not in text  # no timestamp series doubling every counter


def test_faults_and_delays_are_counted(served: tuple[MockServer, Client, httpx.Client]) -> None:
    _, admin, http = served
    admin.create_stub(
        {"request": {"url": "/slow"}, "response": {"status": 200, "fixedDelayMilliseconds": 60}}
    )
    admin.create_stub(
        {"request": {"url": "/reset"}, "response": {"fault": "CONNECTION_RESET_BY_PEER"}}
    )
    http.get("/slow")
    with pytest.raises(httpx.HTTPError):
        http.get("/reset")
    wait_for(lambda: sample(admin.metrics(), "mockbdd_requests_total") == 2)
    text = admin.metrics()
    assert sample(text, "mockbdd_faults_total", fault="CONNECTION_RESET_BY_PEER") == 1
    assert sample(text, "mockbdd_requests_total", status="fault") == 1
    assert sample(text, "mockbdd_added_delay_seconds_count") >= 1
    assert sample(text, "mockbdd_added_delay_seconds_sum") >= 0.05  # at least the 60 ms, roughly


def test_namespaces_are_labelled_and_deleted_ones_dropped(
    served: tuple[MockServer, Client, httpx.Client],
) -> None:
    _, admin, http = served
    ns = admin.create_namespace("checkout")
    ns.stub({"request": {"url": "/pay"}, "response": {"status": 202}})
    http.get(ns.url() + "/pay")
    wait_for(lambda: sample(admin.metrics(), "mockbdd_requests_total", namespace="checkout") == 1)
    assert sample(admin.metrics(), "mockbdd_namespaces") == 2
    ns.close()
    text = admin.metrics()
    assert sample(text, "mockbdd_requests_total", namespace="checkout") == 0
    assert sample(text, "mockbdd_namespaces") == 1


def test_label_cardinality_is_capped_with_other(
    served: tuple[MockServer, Client, httpx.Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, admin, http = served
    cap = server._server.metrics().labels if server._server else None  # type: ignore[union-attr]
    assert cap is not None
    monkeypatch.setattr(cap, "max_stubs", 3)
    for i in range(6):
        admin.create_stub({"name": f"s{i}", "request": {"url": f"/s/{i}"}, "response": {}})
    for i in range(6):
        http.get(f"/s/{i}")
    wait_for(lambda: sample(admin.metrics(), "mockbdd_requests_total") == 6)
    stubs = {labels["stub"] for labels, _ in families(admin.metrics())["mockbdd_requests_total"]}
    assert len(stubs) == 4
    assert "other" in stubs
    assert sample(admin.metrics(), "mockbdd_requests_total", stub="other") == 3


def test_routes_past_their_cap_still_count_in_their_series(
    served: tuple[MockServer, Client, httpx.Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each served (namespace, stub, status) remembers its series; past MAX_ROUTES the memo is
    dropped and worked out again, and no request goes uncounted or counted twice."""
    _server, admin, http = served
    monkeypatch.setattr(metrics_module, "MAX_ROUTES", 2)
    for i in range(4):
        admin.create_stub(
            {"name": f"r{i}", "request": {"url": f"/r/{i}"}, "response": {"status": 200 + i}}
        )
    for _ in range(3):
        for i in range(4):
            http.get(f"/r/{i}")
    wait_for(lambda: sample(admin.metrics(), "mockbdd_requests_total") == 12)
    text = admin.metrics()
    for i in range(4):
        assert sample(text, "mockbdd_requests_total", stub=f"r{i}", status=str(200 + i)) == 3


def test_each_server_has_its_own_registry() -> None:
    with MockServer() as one, MockServer() as two, Client(one.url) as a, Client(two.url) as b:
        a.create_stub({"request": {"url": "/a"}, "response": {}})
        httpx.get(one.url + "/a")
        wait_for(lambda: sample(a.metrics(), "mockbdd_requests_total") == 1)
        assert sample(b.metrics(), "mockbdd_requests_total") == 0


def test_metrics_json_has_rates_and_percentiles(
    served: tuple[MockServer, Client, httpx.Client],
) -> None:
    _, admin, http = served
    admin.create_stub(
        {"request": {"url": "/p"}, "response": {"status": 200, "fixedDelayMilliseconds": 20}}
    )
    for _ in range(5):
        http.get("/p")
    wait_for(lambda: admin.metrics_json()["windows"]["10s"]["requests"] == 5)
    data = admin.metrics_json()
    ten, sixty = data["windows"]["10s"], data["windows"]["60s"]
    assert ten["ratePerSecond"] == pytest.approx(0.5)
    assert sixty["requests"] == 5
    assert sixty["ratePerSecond"] == pytest.approx(5 / 60, abs=0.001)
    latency = ten["latencyMs"]
    assert 15 <= latency["p50"] <= latency["p99"] <= latency["max"]  # the 20 ms delay, roughly
    names = {m["name"] for m in data["metrics"]}
    assert {"mockbdd_requests", "mockbdd_request_duration_seconds", "mockbdd_namespaces"} <= names
    counted = next(m for m in data["metrics"] if m["name"] == "mockbdd_requests")
    assert sum(s["value"] for s in counted["samples"] if s["name"].endswith("_total")) == 5


def test_window_percentiles_are_exact_to_a_bucket() -> None:
    now = [1000.0]
    window = metrics_module._Window(lambda: now[0])
    for ms in range(1, 101):
        window.add(float(ms), error=ms > 95)
    summary = window.summary(10)
    assert summary["requests"] == 100
    assert summary["errorsPerSecond"] == 0.5
    assert summary["latencyMs"]["p50"] == pytest.approx(50, rel=0.05)
    assert summary["latencyMs"]["p99"] == pytest.approx(99, rel=0.05)
    now[0] += 11  # past the 10 s window, still inside the 60 s one
    assert window.summary(10)["requests"] == 0
    assert window.summary(10)["latencyMs"]["p50"] is None
    assert window.summary(60)["requests"] == 100
    now[0] += 60
    assert window.summary(60)["requests"] == 0


def test_metrics_are_behind_the_admin_token_and_root_only() -> None:
    with MockServer(admin_token="s3cret") as server:
        assert httpx.get(server.url + "/__admin/metrics").status_code == 401
        with Client(server.url, token="s3cret") as admin:
            assert "mockbdd_namespaces" in admin.metrics()
            ns = admin.create_namespace("a")
            inside = httpx.get(
                ns.url() + "/__admin/metrics", headers={"Authorization": "Bearer s3cret"}
            )
            assert inside.status_code == 404


def test_no_metrics_says_so() -> None:
    with MockServer(metrics=False) as server:
        answer = httpx.get(server.url + "/__admin/metrics")
        assert answer.status_code == 404
        assert "--no-metrics" in answer.text


def test_statsd_lines_reach_a_udp_listener() -> None:
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(10)
    port = receiver.getsockname()[1]
    try:
        with MockServer(statsd=f"127.0.0.1:{port}") as server, Client(server.url) as admin:
            admin.create_stub({"name": "hello", "request": {"url": "/hi"}, "response": {}})
            for _ in range(4):
                httpx.get(server.url + "/hi")
            lines: list[str] = []
            deadline = time.monotonic() + 10
            while (
                time.monotonic() < deadline
                and sum(
                    int(line.split(":")[1].split("|")[0])
                    for line in lines
                    if line.startswith("mockbdd.default.hello.requests:")
                )
                < 4
            ):
                lines.extend(receiver.recv(65536).decode().splitlines())
    finally:
        receiver.close()
    assert any(line.startswith("mockbdd.default.hello.status.200:") for line in lines)
    timings = [line for line in lines if line.startswith("mockbdd.default.hello.duration:")]
    assert len(timings) == 4
    assert all(line.endswith("|ms") for line in timings)


def test_statsd_address_is_checked() -> None:
    with pytest.raises(ValueError, match=r"statsd: .*HOST:PORT"):
        MockServer(statsd="localhost")
    with pytest.raises(ValueError, match=r"statsd: .*HOST:PORT"):
        MockServer(statsd="localhost:99999")


def test_statsd_never_blocks_without_a_listener() -> None:
    """Nothing listens on the port: the datagrams are refused, serving goes on."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with MockServer(statsd=f"127.0.0.1:{port}") as server, Client(server.url) as admin:
        admin.create_stub({"request": {"url": "/hi"}, "response": {}})
        for _ in range(20):
            assert httpx.get(server.url + "/hi").status_code == 200
