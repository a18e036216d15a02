"""mockbdd.admin.journal_tasks over real sockets: what a wait refuses; the paging queries of listings (admin.types.int_query)."""

from __future__ import annotations

import json

import httpx
import pytest


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"count": -1}, "/count"),
        ({"count": 1.5}, "/count"),
        ({"count": True}, "/count"),
        ({"count": 1, "timeoutMs": -5}, "/timeoutMs"),
        ({"count": 1, "timeoutMs": "soon"}, "/timeoutMs"),
    ],
)
def test_a_wait_with_a_bad_count_or_timeout_is_refused_at_once(
    http: httpx.Client, body: dict[str, object], pointer: str
) -> None:
    refused = http.post("/__admin/requests/wait", json={"pattern": {"url": "/x"}, **body})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["source"]["pointer"] == pointer


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("requests?limit=ten", "must be a whole number, got 'ten'"),
        ("requests?limit=-1", "must not be negative"),
        ("mappings?offset=x", "must be a whole number, got 'x'"),
    ],
)
def test_a_listing_with_a_bad_page_query_is_a_400_naming_it(
    http: httpx.Client, query: str, reason: str
) -> None:
    refused = http.get(f"/__admin/{query}")
    assert refused.status_code == 400
    error = refused.json()["errors"][0]
    assert (error["source"]["pointer"], error["title"]) == (
        "?" + query.split("?")[1].split("=")[0],
        reason,
    )


def test_an_empty_page_query_means_the_default(http: httpx.Client) -> None:
    http.get("/one")
    assert len(http.get("/__admin/requests?limit=").json()["requests"]) == 1


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
