"""Regression tests for the engine review: each of these was a reproduced bug."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockbdd.server.embedded import MockServer


def stub(http: httpx.Client, mapping: dict[str, Any], base: str = "") -> None:
    resp = http.post(f"{base}/__admin/mappings", json=mapping)
    assert resp.status_code == 201, resp.text


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


@pytest.mark.parametrize("ttl", ["Infinity", "NaN", "1e400", "-1"])
def test_non_finite_ttl_is_refused_and_listing_still_works(http: httpx.Client, ttl: str) -> None:
    resp = http.post(
        "/__admin/namespaces", content=f'{{"name": "t", "ttlSeconds": {ttl}}}'.encode()
    )
    assert resp.status_code == 400
    assert http.get("/__admin/namespaces").status_code == 200
    assert http.get("/__ns/t/x").status_code == 404


def test_proxy_keeps_no_cookies_between_namespaces(http: httpx.Client) -> None:
    with MockServer() as upstream:
        httpx.post(
            f"{upstream.url}/__admin/mappings",
            json={
                "request": {"url": "/login"},
                "response": {"headers": {"Set-Cookie": "session=SECRET-A"}},
            },
        )
        httpx.post(
            f"{upstream.url}/__admin/mappings", json={"request": {"url": "/me"}, "response": {}}
        )
        for ns in ("a", "b"):
            http.post("/__admin/namespaces", json={"name": ns})
            stub(
                http,
                {"request": {"urlPathPattern": "/.*"}, "response": {"proxyBaseUrl": upstream.url}},
                f"/__ns/{ns}",
            )
        http.get("/__ns/a/login")
        http.get("/__ns/b/me")
        seen = httpx.post(f"{upstream.url}/__admin/requests/find", json={"url": "/me"}).json()[
            "requests"
        ][0]
        assert "Cookie" not in seen["headers"]


def test_reset_semantics_follow_wiremock(http: httpx.Client) -> None:
    scenario = {"scenarioName": "S", "requiredScenarioState": "Started", "newScenarioState": "Paid"}
    stub(http, {**scenario, "request": {"url": "/s"}, "response": {"body": "first"}})
    http.get("/s")
    http.delete("/__admin/mappings")  # stubs gone, and with them the scenario state
    assert http.get("/__admin/scenarios").json()["scenarios"] == []
    stub(http, {**scenario, "request": {"url": "/s"}, "response": {"body": "first"}})
    assert http.get("/s").text == "first"
    http.post("/__admin/mappings/reset")  # back to the (empty) defaults, journal cleared
    assert http.get("/__admin/requests").json()["meta"]["total"] == 0


def test_a_namespace_resets_to_what_it_was_opened_with(http: httpx.Client) -> None:
    opened = {
        "name": "ready",
        "mappings": [{"request": {"url": "/x"}, "response": {"body": "initial"}}],
        "settings": {"fixedDelay": 1},
    }
    assert http.post("/__admin/namespaces", json=opened).status_code == 201
    http.delete("/__ns/ready/__admin/mappings")
    http.post("/__ns/ready/__admin/settings", json={"fixedDelay": 50})
    http.post("/__ns/ready/__admin/reset")
    assert http.get("/__ns/ready/x").text == "initial"
    assert http.get("/__ns/ready/__admin/settings").json()["settings"] == {"fixedDelay": 1}


def test_embedded_start_with_a_bad_folder_raises_instead_of_hanging(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a directory"):
        MockServer(mappings=tmp_path / "missing").start()


def test_large_admin_import_is_accepted(http: httpx.Client) -> None:
    mappings = [
        {"request": {"url": f"/big/{i}"}, "response": {"body": "x" * 2000}} for i in range(1000)
    ]
    resp = http.post("/__admin/mappings/import", json={"mappings": mappings})  # ~2 MB
    assert resp.status_code == 200
    assert http.get("/big/999").text == "x" * 2000


def test_namespace_port_in_use_is_a_409(http: httpx.Client) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        resp = http.post("/__admin/namespaces", json={"name": "p", "port": busy.getsockname()[1]})
    assert resp.status_code == 409
    assert "cannot be opened" in resp.json()["errors"][0]["title"]
    assert http.get("/__ns/p/x").status_code == 404


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


def test_settings_round_trip_and_java_client_shape(http: httpx.Client) -> None:
    body = {
        "delayDistribution": {"type": "uniform", "lower": 1, "upper": 2},
        "proxyPassThrough": True,
    }
    assert http.post("/__admin/settings", json=body).status_code == 200
    assert http.get("/__admin/settings").json()["settings"] == {
        "delayDistribution": {"type": "uniform", "lower": 1, "upper": 2}
    }


def test_import_options_must_be_booleans(http: httpx.Client) -> None:
    stub(http, {"request": {"url": "/keep"}, "response": {}})
    resp = http.post(
        "/__admin/mappings/import",
        json={"mappings": [], "importOptions": {"deleteAllNotInImport": "false"}},
    )
    assert resp.status_code == 422
    assert http.get("/keep").status_code == 200


def test_proxy_reaches_only_the_allowed_origins() -> None:
    with MockServer() as upstream:
        httpx.post(
            f"{upstream.url}/__admin/mappings",
            json={"request": {"url": "/ok"}, "response": {"body": "up"}},
        )
        with (
            MockServer(proxy_allow=(upstream.url,)) as allowed,
            MockServer(proxy_allow=("http://127.0.0.1:9",)) as denied,
        ):
            for front in (allowed, denied):
                httpx.post(
                    f"{front.url}/__admin/mappings",
                    json={"request": {"url": "/ok"}, "response": {"proxyBaseUrl": upstream.url}},
                )
            assert httpx.get(f"{allowed.url}/ok").text == "up"
            refused = httpx.get(f"{denied.url}/ok")
            assert refused.status_code == 502
            assert "not allowed by --proxy-allow" in refused.text
        assert (
            httpx.post(f"{upstream.url}/__admin/requests/count", json={"url": "/ok"}).json()[
                "count"
            ]
            == 1
        )


def test_proxied_answers_are_capped_like_request_bodies() -> None:
    with MockServer() as upstream, MockServer(max_body_bytes=1000) as front:
        httpx.post(
            f"{upstream.url}/__admin/mappings",
            json={"request": {"url": "/big"}, "response": {"body": "x" * 5000}},
        )
        httpx.post(
            f"{upstream.url}/__admin/mappings",
            json={"request": {"url": "/small"}, "response": {"body": "ok"}},
        )
        httpx.post(
            f"{front.url}/__admin/mappings",
            json={"request": {"urlPathPattern": "/.*"}, "response": {"proxyBaseUrl": upstream.url}},
        )
        assert httpx.get(f"{front.url}/small").text == "ok"
        big = httpx.get(f"{front.url}/big")
        assert big.status_code == 502
        assert "over 1000 bytes" in big.text
