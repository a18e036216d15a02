"""mockbdd's match, verify, switch and unused tasks over real HTTP, at the root and in a namespace."""

from __future__ import annotations

import itertools
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from mockbdd.server.embedded import MockServer


def stub(http: httpx.Client, mapping: dict[str, Any], base: str = "") -> str:
    resp = http.post(f"{base}/__admin/mappings", json=mapping)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def journal_size(http: httpx.Client, base: str = "") -> int:
    return int(http.get(f"{base}/__admin/requests").json()["meta"]["total"])


def later(seconds: float, fn: Any, *args: Any, **kwargs: Any) -> threading.Thread:
    """Run ``fn`` in a thread after ``seconds`` (a request arriving while the server waits)."""

    def run() -> None:
        time.sleep(seconds)
        fn(*args, **kwargs)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.fixture(params=["", "/__ns/verify-ns"], ids=["root", "namespace"])
def base(request: pytest.FixtureRequest, http: httpx.Client) -> str:
    prefix = str(request.param)
    if prefix:
        created = http.post("/__admin/namespaces", json={"name": prefix.rsplit("/", 1)[1]})
        assert created.status_code == 201, created.text
    return prefix


# ------------------------------------------------------------------------------ match


def test_match_answers_with_the_engine_regex_and_journals_nothing(
    http: httpx.Client, base: str
) -> None:
    stub_id = stub(
        http,
        {
            "request": {"method": "GET", "urlPathPattern": r"/inventory/v1/items/\p{Digit}+"},
            "response": {"status": 200, "jsonBody": {"inStock": True}},
        },
        base,
    )
    probe = {"method": "GET", "url": "/inventory/v1/items/7"}
    found = http.post(f"{base}/__admin/requests/match", json=probe).json()
    assert found["matched"] is True
    assert found["stub"]["id"] == stub_id
    assert found["response"] == {"status": 200, "jsonBody": {"inStock": True}}
    assert [r["stub"]["id"] for r in found["routeMatches"]] == [stub_id]
    assert found["routeMatches"][0]["routeOnly"] is False  # a pattern serves other paths too
    assert journal_size(http, base) == 0
    missed = http.post(
        f"{base}/__admin/requests/match", json={"method": "GET", "url": "/inventory/v1/items/x"}
    ).json()
    assert missed["matched"] is False
    assert missed["routeMatches"] == []
    assert missed["nearMisses"][0]["stubMapping"]["id"] == stub_id
    assert "urlPathPattern" in missed["nearMisses"][0]["diff"]


def test_match_is_a_dry_run_of_sequences_and_scenarios(http: httpx.Client, base: str) -> None:
    stub(
        http,
        {
            "scenarioName": "s",
            "newScenarioState": "next",
            "request": {"method": "POST", "urlPath": "/pay"},
            "responses": [{"status": 503, "times": 2}, {"status": 201}],
        },
        base,
    )
    probe = {"method": "POST", "url": "/pay"}
    for _ in range(2):  # nothing advances: same answer twice
        found = http.post(f"{base}/__admin/requests/match", json=probe).json()
        assert (found["response"], found["position"]) == ({"status": 503, "times": 2}, 0)
        assert found["routeMatches"][0]["routeOnly"] is True
    http.post(f"{base}/pay")
    http.post(f"{base}/pay")
    found = http.post(f"{base}/__admin/requests/match", json=probe).json()
    assert (found["response"], found["position"]) == ({"status": 201}, 2)
    scenarios = http.get(f"{base}/__admin/scenarios").json()["scenarios"]
    assert scenarios[0]["state"] == "next"  # moved by the two real requests only


def test_match_treats_get_or_head_as_the_engine_does(http: httpx.Client, base: str) -> None:
    stub(
        http,
        {"request": {"method": "GET_OR_HEAD", "urlPath": "/x"}, "response": {"body": "hi"}},
        base,
    )
    for method, matched in (("GET", True), ("HEAD", True), ("POST", False)):
        found = http.post(f"{base}/__admin/requests/match", json={"method": method, "url": "/x"})
        assert found.json()["matched"] is matched, method
        assert [r["routeOnly"] for r in found.json()["routeMatches"]] == (
            [False] if matched else []
        )


def test_route_matches_include_stubs_with_other_conditions(http: httpx.Client) -> None:
    conditional = stub(
        http,
        {
            "priority": 1,
            "request": {"method": "GET", "urlPath": "/x", "headers": {"X-Key": {"equalTo": "k"}}},
            "response": {"status": 402},
        },
    )
    plain = stub(http, {"request": {"method": "GET", "urlPath": "/x"}, "response": {}})
    found = http.post("/__admin/requests/match", json={"method": "GET", "url": "/x"}).json()
    assert found["stub"]["id"] == plain
    assert [(r["stub"]["id"], r["matches"]) for r in found["routeMatches"]] == [
        (conditional, False),
        (plain, True),
    ]
    with_key = {"method": "GET", "url": "/x", "headers": {"X-Key": "k"}}
    assert http.post("/__admin/requests/match", json=with_key).json()["stub"]["id"] == conditional


@pytest.mark.parametrize(
    ("body", "status", "pointer"),
    [
        (b"{", 400, "/"),
        (b"[]", 400, "/"),
        (b"{}", 422, "/url"),
        (b'{"url": "no-slash"}', 422, "/url"),
        (b'{"url": "/x", "method": 7}', 422, "/method"),
        (b'{"url": "/x", "headers": ["X"]}', 422, "/headers"),
    ],
)
def test_match_refuses_bad_input(
    http: httpx.Client, body: bytes, status: int, pointer: str
) -> None:
    resp = http.post("/__admin/requests/match", content=body)
    assert resp.status_code == status, resp.text
    assert resp.json()["errors"][0]["source"]["pointer"] == pointer


# ------------------------------------------------------------------------------ verify


def verify(http: httpx.Client, body: dict[str, Any], base: str = "") -> dict[str, Any]:
    resp = http.post(f"{base}/__admin/requests/verify", json=body)
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def test_verify_counts_in_every_mode(http: httpx.Client, base: str) -> None:
    pattern = {"method": "GET", "urlPath": "/a"}
    http.get(f"{base}/a")
    http.get(f"{base}/a?page=2")
    cases = [
        ("atLeast", 2, True),
        ("atLeast", 3, False),
        ("exactly", 2, True),
        ("exactly", 1, False),
        ("atMost", 2, True),
        ("atMost", 1, False),
    ]
    for mode, count, holds in cases:
        got = verify(http, {"pattern": pattern, "count": count, "mode": mode}, base)
        assert (got["holds"], got["count"], got["mode"]) == (holds, 2, mode), (mode, count)
    none = verify(http, {"pattern": pattern, "mode": "none"}, base)
    assert (none["holds"], none["expected"]) == (False, 0)
    assert verify(http, {"pattern": {"urlPath": "/b"}, "mode": "none"}, base)["holds"] is True
    assert journal_size(http, base) == 2  # verifying journals nothing


def test_a_positive_verify_waits_on_the_server(http: httpx.Client, base: str) -> None:
    thread = later(0.2, http.post, f"{base}/late")
    got = verify(http, {"pattern": {"urlPath": "/late"}, "count": 1, "timeoutMs": 10_000}, base)
    thread.join()
    assert (got["holds"], got["count"]) == (True, 1)


def test_a_verify_that_times_out_brings_the_servers_near_misses(http: httpx.Client) -> None:
    http.post("/payments/v1/charge", json={"amount": 99, "currency": "EUR"})
    http.get("/inventory/v1/charges")
    started = time.monotonic()
    got = verify(
        http,
        {
            "pattern": {
                "method": "POST",
                "urlPath": "/payments/v1/charges",
                "bodyPatterns": [{"equalToJson": {"amount": 100}, "ignoreExtraElements": True}],
            },
            "timeoutMs": 300,
            "service": "payments",
        },
    )
    assert time.monotonic() - started >= 0.3
    assert (got["holds"], got["count"], got["expected"]) == (False, 0, 1)
    [miss] = got["nearMisses"]  # only the service's own requests
    assert miss["request"]["url"] == "/payments/v1/charge"
    assert miss["number"] == 1
    assert miss["serveEventId"]
    fields = {f["field"]: f for f in miss["fields"]}
    assert fields["method"]["matched"] is True
    assert (fields["URL path"]["expected"], fields["URL path"]["actual"]) == (
        "/v1/charges",
        "/v1/charge",
    )
    assert (fields["JSON $.amount"]["expected"], fields["JSON $.amount"]["actual"]) == ("100", "99")
    assert "equalToJson" in miss["diff"]  # WireMock's diff text, as for every near miss


def test_verify_rows_speak_as_a_feature_file(http: httpx.Client) -> None:
    http.get("/svc/items", params={"q": "chair"}, headers={"X-A": "1"})
    pattern = {
        "method": "GET",
        "urlPath": "/svc/items",
        "queryParameters": {"q": {"equalTo": "lamp"}},
        "headers": {"X-A": {"equalTo": "2"}, "X-B": {"absent": True}, "X-C": {"contains": "z"}},
        "bodyPatterns": [{"equalTo": "x"}],
    }
    got = verify(http, {"pattern": pattern, "service": "svc"})
    fields = {f["field"]: (f["expected"], f["actual"]) for f in got["nearMisses"][0]["fields"]}
    assert fields["query parameter q"] == ('"lamp"', '"chair"')
    assert fields["header X-A"] == ('"2"', '"1"')
    assert fields["header X-B"] == ("(absent)", "(absent)")
    assert fields["header X-C"] == ('contains "z"', "(absent)")
    assert fields["body"] == ('"x"', '""')


def test_json_rows_follow_the_engines_subset_semantics(http: httpx.Client) -> None:
    """``ignoreExtraElements`` lets objects carry extra members and arrays extra trailing items
    (JsonUnit's semantics, which the BDD phrases 19 and 25 adopt)."""
    http.post("/j", json={"a": {"b": 1, "extra": 0}, "items": [1, 2, 3], "s": "x"})
    pattern = {"urlPath": "/j", "bodyPatterns": [{"ignoreExtraElements": True, "equalToJson": {}}]}

    def rows(expected: Any) -> dict[str, tuple[str, str]]:
        pattern["bodyPatterns"][0]["equalToJson"] = expected  # type: ignore[index]
        got = verify(http, {"pattern": pattern})
        if got["holds"]:
            return {}
        return {f["field"]: (f["expected"], f["actual"]) for f in got["nearMisses"][0]["fields"]}

    assert rows({"a": {"b": 1}, "items": [1, 2]}) == {}
    assert rows({"a": {"b": 2}})["JSON $.a.b"] == ("2", "1")
    assert rows({"items": [1, 5]})["JSON $.items[1]"] == ("5", "2")
    assert rows({"missing": True})["JSON $.missing"] == ("true", "(missing)")
    assert rows({"items": [1, 2, 3, 4]})["JSON $.items"] == ("[1, 2, 3, 4]", "[1, 2, 3]")
    http.post("/j", content=b"not json")
    http.delete("/__admin/requests").raise_for_status()
    http.post("/j", content=b"not json")
    assert rows({"a": 1})["JSON body"] == ("a JSON document", '"not json" (not JSON)')


def test_verify_in_order_and_the_nth_request(http: httpx.Client, base: str) -> None:
    for path, n in (("/a", 1), ("/b", 2), ("/a", 3)):
        http.post(f"{base}{path}", json={"n": n})
    a, b = {"urlPath": "/a"}, {"urlPath": "/b"}
    assert verify(http, {"sequence": [a, b, a]}, base)["holds"] is True
    wrong = verify(http, {"sequence": [b, b, a]}, base)
    assert (wrong["holds"], wrong["count"], wrong["expected"]) == (False, 1, 3)
    assert wrong["nearMisses"][0]["request"]["url"] in ("/a", "/b")
    second = {"urlPath": "/a", "bodyPatterns": [{"equalToJson": {"n": 3}}]}
    nth = verify(http, {"pattern": a, "nth": {"index": 2, "matches": second}}, base)
    assert (nth["holds"], nth["nthFound"]) == (True, True)
    second["bodyPatterns"] = [{"equalToJson": {"n": 1}}]
    nth = verify(http, {"pattern": a, "nth": {"index": 2, "matches": second}}, base)
    assert (nth["holds"], nth["nthFound"]) == (False, True)
    [miss] = nth["nearMisses"]
    assert miss["number"] == 3  # the third request of the namespace
    assert {f["field"]: f["actual"] for f in miss["fields"]}["JSON $.n"] == "3"
    missing = verify(http, {"pattern": a, "nth": {"index": 3, "matches": a}}, base)
    assert (missing["holds"], missing["nthFound"]) == (False, False)
    thread = later(0.2, http.post, f"{base}/a")
    # at the root it waits for the request; in a namespace the root never sees it (waits 1 s)
    wait_ms = 10_000 if base == "" else 1_000
    waited = verify(http, {"pattern": a, "nth": {"index": 3, "matches": a}, "timeoutMs": wait_ms})
    thread.join()
    assert waited["holds"] is (base == "")  # another namespace's request does not count


def test_an_upper_bound_fails_as_soon_as_it_is_passed(http: httpx.Client) -> None:
    http.get("/a")
    # waiting out the 60 s would outlast the http fixture's 10 s read timeout: no clock needed
    got = verify(http, {"pattern": {"urlPath": "/a"}, "mode": "none", "timeoutMs": 60_000})
    assert got["holds"] is False
    thread = later(0.2, http.get, "/a")
    got = verify(
        http, {"pattern": {"urlPath": "/a"}, "mode": "atMost", "count": 1, "timeoutMs": 60_000}
    )
    thread.join()
    assert (got["holds"], got["count"]) == (False, 2)


def test_namespaces_verify_their_own_journal(http: httpx.Client) -> None:
    http.post("/__admin/namespaces", json={"name": "other"}).raise_for_status()
    http.get("/__ns/other/a")
    assert verify(http, {"pattern": {"urlPath": "/a"}, "mode": "none"})["holds"] is True
    assert verify(http, {"pattern": {"urlPath": "/a"}}, "/__ns/other")["holds"] is True


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({}, "/pattern"),
        ({"pattern": {"urlPath": 1}}, "/pattern/urlPath"),
        ({"pattern": {}, "mode": "sometimes"}, "/mode"),
        ({"pattern": {}, "count": -1}, "/count"),
        ({"pattern": {}, "count": True}, "/count"),
        ({"pattern": {}, "timeoutMs": 60_001}, "/timeoutMs"),
        ({"pattern": {}, "timeoutMs": "1s"}, "/timeoutMs"),
        ({"pattern": {}, "service": "a/b"}, "/service"),
        ({"pattern": {}, "service": 3}, "/service"),
        ({"sequence": []}, "/sequence"),
        ({"sequence": [{"method": 1}]}, "/sequence/0/method"),
        ({"pattern": {}, "nth": 2}, "/nth"),
        ({"pattern": {}, "nth": {"index": 0, "matches": {}}}, "/nth/index"),
        ({"pattern": {}, "nth": {"index": 1}}, "/nth/matches"),
    ],
)
def test_verify_refuses_bad_input(http: httpx.Client, body: dict[str, Any], pointer: str) -> None:
    resp = http.post("/__admin/requests/verify", json=body)
    assert resp.status_code == 422, resp.text
    assert resp.json()["errors"][0]["source"]["pointer"] == pointer


# ------------------------------------------------------------------------------ switch


def mapping(service: str, path: str, body: str, **extra: Any) -> dict[str, Any]:
    return {
        "request": {"method": "GET", "urlPath": f"/{service}{path}"},
        "response": {"body": body},
        "metadata": {"mockbdd": {"service": service}},
        **extra,
    }


def test_switch_replaces_the_named_services_only(http: httpx.Client, base: str) -> None:
    stub(http, mapping("payments", "/old", "old"), base)
    stub(http, {"request": {"urlPathPattern": r"/payments/v\d+/x"}, "response": {}}, base)
    stub(http, {"request": {"urlPath": "/payments/bare"}, "response": {}}, base)
    kept = stub(http, mapping("inventory", "/items", "kept"), base)
    http.get(f"{base}/inventory/items")
    switched = http.post(
        f"{base}/__admin/mappings/switch",
        json={
            "services": ["payments"],
            "mappings": [mapping("payments", "/new", "first"), mapping("payments", "/new", "last")],
            "settings": {"fixedDelay": 1},
            "scenarioStates": {"s": "ready"},
        },
    )
    assert switched.status_code == 200, switched.text
    assert len(switched.json()["removed"]) == 3
    assert http.get(f"{base}/payments/old").status_code == 404
    assert http.get(f"{base}/payments/v1/x").status_code == 404
    assert http.get(f"{base}/payments/new").text == "last"  # the last mapping is the newest
    assert http.get(f"{base}/inventory/items").text == "kept"
    stubs = http.get(f"{base}/__admin/mappings").json()["mappings"]
    assert kept in {s["id"] for s in stubs}
    assert len(stubs) == 3
    assert http.get(f"{base}/__admin/settings").json()["settings"]["fixedDelay"] == 1
    assert journal_size(http, base) >= 2  # the journal stays


def test_a_bad_switch_changes_nothing(http: httpx.Client) -> None:
    stub(http, mapping("payments", "/old", "old"))
    bad_bodies = [
        (
            {"services": ["payments"], "mappings": [mapping("payments", "/n", "n"), {}]},
            "/mappings/1",
        ),
        ({"services": "payments"}, "/services"),
        ({"services": ["a b"]}, "/services/0"),
        ({"services": ["payments"], "settings": {"chaos": 1}}, "/settings/chaos"),
        ({"services": ["payments"], "settings": []}, "/settings"),
        ({"services": ["payments"], "scenarioStates": {"s": ""}}, "/scenarioStates"),
        ({"services": ["payments"], "extra": 1}, "/extra"),
    ]
    for body, pointer in bad_bodies:
        resp = http.post("/__admin/mappings/switch", json=body)
        assert resp.status_code == 422, (body, resp.text)
        assert resp.json()["errors"][0]["source"]["pointer"] == pointer
    assert http.get("/payments/old").text == "old"
    assert len(http.get("/__admin/mappings").json()["mappings"]) == 1


def test_requests_during_a_switch_never_see_a_half_switched_namespace(server: MockServer) -> None:
    """Map X stubs routes a0..aN and map Y routes b0..bN. The journal keeps the serve order and
    the stub that answered each request: while the namespace switches between X and Y, the maps
    that answered may change only once per switch (a mix of both would change it far more)."""
    routes = 40
    maps = {
        name: [mapping("svc", f"/{name}{i}", name, id=_uuid(name, i)) for i in range(routes)]
        for name in ("a", "b")
    }
    switches = 12
    with httpx.Client(base_url=server.url, timeout=10) as http:
        http.post("/__admin/mappings/switch", json={"services": ["svc"], "mappings": maps["a"]})
        stop = threading.Event()
        sent: list[None] = []  # one item per request answered (append is atomic)

        def traffic(seed: int) -> None:
            rng = random.Random(seed)
            with httpx.Client(base_url=server.url, timeout=10) as client:
                while not stop.is_set():
                    client.get(f"/svc/{rng.choice('ab')}{rng.randrange(routes)}")
                    sent.append(None)

        def settle(at_least: int) -> int:
            """Wait (bounded) until the traffic has sent ``at_least`` requests in all."""
            deadline = time.monotonic() + 10
            while len(sent) < at_least and time.monotonic() < deadline:
                time.sleep(0.005)
            return len(sent)

        with ThreadPoolExecutor(3) as pool:
            futures = [pool.submit(traffic, seed) for seed in range(3)]
            seen = settle(5)
            for i in range(switches):
                body = {"services": ["svc"], "mappings": maps["b" if i % 2 == 0 else "a"]}
                http.post("/__admin/mappings/switch", json=body).raise_for_status()
                seen = settle(seen + 10)  # traffic between every two switches
            stop.set()
            for future in futures:
                future.result()
        events = http.get("/__admin/requests").json()["requests"]
    served = [e["stubMapping"]["id"][0] for e in reversed(events) if e["wasMatched"]]
    assert len(served) > switches  # traffic really ran during the switches
    changes = sum(1 for x, y in itertools.pairwise(served) if x != y)
    assert changes <= switches


def _uuid(name: str, i: int) -> str:
    digit = "a" if name == "a" else "b"
    return f"{digit}0000000-0000-4000-8000-{i:012d}"


# ------------------------------------------------------------------------------ unused


def test_unused_lists_a_services_stubs_and_waits_for_them(http: httpx.Client, base: str) -> None:
    used = stub(http, mapping("payments", "/used", "u"), base)
    waiting = stub(http, mapping("payments", "/later", "l"), base)
    catch_all = mapping("payments", "/any", "c")
    catch_all["metadata"]["mockbdd"]["catchAll"] = True
    stub(http, catch_all, base)
    stub(http, {"request": {"urlPath": "/inventory/x"}, "response": {}}, base)
    http.get(f"{base}/payments/used")
    skip = {"matchesJsonPath": "$.mockbdd[?(@.catchAll == true)]"}
    body = {"service": "payments", "exceptMetadata": skip}
    got = http.post(f"{base}/__admin/mappings/unused", json=body).json()
    assert [(u["service"], u["mapping"]["id"]) for u in got["unused"]] == [("payments", waiting)]
    assert used not in str(got)
    everything = http.post(f"{base}/__admin/mappings/unused", json={}).json()["unused"]
    assert {u["service"] for u in everything} == {"payments", "inventory"}
    thread = later(0.2, http.get, f"{base}/payments/later")
    got = http.post(f"{base}/__admin/mappings/unused", json={**body, "timeoutMs": 10_000}).json()
    thread.join()
    assert got["unused"] == []


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"service": ""}, "/service"),
        ({"timeoutMs": -1}, "/timeoutMs"),
        ({"exceptMetadata": {"nope": 1}}, "/exceptMetadata"),
    ],
)
def test_unused_refuses_bad_input(http: httpx.Client, body: dict[str, Any], pointer: str) -> None:
    resp = http.post("/__admin/mappings/unused", json=body)
    assert resp.status_code == 422, resp.text
    assert resp.json()["errors"][0]["source"]["pointer"].startswith(pointer)
