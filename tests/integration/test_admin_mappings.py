"""Stub mappings over the admin API: WireMock shapes, priorities, bad input rejected whole."""

from __future__ import annotations

from typing import Any

import httpx
import pytest


def stub(http: httpx.Client, mapping: dict[str, Any]) -> dict[str, Any]:
    resp = http.post("/__admin/mappings", json=mapping)
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_create_serve_and_list(http: httpx.Client) -> None:
    created = stub(
        http,
        {
            "request": {"method": "GET", "url": "/api/users/1"},
            "response": {"status": 200, "jsonBody": {"id": 1, "name": "Ada"}},
        },
    )
    assert created["id"] == created["uuid"]
    resp = http.get("/api/users/1")
    assert resp.status_code == 200
    assert resp.json() == {"id": 1, "name": "Ada"}
    assert resp.headers["Content-Type"] == "application/json"
    listing = http.get("/__admin/mappings").json()
    assert listing["meta"]["total"] == 1
    assert listing["mappings"][0]["id"] == created["id"]
    assert http.get(f"/__admin/mappings/{created['id']}").json()["request"]["url"] == "/api/users/1"


def test_priority_then_newest_wins(http: httpx.Client) -> None:
    stub(http, {"priority": 1, "request": {"urlPath": "/p"}, "response": {"body": "high"}})
    stub(http, {"request": {"urlPath": "/p"}, "response": {"body": "newer, default priority"}})
    assert http.get("/p").text == "high"
    stub(http, {"request": {"urlPathPattern": "/q.*"}, "response": {"body": "old"}})
    stub(http, {"request": {"urlPathPattern": "/q.*"}, "response": {"body": "new"}})
    assert http.get("/qq").text == "new"


def test_edit_and_delete(http: httpx.Client) -> None:
    created = stub(http, {"request": {"url": "/e"}, "response": {"body": "v1"}})
    put = http.put(
        f"/__admin/mappings/{created['id']}",
        json={"request": {"url": "/e"}, "response": {"body": "v2"}},
    )
    assert put.status_code == 200
    assert http.get("/e").text == "v2"
    assert http.delete(f"/__admin/mappings/{created['id']}").status_code == 200
    assert http.get("/e").status_code == 404
    assert http.delete(f"/__admin/mappings/{created['id']}").status_code == 404


def test_import_is_all_or_nothing(http: httpx.Client) -> None:
    bad = {
        "mappings": [
            {"request": {"url": "/ok"}, "response": {"status": 200}},
            {"request": {"url": "/bad", "urlPath": "/bad"}, "response": {"status": 200}},
        ]
    }
    resp = http.post("/__admin/mappings/import", json=bad)
    assert resp.status_code == 422
    error = resp.json()["errors"][0]
    assert error["source"]["pointer"] == "/mappings/1/request/urlPath"
    assert "only one URL field" in error["title"]
    assert http.get("/__admin/mappings").json()["meta"]["total"] == 0
    good = {"mappings": [{"request": {"url": "/a"}, "response": {"body": "a"}}]}
    assert http.post("/__admin/mappings/import", json=good).status_code == 200
    assert http.get("/a").text == "a"


@pytest.mark.parametrize(
    ("mapping", "pointer", "reason"),
    [
        ({"request": {"urlPattern": "(["}, "response": {}}, "/request/urlPattern", "invalid regex"),
        (
            {"request": {"url": "/x"}, "response": {"fixedDelayMilliseconds": -5}},
            "/response/fixedDelayMilliseconds",
            "must be at least 0, got -5",
        ),
        (
            {"request": {"url": "/x"}, "response": {"fault": "BOOM"}},
            "/response/fault",
            "must be one of the registered faults (CONNECTION_RESET_BY_PEER, ",
        ),
        ({"request": {"url": "/x"}, "respnse": {}}, "/respnse", "did you mean 'response'"),
        (
            {"request": {"url": "/x", "headers": {"A": {"equalsTo": "x"}}}, "response": {}},
            "/request/headers/A",
            "equalsTo",
        ),
        (
            {
                "request": {"url": "/x", "bodyPatterns": [{"matchesJsonPath": "$[?("}]},
                "response": {},
            },
            "/request/bodyPatterns/0",
            "",
        ),
        (
            {"request": {"url": "/x"}, "response": {"body": "a", "jsonBody": {}}},
            "/response/jsonBody",
            "only one body",
        ),
        (
            {"request": {"url": "/x"}, "response": {"bodyFileName": "../etc/passwd"}},
            "/response/bodyFileName",
            "escapes",
        ),
    ],
)
def test_malformed_mapping_rejected_with_field_and_reason(
    http: httpx.Client, mapping: dict[str, Any], pointer: str, reason: str
) -> None:
    resp = http.post("/__admin/mappings", json=mapping)
    assert resp.status_code == 422, resp.text
    error = resp.json()["errors"][0]
    assert error["source"]["pointer"] == pointer
    assert reason in error["title"]
    assert http.get("/__admin/mappings").json()["meta"]["total"] == 0


def test_bad_json_is_400_not_500(http: httpx.Client) -> None:
    resp = http.post("/__admin/mappings", content=b"{not json")
    assert resp.status_code == 400
    assert "not valid JSON" in resp.json()["errors"][0]["title"]


def test_unknown_admin_route_and_wrong_method(http: httpx.Client) -> None:
    assert http.get("/__admin/nope").status_code == 404
    resp = http.patch("/__admin/mappings")
    assert resp.status_code == 405
    assert "GET" in resp.headers["Allow"]


def test_metadata_find_and_remove(http: httpx.Client) -> None:
    stub(http, {"request": {"url": "/m1"}, "response": {}, "metadata": {"team": "pay"}})
    stub(http, {"request": {"url": "/m2"}, "response": {}, "metadata": {"team": "inv"}})
    pattern = {"matchesJsonPath": {"expression": "$.team", "equalTo": "pay"}}
    found = http.post("/__admin/mappings/find-by-metadata", json=pattern).json()["mappings"]
    assert [m["request"]["url"] for m in found] == ["/m1"]
    http.post("/__admin/mappings/remove-by-metadata", json=pattern)
    left = http.get("/__admin/mappings").json()["mappings"]
    assert [m["request"]["url"] for m in left] == ["/m2"]


def test_unmatched_mappings_lists_stubs_never_served(http: httpx.Client) -> None:
    stub(http, {"request": {"url": "/used"}, "response": {}})
    stub(http, {"request": {"url": "/unused"}, "response": {}})
    http.get("/used")
    unused = http.get("/__admin/mappings/unmatched").json()["mappings"]
    assert [m["request"]["url"] for m in unused] == ["/unused"]


@pytest.mark.parametrize(
    ("response", "pointer"),
    [
        ({"headers": {"X-A": "ok\r\nSet-Cookie: evil=1"}}, "/response/headers/X-A"),
        ({"headers": {"Bad Name": "x"}}, "/response/headers"),
        ({"statusMessage": "OK\r\n\r\ninjected"}, "/response/statusMessage"),
    ],
)
def test_response_header_injection_is_refused(
    http: httpx.Client, response: dict[str, Any], pointer: str
) -> None:
    resp = http.post("/__admin/mappings", json={"request": {"url": "/h"}, "response": response})
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["source"]["pointer"] == pointer


def test_editing_a_stub_keeps_its_place_its_sequence_and_its_used_flag(http: httpx.Client) -> None:
    seq = stub(
        http, {"request": {"urlPath": "/e"}, "responses": [{"status": 503}, {"status": 201}]}
    )
    stub(http, {"request": {"urlPath": "/other"}, "response": {}})
    assert http.get("/e").status_code == 503
    edited = {**seq, "responses": [{"status": 503}, {"status": 202}]}
    assert http.put(f"/__admin/mappings/{seq['id']}", json=edited).status_code == 200
    assert http.get("/e").status_code == 202  # the cursor moved on, it did not restart
    unused = [
        m["request"]["urlPath"] for m in http.get("/__admin/mappings/unmatched").json()["mappings"]
    ]
    assert unused == ["/other"]
    listed = [m["request"]["urlPath"] for m in http.get("/__admin/mappings").json()["mappings"]]
    assert listed == ["/other", "/e"]  # still older than /other
