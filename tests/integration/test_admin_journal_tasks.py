"""mockbdd.admin.journal_tasks over real sockets: what a wait refuses; the paging queries of listings (admin.types.int_query)."""

from __future__ import annotations

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
