"""Serving: near-miss 404s, delays, faults at the socket level, sequences, scenarios, bodies."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockbdd.server.embedded import MockServer


def stub(http: httpx.Client, mapping: dict[str, Any]) -> None:
    resp = http.post("/__admin/mappings", json=mapping)
    assert resp.status_code == 201, resp.text


def concurrent_gets(base_url: str, path: str, clients: int) -> list[httpx.Response]:
    """``clients`` threads, each with its own connection, sending one GET at the same time."""
    responses: list[httpx.Response] = []
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def worker() -> None:
        with httpx.Client(base_url=base_url, timeout=10) as c:
            start.wait()
            response = c.get(path)
        with lock:
            responses.append(response)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(responses) == clients
    return responses


def test_unmatched_request_gets_near_miss_report(http: httpx.Client) -> None:
    stub(
        http,
        {"name": "user one", "request": {"method": "GET", "url": "/api/users/1"}, "response": {}},
    )
    resp = http.get("/api/users/2")
    assert resp.status_code == 404
    assert "Request was not matched: GET /api/users/2" in resp.text
    assert "Closest stub #1: user one" in resp.text
    assert "url" in resp.text
    assert "/api/users/1" in resp.text


def test_fixed_delay_takes_at_least_that_long(http: httpx.Client) -> None:
    stub(http, {"request": {"url": "/slow"}, "response": {"fixedDelayMilliseconds": 200}})
    started = time.perf_counter()
    assert http.get("/slow").status_code == 200
    assert time.perf_counter() - started >= 0.2


def test_chunked_dribble_delivers_whole_body(http: httpx.Client) -> None:
    body = "x" * 100
    stub(
        http,
        {
            "request": {"url": "/dribble"},
            "response": {
                "body": body,
                "chunkedDribbleDelay": {"numberOfChunks": 5, "totalDuration": 200},
            },
        },
    )
    started = time.perf_counter()
    assert http.get("/dribble").text == body
    assert time.perf_counter() - started >= 0.15


def _raw_exchange(port: int, path: str) -> bytes | Exception:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        data = b""
        try:
            while chunk := sock.recv(4096):
                data += chunk
        except ConnectionResetError as exc:
            return exc
        return data


@pytest.mark.parametrize(
    ("fault", "check"),
    [
        ("CONNECTION_RESET_BY_PEER", lambda r: isinstance(r, ConnectionResetError)),
        ("EMPTY_RESPONSE", lambda r: r == b""),
        ("MALFORMED_RESPONSE_CHUNK", lambda r: isinstance(r, bytes) and b"sdlv" in r),
        # real WireMock 3.13.2 writes a fixed 36-byte garbage string, not random bytes
        ("RANDOM_DATA_THEN_CLOSE", lambda r: r == b"lskdu018973t09sylgasjkfg1][]'./.sdlv"),
    ],
)
def test_faults_are_real_at_socket_level(
    server: MockServer, http: httpx.Client, fault: str, check: Any
) -> None:
    stub(http, {"request": {"url": "/f"}, "response": {"fault": fault}})
    assert check(_raw_exchange(server.port, "/f"))
    # the server keeps serving, and the faulted request is journaled
    assert http.get("/__admin/health").status_code == 200
    count = http.post("/__admin/requests/count", json={"url": "/f"}).json()["count"]
    assert count == 1


def test_sequence_plays_in_order_then_repeats_last(http: httpx.Client) -> None:
    stub(
        http,
        {
            "request": {"urlPath": "/seq"},
            "responses": [{"status": 503, "times": 2}, {"status": 200, "body": "ok"}],
        },
    )
    assert [http.get("/seq").status_code for _ in range(4)] == [503, 503, 200, 200]


def test_sequence_loop_and_not_found(http: httpx.Client) -> None:
    stub(
        http,
        {
            "request": {"urlPath": "/loop"},
            "responses": [{"status": 201}, {"status": 202}],
            "whenExhausted": "loop",
        },
    )
    assert [http.get("/loop").status_code for _ in range(4)] == [201, 202, 201, 202]
    stub(http, {"priority": 9, "request": {"urlPath": "/nf"}, "response": {"status": 418}})
    stub(
        http,
        {
            "request": {"urlPath": "/nf"},
            "responses": [{"status": 200}],
            "whenExhausted": "notFound",
        },
    )
    assert [http.get("/nf").status_code for _ in range(3)] == [200, 418, 418]


def test_sequence_exact_under_100_concurrent_clients(
    server: MockServer, http: httpx.Client
) -> None:
    stub(
        http,
        {
            "request": {"urlPath": "/c"},
            "responses": [{"status": 200, "times": 37}, {"status": 503}],
        },
    )
    statuses = [r.status_code for r in concurrent_gets(server.url, "/c", 100)]
    assert statuses.count(200) == 37
    assert statuses.count(503) == 63


def test_scenario_transitions(http: httpx.Client) -> None:
    stub(
        http,
        {
            "scenarioName": "cart",
            "requiredScenarioState": "Started",
            "newScenarioState": "added",
            "request": {"method": "POST", "url": "/cart"},
            "response": {"status": 201},
        },
    )
    stub(
        http,
        {
            "scenarioName": "cart",
            "requiredScenarioState": "added",
            "request": {"method": "GET", "url": "/cart"},
            "response": {"body": "1 item"},
        },
    )
    stub(
        http,
        {
            "scenarioName": "cart",
            "requiredScenarioState": "Started",
            "request": {"method": "GET", "url": "/cart"},
            "response": {"body": "empty"},
        },
    )
    assert http.get("/cart").text == "empty"
    assert http.post("/cart").status_code == 201
    assert http.get("/cart").text == "1 item"
    scenarios = http.get("/__admin/scenarios").json()["scenarios"]
    assert scenarios[0]["name"] == "cart"
    assert scenarios[0]["state"] == "added"
    assert set(scenarios[0]["possibleStates"]) == {"Started", "added"}
    http.put("/__admin/scenarios/cart/state", json={"state": "Started"})
    assert http.get("/cart").text == "empty"
    assert http.put("/__admin/scenarios/nope/state", json={"state": "x"}).status_code == 404


def test_body_file_inside_root_only(tmp_path: Path) -> None:
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "hello.txt").write_text("hello from a file")
    (tmp_path / "secret.txt").write_text("secret")
    with MockServer(files=tmp_path / "files") as server, httpx.Client(base_url=server.url) as http:
        stub(http, {"request": {"url": "/f"}, "response": {"bodyFileName": "hello.txt"}})
        assert http.get("/f").text == "hello from a file"
        stub(http, {"request": {"url": "/g"}, "response": {"bodyFileName": "missing.txt"}})
        assert http.get("/g").status_code == 500


def test_request_matching_fields(http: httpx.Client) -> None:
    stub(
        http,
        {
            "request": {
                "method": "POST",
                "urlPathTemplate": "/orders/{id}",
                "pathParameters": {"id": {"matches": "[0-9]+"}},
                "queryParameters": {"expand": {"equalTo": "items"}},
                "headers": {"Content-Type": {"contains": "json"}},
                "cookies": {"session": {"equalTo": "abc"}},
                "basicAuthCredentials": {"username": "u", "password": "p"},
                "bodyPatterns": [{"equalToJson": {"qty": 2}, "ignoreExtraElements": True}],
            },
            "response": {"status": 202},
        },
    )
    ok = http.post(
        "/orders/42?expand=items",
        json={"qty": 2, "note": "x"},
        headers={"Cookie": "session=abc"},
        auth=("u", "p"),
    )
    assert ok.status_code == 202
    wrong_id = http.post(
        "/orders/abc?expand=items",
        json={"qty": 2},
        headers={"Cookie": "session=abc"},
        auth=("u", "p"),
    )
    assert wrong_id.status_code == 404


def test_form_parameters(http: httpx.Client) -> None:
    stub(
        http,
        {
            "request": {
                "method": "POST",
                "url": "/form",
                "formParameters": {"a": {"equalTo": "1"}},
            },
            "response": {"status": 200},
        },
    )
    assert http.post("/form", data={"a": "1", "b": "2"}).status_code == 200
    assert http.post("/form", data={"a": "2"}).status_code == 404


def test_oversized_body_is_cut_off_not_a_crash() -> None:
    with (
        MockServer(max_body_bytes=16) as server,
        httpx.Client(base_url=server.url, timeout=10) as http,
    ):
        stub(http, {"request": {"method": "POST", "url": "/big"}, "response": {"status": 200}})
        assert http.post("/big", content=b"y" * 100_000).status_code == 200
        logged = http.get("/__admin/requests").json()["requests"][0]["request"]
        assert logged["body"] == "y" * 16


def test_proxy_forwards_to_named_target_and_journals() -> None:
    with MockServer() as upstream, MockServer() as front, httpx.Client(base_url=front.url) as http:
        httpx.post(
            f"{upstream.url}/__admin/mappings",
            json={
                "request": {
                    "method": "POST",
                    "url": "/real/thing?x=1",
                    "headers": {"X-Added": {"equalTo": "yes"}},
                },
                "response": {"status": 207, "headers": {"X-Up": "1"}, "body": "from upstream"},
            },
        )
        proxy_stub = http.post(
            "/__admin/mappings",
            json={
                "request": {"urlPathPattern": "/api/.*"},
                "response": {
                    "proxyBaseUrl": f"{upstream.url}/real",
                    "proxyUrlPrefixToRemove": "/api",
                    "additionalProxyRequestHeaders": {"X-Added": "yes"},
                },
            },
        ).json()
        resp = http.post("/api/thing?x=1", content=b"payload")
        assert resp.status_code == 207
        assert resp.text == "from upstream"
        assert resp.headers["X-Up"] == "1"
        assert resp.headers.get_list("Matched-Stub-Id") == [proxy_stub["id"]]  # not upstream's
        upstream_seen = httpx.get(f"{upstream.url}/__admin/requests").json()["requests"][0][
            "request"
        ]
        assert upstream_seen["body"] == "payload"
        logged = http.get("/__admin/requests").json()["requests"][0]
        assert logged["response"]["status"] == 207


def test_proxy_to_dead_target_is_502_with_reason(http: httpx.Client) -> None:
    import socket as _socket

    with _socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    stub(
        http,
        {"request": {"urlPath": "/gone"}, "response": {"proxyBaseUrl": f"http://127.0.0.1:{dead}"}},
    )
    resp = http.get("/gone")
    assert resp.status_code == 502
    assert "proxy to" in resp.text


def test_an_unknown_transformer_is_refused_not_served_raw(http: httpx.Client) -> None:
    resp = http.post(
        "/__admin/mappings",
        json={
            "request": {"url": "/t"},
            "response": {"body": "{{request.url}}", "transformers": ["velocity-template"]},
        },
    )
    assert resp.status_code == 422
    title = resp.json()["errors"][0]["title"]
    assert "registered response transformers" in title
    assert "response-template" in title  # the choices are named
    assert "'velocity-template'" in title


def test_response_template_renders_the_request_url(http: httpx.Client) -> None:
    resp = http.post(
        "/__admin/mappings",
        json={
            "request": {"url": "/t?x=1"},
            "response": {"body": "{{request.url}}", "transformers": ["response-template"]},
        },
    )
    assert resp.status_code == 201
    assert http.get("/t?x=1").text == "/t?x=1"


def test_scenario_transitions_exact_under_100_concurrent_clients(
    server: MockServer, http: httpx.Client
) -> None:
    """A chain of 100 states: each request must advance it by exactly one step."""
    states = ["Started", *[f"s{i}" for i in range(1, 101)]]
    mappings = [
        {
            "scenarioName": "chain",
            "requiredScenarioState": states[i],
            "newScenarioState": states[i + 1],
            "request": {"urlPath": "/step"},
            "response": {"body": str(i)},
        }
        for i in range(100)
    ]
    assert http.post("/__admin/mappings/import", json={"mappings": mappings}).status_code == 200
    bodies = [r.text for r in concurrent_gets(server.url, "/step", 100)]
    assert sorted(bodies, key=int) == [str(i) for i in range(100)]
    scenario = http.get("/__admin/scenarios").json()["scenarios"][0]
    assert scenario["state"] == "s100"


def test_answers_name_the_stub_that_gave_them(http: httpx.Client, tmp_path: Path) -> None:
    # real WireMock 3.13.2 sends Matched-Stub-Id on every stubbed answer, and Matched-Stub-Name
    # when the stub has a name
    plain = http.post(
        "/__admin/mappings", json={"request": {"url": "/plain"}, "response": {"body": "x"}}
    ).json()
    named = http.post(
        "/__admin/mappings",
        json={"name": "Named one", "request": {"url": "/named"}, "response": {"status": 204}},
    ).json()
    sequence = http.post(
        "/__admin/mappings",
        json={"request": {"url": "/seq"}, "responses": [{"body": "a"}, {"body": "b"}]},
    ).json()
    unsafe = http.post(
        "/__admin/mappings",
        json={"name": "two\nlines", "request": {"url": "/unsafe"}, "response": {}},
    ).json()
    answer = http.get("/plain")
    assert answer.headers["Matched-Stub-Id"] == plain["id"]
    assert "Matched-Stub-Name" not in answer.headers
    answer = http.get("/named")
    assert answer.headers["Matched-Stub-Id"] == named["id"]
    assert answer.headers["Matched-Stub-Name"] == "Named one"
    assert http.head("/plain").headers["Matched-Stub-Id"] == plain["id"]  # aiohttp's own path
    for _ in range(2):
        assert http.get("/seq").headers["Matched-Stub-Id"] == sequence["id"]
    answer = http.get("/unsafe")  # a name that cannot be a header value is left out
    assert answer.headers["Matched-Stub-Id"] == unsafe["id"]
    assert "Matched-Stub-Name" not in answer.headers
    assert "Matched-Stub-Id" not in http.get("/nothing").headers


def test_an_edited_stub_answers_with_its_new_name(http: httpx.Client) -> None:
    created = http.post(
        "/__admin/mappings",
        json={"name": "before", "request": {"url": "/e"}, "response": {"body": "x"}},
    ).json()
    assert http.get("/e").headers["Matched-Stub-Name"] == "before"
    edited = http.put(
        f"/__admin/mappings/{created['id']}",
        json={"name": "after", "request": {"url": "/e"}, "response": {"body": "x"}},
    )
    assert edited.status_code == 200
    assert http.get("/e").headers["Matched-Stub-Name"] == "after"


def test_url_pattern_accepts_java_named_groups(http: httpx.Client) -> None:
    created = http.post(
        "/__admin/mappings",
        json={"request": {"urlPattern": "/(?<n>a)\\k<n>"}, "response": {"body": "twice"}},
    )
    assert created.status_code == 201, created.text
    assert http.get("/aa").text == "twice"
    assert http.get("/ab").status_code == 404


def raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def test_urls_are_matched_and_journaled_as_sent(http: httpx.Client) -> None:
    stub(http, {"request": {"url": "/a%20b"}, "response": {"body": "encoded"}})
    stub(http, {"request": {"urlPath": "/p/q"}, "response": {"body": "slash"}})
    assert http.get("/a%20b").text == "encoded"
    assert http.get("/p%2Fq").status_code == 404  # an encoded slash is not a path separator
    assert http.post("/__admin/requests/count", json={"url": "/a%20b"}).json()["count"] == 1
    urls = [r["request"]["url"] for r in http.get("/__admin/requests").json()["requests"]]
    assert "/p%2Fq" in urls


def test_dribble_with_head_and_http10(server: MockServer, http: httpx.Client) -> None:
    stub(
        http,
        {
            "request": {"url": "/d"},
            "response": {
                "body": "abcdef",
                "chunkedDribbleDelay": {"numberOfChunks": 3, "totalDuration": 30},
            },
        },
    )
    old = raw(server.port, b"GET /d HTTP/1.0\r\n\r\n")
    assert old.startswith(b"HTTP/1.0 200")
    assert old.endswith(b"abcdef")
    head = http.head("/d")
    assert head.status_code == 200
    assert head.content == b""
    assert http.get("/d").text == "abcdef"  # the connection is still usable


def test_recorded_framing_headers_do_not_break_the_response(http: httpx.Client) -> None:
    stub(
        http,
        {
            "request": {"url": "/te"},
            "response": {
                "body": "hello",
                "headers": {"Transfer-Encoding": "chunked", "Content-Length": "99"},
            },
        },
    )
    resp = http.get("/te", timeout=5)
    assert resp.text == "hello"
    assert resp.headers["content-length"] == "5"
