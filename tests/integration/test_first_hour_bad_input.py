"""Issue 10, point 8: bad input that used to get in is refused whole over the admin API, with
the field and the reason, and nothing is stored."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mockbdd.server.embedded import MockServer


def refused(resp: httpx.Response) -> dict[str, Any]:
    [error] = resp.json()["errors"]
    return dict(error)


@pytest.mark.parametrize(
    ("mapping", "pointer", "reason"),
    [
        (
            {"id": "payments-ok", "request": {"urlPath": "/a"}, "response": {"status": 200}},
            "/id",
            "'payments-ok' is not a UUID",
        ),
        (
            {"uuid": "42", "request": {"urlPath": "/a"}, "response": {"status": 200}},
            "/uuid",
            "'42' is not a UUID",
        ),
        (
            {"request": {"urlPathTemplate": "/contacts/{id"}, "response": {"status": 200}},
            "/request/urlPathTemplate",
            "has an unmatched '{' at position 10",
        ),
    ],
)
def test_a_mapping_wiremock_refuses_is_refused_and_not_stored(
    http: httpx.Client, mapping: dict[str, Any], pointer: str, reason: str
) -> None:
    resp = http.post("/__admin/mappings", json=mapping)
    assert resp.status_code == 422, resp.text
    error = refused(resp)
    assert error["source"]["pointer"] == pointer
    assert reason in error["title"]
    imported = http.post("/__admin/mappings/import", json={"mappings": [mapping]})
    assert imported.status_code == 422
    assert refused(imported)["source"]["pointer"] == "/mappings/0" + pointer
    assert http.get("/__admin/mappings").json()["mappings"] == []


def test_a_uuid_id_is_kept(http: httpx.Client) -> None:
    given = "8C5DB8B0-2DB4-4AD7-A99F-38C9B00DA3F7"
    resp = http.post(
        "/__admin/mappings", json={"id": given, "request": {"urlPath": "/a"}, "response": {}}
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["id"] == given
    assert http.get("/a").status_code == 200


def test_a_closed_template_still_matches(http: httpx.Client) -> None:
    resp = http.post(
        "/__admin/mappings",
        json={"request": {"urlPathTemplate": "/contacts/{id}"}, "response": {"body": "c"}},
    )
    assert resp.status_code == 201, resp.text
    assert http.get("/contacts/7").text == "c"


@pytest.mark.parametrize("task", ["count", "find", "remove"])
def test_an_empty_pattern_body_is_400_not_every_request(
    server: MockServer, http: httpx.Client, task: str
) -> None:
    http.get("/anything")
    resp = http.post(f"/__admin/requests/{task}", content=b"")
    assert resp.status_code == 400, resp.text
    error = refused(resp)
    assert error["source"]["pointer"] == "/"
    assert error["title"] == (
        "the body is empty: send a request pattern as JSON ({} matches every request)"
    )
    # nothing was removed, and {} still means every request
    assert http.post("/__admin/requests/count", json={}).json()["count"] == 1
