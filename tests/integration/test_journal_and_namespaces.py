"""Journal (bounded, loud eviction, count/find/remove, wait) and namespaces (isolation, lifecycle)."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest

from mockbdd.server.embedded import MockServer


def stub(http: httpx.Client, mapping: dict[str, Any], base: str = "") -> None:
    resp = http.post(f"{base}/__admin/mappings", json=mapping)
    assert resp.status_code == 201, resp.text


def test_count_find_remove_and_unmatched(http: httpx.Client) -> None:
    stub(http, {"request": {"urlPath": "/a"}, "response": {}})
    http.get("/a?x=1")
    http.post("/a", content=b"hello")
    http.get("/nothing")
    assert (
        http.post("/__admin/requests/count", json={"method": "GET", "urlPath": "/a"}).json()[
            "count"
        ]
        == 1
    )
    assert (
        http.post("/__admin/requests/count", json={"method": "ANY", "urlPath": "/a"}).json()[
            "count"
        ]
        == 2
    )
    found = http.post("/__admin/requests/find", json={"method": "POST", "url": "/a"}).json()[
        "requests"
    ]
    assert [r["body"] for r in found] == ["hello"]
    unmatched = http.get("/__admin/requests/unmatched").json()["requests"]
    assert [r["url"] for r in unmatched] == ["/nothing"]
    listing = http.get("/__admin/requests").json()
    assert listing["meta"]["total"] == 3
    assert listing["requests"][0]["request"]["url"] == "/nothing"  # newest first
    assert listing["journalTruncated"] is False
    removed = http.post("/__admin/requests/remove", json={"urlPath": "/a"}).json()["serveEvents"]
    assert len(removed) == 2
    assert http.get("/__admin/requests").json()["meta"]["total"] == 1


def test_get_and_delete_single_request(http: httpx.Client) -> None:
    http.get("/x")
    event = http.get("/__admin/requests").json()["requests"][0]
    assert http.get(f"/__admin/requests/{event['id']}").json()["request"]["url"] == "/x"
    assert http.delete(f"/__admin/requests/{event['id']}").status_code == 200
    assert http.get(f"/__admin/requests/{event['id']}").status_code == 404


def test_journal_is_bounded_and_says_so() -> None:
    with MockServer(journal_max=5) as server, httpx.Client(base_url=server.url) as http:
        for i in range(8):
            http.get(f"/r{i}")
        listing = http.get("/__admin/requests").json()
        assert listing["meta"]["total"] == 5
        assert listing["journalTruncated"] is True
        assert listing["journalEvicted"] == 3
        count = http.post("/__admin/requests/count", json={"urlPath": "/r0"}).json()
        assert count == {
            "count": 0,
            "requestJournalDisabled": False,
            "journalTruncated": True,
            "journalEvicted": 3,
        }


def test_journal_body_bytes_are_capped_oldest_first() -> None:
    with (
        MockServer(journal_max_bytes=1000) as server,
        httpx.Client(base_url=server.url) as http,
    ):
        for i in range(3):
            http.post(f"/upload/{i}", content=b"x" * 400)
        listing = http.get("/__admin/requests").json()
        assert [r["request"]["url"] for r in listing["requests"]] == ["/upload/2", "/upload/1"]
        assert listing["journalTruncated"] is True
        assert listing["journalEvicted"] == 1


def test_journal_disabled_with_zero() -> None:
    with MockServer(journal_max=0) as server, httpx.Client(base_url=server.url) as http:
        http.get("/a")
        listing = http.get("/__admin/requests").json()
        assert listing["requests"] == []
        assert listing["requestJournalDisabled"] is True


def test_near_misses_for_pattern_and_request(http: httpx.Client) -> None:
    stub(http, {"request": {"method": "GET", "url": "/users/1"}, "response": {}})
    http.get("/users/2")
    misses = http.post(
        "/__admin/near-misses/request-pattern", json={"method": "GET", "url": "/users/3"}
    ).json()
    assert misses["nearMisses"][0]["request"]["url"] == "/users/2"
    assert "/users/3" in misses["nearMisses"][0]["diff"]
    by_request = http.post(
        "/__admin/near-misses/request", json={"method": "GET", "url": "/users/9"}
    ).json()
    assert by_request["nearMisses"][0]["stubMapping"]["request"]["url"] == "/users/1"
    unmatched = http.get("/__admin/requests/unmatched/near-misses").json()["nearMisses"]
    assert unmatched[0]["request"]["url"] == "/users/2"


def test_wait_returns_when_count_reached(server: MockServer, http: httpx.Client) -> None:
    def later() -> None:
        time.sleep(0.2)
        httpx.get(f"{server.url}/late")

    threading.Thread(target=later).start()
    resp = http.post(
        "/__admin/requests/wait", json={"pattern": {"url": "/late"}, "count": 1, "timeoutMs": 5000}
    )
    assert resp.status_code == 200
    assert resp.json()["count"] == 1


def test_wait_times_out_with_408_and_near_misses(http: httpx.Client) -> None:
    http.get("/almost")
    resp = http.post(
        "/__admin/requests/wait",
        json={"pattern": {"url": "/almosts"}, "count": 1, "timeoutMs": 100},
    )
    assert resp.status_code == 408
    assert resp.json()["nearMisses"][0]["request"]["url"] == "/almost"


def test_namespaces_are_isolated(http: httpx.Client) -> None:
    a = http.post("/__admin/namespaces", json={"name": "a"})
    assert a.status_code == 201
    assert a.json()["baseUrl"].endswith("/__ns/a")
    http.post("/__admin/namespaces", json={"name": "b"})
    stub(http, {"request": {"url": "/x"}, "response": {"body": "from a"}}, base="/__ns/a")
    assert http.get("/__ns/a/x").text == "from a"
    assert http.get("/__ns/b/x").status_code == 404
    assert http.get("/x").status_code == 404
    assert http.get("/x", headers={"X-Mock-Namespace": "a"}).text == "from a"
    count_a = http.post("/__ns/a/__admin/requests/count", json={"url": "/x"}).json()["count"]
    count_b = http.post("/__ns/b/__admin/requests/count", json={"url": "/x"}).json()["count"]
    assert (count_a, count_b) == (2, 1)
    assert http.get("/__ns/b/__admin/mappings").json()["meta"]["total"] == 0
    names = {n["name"] for n in http.get("/__admin/namespaces").json()["namespaces"]}
    assert names == {"default", "a", "b"}


def test_namespace_lifecycle_errors(http: httpx.Client) -> None:
    assert http.post("/__admin/namespaces", json={"name": "dup"}).status_code == 201
    dup = http.post("/__admin/namespaces", json={"name": "dup"})
    assert dup.status_code == 409
    assert "already exists" in dup.json()["errors"][0]["title"]
    for bad in ["a b", "x" * 65, "..", "sl/ash"]:
        assert http.post("/__admin/namespaces", json={"name": bad}).status_code == 400
    assert http.delete("/__admin/namespaces/nope").status_code == 404
    assert http.delete("/__admin/namespaces/default").status_code == 400
    assert http.delete("/__admin/namespaces/dup").status_code == 200
    assert http.get("/__ns/dup/anything").status_code == 404
    assert http.get("/anything", headers={"X-Mock-Namespace": "dup"}).status_code == 404


def test_namespace_ttl_expires_idle_namespace(http: httpx.Client) -> None:
    http.post("/__admin/namespaces", json={"name": "short", "ttlSeconds": 0.3})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        names = {n["name"] for n in http.get("/__admin/namespaces").json()["namespaces"]}
        if "short" not in names:
            break
        time.sleep(0.1)
    assert "short" not in names


def test_dedicated_port_per_namespace(http: httpx.Client) -> None:
    created = http.post("/__admin/namespaces", json={"name": "own", "port": 0}).json()
    port = created["port"]
    assert port
    stub(http, {"request": {"url": "/bare"}, "response": {"body": "bare origin"}}, base="/__ns/own")
    assert httpx.get(f"http://127.0.0.1:{port}/bare").text == "bare origin"
    http.delete("/__admin/namespaces/own")
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/bare")


def test_reset_clears_journal_and_mappings(http: httpx.Client) -> None:
    stub(http, {"request": {"url": "/r"}, "response": {}})
    http.get("/r")
    http.post("/__admin/reset")
    assert http.get("/__admin/mappings").json()["meta"]["total"] == 0
    assert http.get("/__admin/requests").json()["meta"]["total"] == 0


def test_settings_fixed_delay(http: httpx.Client) -> None:
    http.post("/__admin/settings", json={"fixedDelay": 150})
    assert http.get("/__admin/settings").json()["settings"]["fixedDelay"] == 150
    stub(http, {"request": {"url": "/s"}, "response": {}})
    started = time.perf_counter()
    http.get("/s")
    assert time.perf_counter() - started >= 0.15


def test_admin_token_required_when_set() -> None:
    with MockServer(admin_token="sekret") as server:
        assert httpx.get(f"{server.url}/__admin/mappings").status_code == 401
        ok = httpx.get(f"{server.url}/__admin/mappings", headers={"Authorization": "Bearer sekret"})
        assert ok.status_code == 200


def test_non_loopback_without_token_is_refused() -> None:
    with pytest.raises(ValueError, match="admin-token"):
        MockServer(host="0.0.0.0").start()


def test_namespace_opens_with_stubs_settings_and_states_in_one_call(http: httpx.Client) -> None:
    body = {
        "name": "ready",
        "mappings": [
            {
                "scenarioName": "flow",
                "requiredScenarioState": "paid",
                "request": {"url": "/order"},
                "response": {"body": "shipped"},
            }
        ],
        "settings": {"fixedDelay": 5},
        "scenarioStates": {"flow": "paid"},
    }
    assert http.post("/__admin/namespaces", json=body).status_code == 201
    assert http.get("/__ns/ready/order").text == "shipped"
    assert http.get("/__ns/ready/__admin/settings").json()["settings"] == {"fixedDelay": 5}


def test_namespace_with_a_bad_stub_is_not_created(http: httpx.Client) -> None:
    bad = {"name": "half", "mappings": [{"request": {"url": "/a"}, "response": {"status": 99}}]}
    resp = http.post("/__admin/namespaces", json=bad)
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["source"]["pointer"] == "/mappings/0/response/status"
    assert http.get("/__ns/half/a").status_code == 404
    names = {n["name"] for n in http.get("/__admin/namespaces").json()["namespaces"]}
    assert "half" not in names


def test_deleting_a_namespace_frees_it(server: MockServer, http: httpx.Client) -> None:
    import gc
    import weakref

    http.post(
        "/__admin/namespaces",
        json={"name": "gone", "mappings": [{"request": {"url": "/x"}, "response": {}}]},
    )
    for _ in range(3):
        http.get("/__ns/gone/x")
    ref = server.call(lambda: weakref.ref(server.engine.get("gone")))
    assert ref() is not None
    http.delete("/__admin/namespaces/gone")
    server.call(gc.collect)
    assert ref() is None
