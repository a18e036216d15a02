"""WireMock's recorder over real sockets: a mock server records a local upstream (another
server), plays it back, persists mappings that load back unchanged, and reaches nothing else."""

from __future__ import annotations

import gzip
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockbdd.server.embedded import MockServer

UPSTREAM_STUBS: list[dict[str, Any]] = [
    {
        "request": {"method": "GET", "urlPath": "/things/1"},
        "response": {"status": 200, "jsonBody": {"id": 1}, "headers": {"X-Up": "yes"}},
    },
    {
        "request": {"method": "POST", "urlPath": "/orders"},
        "response": {"status": 201, "body": "created", "headers": {"Content-Type": "text/plain"}},
    },
    {
        "request": {"method": "GET", "urlPath": "/counter"},
        "responses": [{"status": 200, "body": "one"}, {"status": 200, "body": "two"}],
    },
    {
        "request": {"method": "GET", "urlPath": "/big"},
        "response": {"status": 200, "body": "x" * 100, "headers": {"Content-Type": "text/plain"}},
    },
    {
        "request": {"method": "GET", "urlPath": "/zipped"},
        "response": {
            "status": 200,
            "base64Body": __import__("base64").b64encode(gzip.compress(b"unzipped")).decode(),
            "headers": {"Content-Encoding": "gzip", "Content-Type": "text/plain"},
        },
    },
    {
        "priority": 9,
        "request": {"method": "ANY", "urlPathPattern": "/.*"},
        "response": {"status": 299},
    },
]


@pytest.fixture
def upstream() -> Iterator[MockServer]:
    with MockServer() as server, httpx.Client(base_url=server.url) as http:
        for stub in UPSTREAM_STUBS:
            http.post("/__admin/mappings", json=stub).raise_for_status()
        yield server


def traffic(http: httpx.Client) -> None:
    assert http.get("/things/1").json() == {"id": 1}
    assert http.post("/orders", json={"item": 7}).status_code == 201
    assert http.get("/counter").text == "one"
    assert http.get("/counter").text == "two"


def test_record_play_back_and_persist(upstream: MockServer, tmp_path: Path) -> None:
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    with MockServer(mappings=mappings) as server, httpx.Client(base_url=server.url) as http:
        assert http.get("/__admin/recordings/status").json() == {"status": "NeverStarted"}
        started = http.post("/__admin/recordings/start", json={"targetBaseUrl": upstream.url})
        assert started.status_code == 200, started.text
        assert http.get("/__admin/recordings/status").json() == {"status": "Recording"}
        traffic(http)
        stopped = http.post("/__admin/recordings/stop")
        assert stopped.status_code == 200, stopped.text
        assert http.get("/__admin/recordings/status").json() == {"status": "Stopped"}
        recorded = stopped.json()["mappings"]
        by_name = {m["name"]: m for m in recorded if m["name"] != "counter"}
        thing = by_name["things_1"]
        assert thing["request"] == {"url": "/things/1", "method": "GET"}
        assert json.loads(thing["response"]["body"]) == {"id": 1}
        assert thing["response"]["headers"]["X-Up"] == "yes"
        assert thing["persistent"] is True
        assert by_name["orders"]["request"]["bodyPatterns"] == [
            {"equalToJson": '{"item":7}', "ignoreArrayOrder": True, "ignoreExtraElements": True}
        ]
        counters = [m for m in recorded if m["name"] == "counter"]  # newest first, as WireMock
        assert [(c["requiredScenarioState"], c.get("newScenarioState")) for c in counters] == [
            ("scenario-1-counter-2", None),
            ("Started", "scenario-1-counter-2"),
        ]
        assert {c["scenarioName"] for c in counters} == {"scenario-1-counter"}
        assert len(list(mappings.glob("*.json"))) == 4
    # the upstream is gone: the saved files answer as it did
    upstream.stop()
    with MockServer(mappings=mappings) as replay, httpx.Client(base_url=replay.url) as http:
        traffic(http)
        assert http.get("/things/1").headers["X-Up"] == "yes"


def test_playback_in_the_same_server_needs_no_upstream(upstream: MockServer) -> None:
    with MockServer() as server, httpx.Client(base_url=server.url) as http:
        http.post("/__admin/recordings/start", json={"targetBaseUrl": upstream.url})
        traffic(http)
        http.post("/__admin/recordings/stop").raise_for_status()
        upstream.stop()
        traffic(http)  # the recorded stubs were added; the proxy stub is gone
        assert len(http.get("/__admin/mappings").json()["mappings"]) == 4


def test_record_spec_options(upstream: MockServer, tmp_path: Path) -> None:
    files = tmp_path / "files"
    (tmp_path / "m").mkdir()
    spec = {
        "targetBaseUrl": upstream.url,
        "filters": {"urlPathPattern": "/(counter|big|zipped|orders)", "method": "ANY"},
        "captureHeaders": {"Accept": {}, "X-Tenant": {"caseInsensitive": True}},
        "requestBodyPattern": {"matcher": "equalTo", "caseInsensitive": True},
        "extractBodyCriteria": {"textSizeThreshold": "50 b"},
        "repeatsAsScenarios": False,
        "transformers": ["crud"],
        "transformerParameters": {"collection": "c"},
        "persist": True,
        "outputFormat": "FULL",
    }
    with (
        MockServer(mappings=tmp_path / "m", files=files) as server,
        httpx.Client(base_url=server.url, headers={"Accept": "text/plain"}) as http,
    ):
        assert http.post("/__admin/recordings/start", json=spec).status_code == 200
        traffic(http)
        http.get("/big", headers={"X-Tenant": "acme"})
        assert http.get("/zipped").text == "unzipped"
        recorded = http.post("/__admin/recordings/stop").json()["mappings"]
    names = sorted(m["name"] for m in recorded)
    assert names == ["big", "counter", "orders", "zipped"]  # filtered; one counter
    by_name = {m["name"]: m for m in recorded}
    assert by_name["big"]["request"]["headers"] == {
        "Accept": {"equalTo": "text/plain"},
        "X-Tenant": {"equalTo": "acme", "caseInsensitive": True},
    }
    assert by_name["orders"]["request"]["bodyPatterns"] == [
        {"equalTo": '{"item":7}', "caseInsensitive": True}
    ]
    big = by_name["big"]["response"]
    assert big["bodyFileName"].startswith("big-")
    assert (files / big["bodyFileName"]).read_text() == "x" * 100
    # octet-stream: binary; of repeats, WireMock keeps the newest
    assert by_name["counter"]["response"]["base64Body"] == "dHdv"
    assert "scenarioName" not in by_name["counter"]
    zipped = by_name["zipped"]["response"]
    assert (zipped["body"], "Content-Encoding" in zipped["headers"]) == ("unzipped", False)
    assert by_name["orders"]["response"]["transformers"] == ["crud"]
    assert by_name["orders"]["response"]["transformerParameters"] == {"collection": "c"}


def test_snapshot_takes_the_proxied_requests_from_the_journal(upstream: MockServer) -> None:
    with MockServer() as server, httpx.Client(base_url=server.url) as http:
        proxy = {
            "request": {"urlPathPattern": "/things/.*"},
            "response": {"proxyBaseUrl": upstream.url},
        }
        http.post("/__admin/mappings", json=proxy).raise_for_status()
        http.post(
            "/__admin/mappings", json={"request": {"url": "/local"}, "response": {"status": 204}}
        )
        assert http.get("/things/1").status_code == 200
        assert http.get("/local").status_code == 204
        snap = http.post("/__admin/recordings/snapshot", json={"persist": False})
        assert [m["request"]["url"] for m in snap.json()["mappings"]] == ["/things/1"]
        every = http.post(
            "/__admin/recordings/snapshot",
            json={"filters": {"allowNonProxied": True}, "outputFormat": "IDS", "persist": False},
        ).json()
        assert len(every["ids"]) == 2
        ident = http.get("/__admin/requests").json()["requests"][0]["id"]
        one = http.post(
            "/__admin/recordings/snapshot",
            json={"filters": {"ids": [ident], "allowNonProxied": True}},
        )
        assert [m["request"]["url"] for m in one.json()["mappings"]] == ["/local"]
        assert http.post("/__admin/recordings/snapshot").status_code == 200  # an empty body


def test_recording_reaches_only_its_target(upstream: MockServer) -> None:
    with MockServer() as server, httpx.Client(base_url=server.url) as http:
        http.post("/__admin/recordings/start", json={"targetBaseUrl": upstream.url + "/"})
        # a path that reads like another host still goes to the target
        assert http.get("/@other.invalid:80/x").status_code == 299
        http.post("/__admin/recordings/stop")
    with httpx.Client(base_url=upstream.url) as up:
        urls = [r["request"]["url"] for r in up.get("/__admin/requests").json()["requests"]]
    assert "/@other.invalid:80/x" in urls


def test_bad_recording_calls_are_refused_in_mockbdds_voice(upstream: MockServer) -> None:
    allowed = (upstream.url,)
    with MockServer(proxy_allow=allowed) as server, httpx.Client(base_url=server.url) as http:

        def refused(path: str, body: Any, status: int = 422) -> str:
            answer = http.post(path, json=body)
            assert answer.status_code == status, answer.text
            return answer.text

        assert "/targetBaseUrl" in refused("/__admin/recordings/start", {})
        assert "--proxy-allow" in refused(
            "/__admin/recordings/start", {"targetBaseUrl": "http://127.0.0.1:9"}
        )
        assert "/persistt" in refused(
            "/__admin/recordings/start", {"targetBaseUrl": upstream.url, "persistt": 1}
        )
        for body, pointer in (
            ({"filters": []}, "/filters"),
            ({"filters": {"ids": "x"}}, "/filters/ids"),
            ({"filters": {"allowNonProxied": 1}}, "/filters/allowNonProxied"),
            ({"filters": {"method": 7}}, "/filters/method"),
            ({"captureHeaders": []}, "/captureHeaders"),
            ({"captureHeaders": {"A": {"x": 1}}}, "/captureHeaders/A"),
            (
                {"captureHeaders": {"A": {"caseInsensitive": 1}}},
                "/captureHeaders/A/caseInsensitive",
            ),
            ({"requestBodyPattern": 1}, "/requestBodyPattern"),
            ({"requestBodyPattern": {"matcher": "regex"}}, "/requestBodyPattern/matcher"),
            ({"requestBodyPattern": {"x": 1}}, "/requestBodyPattern/x"),
            (
                {"requestBodyPattern": {"ignoreArrayOrder": 1}},
                "/requestBodyPattern/ignoreArrayOrder",
            ),
            (
                {"extractBodyCriteria": {"textSizeThreshold": "lots"}},
                "/extractBodyCriteria/textSizeThreshold",
            ),
            ({"extractBodyCriteria": []}, "/extractBodyCriteria"),
            ({"transformers": "crud"}, "/transformers"),
            ({"transformerParameters": []}, "/transformerParameters"),
            ({"outputFormat": "SOME"}, "/outputFormat"),
            ({"persist": "yes"}, "/persist"),
            ({"targetBaseUrl": upstream.url}, "/targetBaseUrl"),
        ):
            assert f'"pointer":"{pointer}"' in refused(
                "/__admin/recordings/snapshot", body
            ).replace(" ", ""), body
        assert "must be a JSON object" in refused("/__admin/recordings/snapshot", [], 400)
        assert "no recording is under way" in refused("/__admin/recordings/stop", None, 409)
        http.post(
            "/__admin/recordings/start", json={"targetBaseUrl": upstream.url}
        ).raise_for_status()
        assert "already recording" in refused(
            "/__admin/recordings/start", {"targetBaseUrl": upstream.url}, 409
        )
        http.post("/__admin/recordings/stop").raise_for_status()


@pytest.mark.parametrize(
    ("size", "expected"),
    [(2048, 2048), ("2 kb", 2048), ("1 Mb", 1024**2), ("10", 10), ("1.5k", 1536)],
)
def test_sizes(size: Any, expected: int) -> None:
    from mockbdd.wire.recording import parse_size

    assert parse_size(size, "/x") == expected


def test_mockbdd_record_writes_mappings_that_serve_plays_back(
    upstream: MockServer, tmp_path: Path
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "recorded"
    command = [sys.executable, "-m", "mockbdd", "record", "--target", upstream.url]
    command += ["--out", str(out), "--port", str(port), "--capture-header", "Accept"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert "recording" in first, first + proc.stderr.read() if proc.stderr else first
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
            traffic(http)
        proc.send_signal(signal.SIGINT)
        rest, errors = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, errors
    assert "recorded 4 mapping(s)" in rest
    assert len(list(out.glob("*.json"))) == 4
    upstream.stop()
    with MockServer(mappings=out) as replay, httpx.Client(base_url=replay.url) as http:
        traffic(http)


def test_mockbdd_record_refuses_a_target_that_is_not_a_url(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mockbdd", "record", "--target", "ftp://x", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=60, env={**os.environ},
    )  # fmt: skip
    assert done.returncode == 2
    assert "must be an http(s):// URL" in done.stderr


def test_a_deleted_namespace_takes_its_recording_with_it(upstream: MockServer) -> None:
    with MockServer() as server, httpx.Client(base_url=server.url) as http:
        http.post("/__admin/namespaces", json={"name": "rec"}).raise_for_status()
        start = http.post(
            "/__ns/rec/__admin/recordings/start", json={"targetBaseUrl": upstream.url}
        )
        assert start.status_code == 200
        assert http.get("/__ns/rec/__admin/recordings/status").json() == {"status": "Recording"}
        assert http.get("/__admin/recordings/status").json() == {"status": "NeverStarted"}
        http.delete("/__admin/namespaces/rec").raise_for_status()
        http.post("/__admin/namespaces", json={"name": "rec"}).raise_for_status()
        assert http.get("/__ns/rec/__admin/recordings/status").json() == {"status": "NeverStarted"}
        assert http.post("/__ns/rec/__admin/recordings/stop").status_code == 409
