"""Proxying (server/proxy.py) over real sockets: no cookies kept between namespaces, only the
allowed origins reached, proxied answers capped like request bodies."""

from __future__ import annotations

from typing import Any

import httpx

from mockbdd.server.embedded import MockServer


def stub(http: httpx.Client, mapping: dict[str, Any], base: str = "") -> None:
    resp = http.post(f"{base}/__admin/mappings", json=mapping)
    assert resp.status_code == 201, resp.text


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
            created = [
                httpx.post(
                    f"{front.url}/__admin/mappings",
                    json={"request": {"url": "/ok"}, "response": {"proxyBaseUrl": upstream.url}},
                )
                for front in (allowed, denied)
            ]
            assert created[0].status_code == 201
            assert httpx.get(f"{allowed.url}/ok").text == "up"
            # refused when the stub is created, naming the field, and nothing stored
            assert created[1].status_code == 422
            [error] = created[1].json()["errors"]
            assert error["source"]["pointer"] == "/response/proxyBaseUrl"
            assert "not allowed by --proxy-allow (allowed: http://127.0.0.1:9)" in error["title"]
            assert httpx.get(f"{denied.url}/ok").status_code == 404
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
