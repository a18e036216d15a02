"""No client mistake produces a 500: every field of a full mapping replaced by every wrong type."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx

FULL: dict[str, Any] = {
    "name": "full",
    "priority": 3,
    "scenarioName": "s",
    "requiredScenarioState": "Started",
    "newScenarioState": "next",
    "metadata": {"team": "x"},
    "request": {
        "method": "POST",
        "urlPathTemplate": "/orders/{id}",
        "pathParameters": {"id": {"matches": "[0-9]+"}},
        "queryParameters": {"q": {"hasExactly": [{"equalTo": "1"}]}},
        "headers": {"Accept": {"contains": "json"}},
        "cookies": {"c": {"absent": True}},
        "basicAuthCredentials": {"username": "u", "password": "p"},
        "bodyPatterns": [
            {"equalToJson": {"a": 1}, "ignoreExtraElements": True},
            {"matchesJsonPath": {"expression": "$.a", "equalToNumber": 1}},
            {"before": "now +1 days"},
            {
                "after": "now",
                "truncateExpected": "first day of month",
                "expectedOffset": -1,
                "expectedOffsetUnit": "days",
                "applyTruncationLast": True,
            },
            {"matchesJsonPath": "$[?(@.items.size() == 2)]"},
        ],
        "host": {"equalTo": "localhost"},
        "port": 8080,
        "scheme": "http",
        "clientIp": {"equalTo": "127.0.0.1"},
    },
    "response": {
        "status": 200,
        "statusMessage": "OK",
        "headers": {"X": "y"},
        "jsonBody": {"ok": True},
        "delayDistribution": {"type": "lognormal", "median": 10, "sigma": 0.1},
        "chunkedDribbleDelay": {"numberOfChunks": 2, "totalDuration": 10},
    },
}
WRONG: list[Any] = [None, 0, -1, 10**20, 1.5, "", "x", [], [1], {}, {"?": 1}, True]


def leaves(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from leaves(value, (*path, i))


def replaced(path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    doc = copy.deepcopy(FULL)
    node = doc
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return doc


def test_the_full_mapping_itself_is_valid(http: httpx.Client) -> None:
    assert http.post("/__admin/mappings", json=FULL).status_code == 201


def test_every_field_with_every_wrong_type_is_a_4xx(http: httpx.Client) -> None:
    answers: dict[int, int] = {}
    for path in leaves(FULL):
        for value in WRONG:
            resp = http.post("/__admin/mappings", json=replaced(path, value))
            answers[resp.status_code] = answers.get(resp.status_code, 0) + 1
            assert resp.status_code < 500, (path, value, resp.text)
            if resp.status_code >= 400:
                error = resp.json()["errors"][0]
                assert error["title"], (path, value)
    assert answers.get(422, 0) > 100  # most of them are refused with a reason
    assert http.get("/__admin/health").status_code == 200


def test_malformed_bodies_on_every_json_endpoint(http: httpx.Client) -> None:
    bodies = [b"", b"{", b"[]", b"null", b'"x"', b"1", b'{"a":' + b"[" * 5000]
    endpoints = [
        ("POST", "/__admin/mappings"),
        ("POST", "/__admin/mappings/import"),
        ("POST", "/__admin/mappings/find-by-metadata"),
        ("POST", "/__admin/requests/count"),
        ("POST", "/__admin/requests/find"),
        ("POST", "/__admin/requests/remove"),
        ("POST", "/__admin/requests/wait"),
        ("POST", "/__admin/near-misses/request"),
        ("POST", "/__admin/near-misses/request-pattern"),
        ("POST", "/__admin/settings"),
        ("POST", "/__admin/namespaces"),
        ("POST", "/__admin/requests/match"),
        ("POST", "/__admin/requests/verify"),
        ("POST", "/__admin/mappings/switch"),
        ("POST", "/__admin/mappings/unused"),
    ]
    for method, url in endpoints:
        for body in bodies:
            resp = http.request(method, url, content=body)
            assert resp.status_code < 500, (url, body[:20], resp.text)
    assert http.get("/__admin/requests?limit=-1").status_code == 400
    assert http.get("/__admin/requests?since=yesterday").status_code == 400


def test_deeply_nested_request_body_is_not_a_500(http: httpx.Client) -> None:
    http.post(
        "/__admin/mappings",
        json={"request": {"bodyPatterns": [{"equalToJson": {"a": 1}}]}, "response": {}},
    )
    resp = http.post("/deep", content=b"[" * 100_000)
    assert resp.status_code == 404
    assert http.get("/__admin/requests").status_code == 200


def test_odd_requests_to_the_data_plane(http: httpx.Client) -> None:
    http.post(
        "/__admin/mappings",
        json={
            "request": {"urlPathPattern": "/.*", "headers": {"X": {"matches": "a+"}}},
            "response": {},
        },
    )
    for path in ["/%ff%fe", "/" + "a" * 8000, "/a?%zz=%", "/__ns/", "/__ns/%2F/x", "/__adminx"]:
        assert http.get(path, headers={"X": "b" * 4000}).status_code == 404, path
    assert http.request("PROPFIND", "/x", headers={"X": "aaa"}).status_code == 200
    assert http.get("/x", headers={"Cookie": "=;;=a; b"}).status_code == 404
