"""Engine review fixes over real sockets: bounded delays and proxy settings refused with a
pointer, WireMock's regex dialect in URL patterns, fast near misses on long bodies, and the
journal showing a stub as it was when it served the request."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest


def pointer_of(response: httpx.Response) -> str:
    assert response.status_code == 422, response.text
    return str(response.json()["errors"][0]["source"]["pointer"])


@pytest.mark.parametrize(
    ("response_json", "pointer"),
    [
        (
            '{"delayDistribution": {"type": "fixed", "milliseconds": 1e400}}',
            "/response/delayDistribution/milliseconds",
        ),
        (
            '{"delayDistribution": {"type": "lognormal", "median": 10, "sigma": 1e400}}',
            "/response/delayDistribution/sigma",
        ),
        ('{"fixedDelayMilliseconds": 100000000000}', "/response/fixedDelayMilliseconds"),
        (
            '{"chunkedDribbleDelay": {"numberOfChunks": 2, "totalDuration": 10000000000000}}',
            "/response/chunkedDribbleDelay/totalDuration",
        ),
        ('{"proxyBaseUrl": "http://[bad"}', "/response/proxyBaseUrl"),
        ('{"proxyBaseUrl": "http:///no-host"}', "/response/proxyBaseUrl"),
        (
            '{"proxyBaseUrl": "http://up.example",'
            ' "additionalProxyRequestHeaders": {"X-A": "a\\r\\nInjected: 1"}}',
            "/response/additionalProxyRequestHeaders/X-A",
        ),
        ('{"bodyFileName": "a\\u0000b"}', "/response/bodyFileName"),
    ],
)
def test_out_of_bounds_response_settings_are_refused_with_a_pointer(
    http: httpx.Client, response_json: str, pointer: str
) -> None:
    body = '{"request": {"urlPath": "/x"}, "response": ' + response_json + "}"
    created = http.post(
        "/__admin/mappings", content=body, headers={"Content-Type": "application/json"}
    )
    assert pointer_of(created) == pointer
    assert http.get("/__admin/mappings").json()["mappings"] == []


def test_url_pattern_accepts_java_named_groups(http: httpx.Client) -> None:
    created = http.post(
        "/__admin/mappings",
        json={"request": {"urlPattern": "/(?<n>a)\\k<n>"}, "response": {"body": "twice"}},
    )
    assert created.status_code == 201, created.text
    assert http.get("/aa").text == "twice"
    assert http.get("/ab").status_code == 404


def test_unmatched_request_near_long_body_stubs_is_answered_fast(http: httpx.Client) -> None:
    for i in range(20):
        pattern = {"equalTo": chr(ord("a") + i) * 2000}
        mapping: dict[str, Any] = {
            "request": {"method": "POST", "urlPath": f"/s{i}", "bodyPatterns": [pattern]},
            "response": {"status": 200},
        }
        assert http.post("/__admin/mappings", json=mapping).status_code == 201
    started = time.perf_counter()
    answer = http.post("/nope", content="b" * 1999 + "z")
    assert time.perf_counter() - started < 2.0
    assert answer.status_code == 404
    assert "Closest stub #1" in answer.text


def test_journal_shows_the_stub_as_it_served_the_request(http: httpx.Client) -> None:
    created = http.post(
        "/__admin/mappings", json={"request": {"urlPath": "/a"}, "response": {"body": "v1"}}
    ).json()
    assert http.get("/a").text == "v1"
    edited = {"request": {"urlPath": "/a"}, "response": {"body": "v2"}}
    assert http.put(f"/__admin/mappings/{created['id']}", json=edited).status_code == 200
    assert http.get("/a").text == "v2"
    served = http.get("/__admin/requests").json()["requests"]
    bodies = [json.dumps(e["stubMapping"]["response"]) for e in served]
    assert bodies == ['{"status": 200, "body": "v2"}', '{"status": 200, "body": "v1"}']  # newest
