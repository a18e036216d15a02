"""WireMock's documented examples, taken literally, against mockbdd over real sockets.

Each test names the wiremock.org page (source: github.com/wiremock/wiremock.org, ``_docs/``)
its JSON comes from.
"""

from __future__ import annotations

import calendar
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

ADMIN = "/__admin"


def _stub(http: httpx.Client, mapping: dict[str, Any]) -> dict[str, Any]:
    created = http.post(f"{ADMIN}/mappings", json=mapping)
    assert created.status_code == 201, created.text
    result: dict[str, Any] = created.json()
    return result


# --- request-matching.md --------------------------------------------------------------------


def test_basic_auth_under_the_documented_basic_auth_key(http: httpx.Client) -> None:
    # request-matching.md, "Basic Authentication": the JSON example says "basicAuth"
    _stub(
        http,
        {
            "request": {
                "method": "GET",
                "url": "/basic-auth",
                "basicAuth": {"username": "user", "password": "pass"},
            },
            "response": {"status": 200},
        },
    )
    assert http.get("/basic-auth", auth=("user", "pass")).status_code == 200
    assert http.get("/basic-auth", auth=("user", "wrong")).status_code == 404
    assert http.get("/basic-auth").status_code == 404


def test_basic_auth_under_both_keys_is_refused(http: httpx.Client) -> None:
    creds = {"username": "u", "password": "p"}
    refused = http.post(
        f"{ADMIN}/mappings",
        json={
            "request": {"url": "/x", "basicAuth": creds, "basicAuthCredentials": creds},
            "response": {},
        },
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["source"]["pointer"] == "/request/basicAuth"


@pytest.mark.parametrize(
    ("body", "matched"),
    [
        ({"things": {"name": "RequiredThing"}}, True),
        ({"things": [{"name": "RequiredThing"}, {"name": "Wiremock"}]}, True),
        ({"price": 15}, False),
        ({"things": {"name": "Wiremock"}}, False),
    ],
)
def test_json_path_filter_applies_to_a_single_object(
    http: httpx.Client, body: dict[str, Any], matched: bool
) -> None:
    # request-matching.md, "JSON Path / Equality matching" (Jayway: a filter on an object
    # tests the object itself)
    _stub(
        http,
        {
            "request": {
                "method": "POST",
                "url": "/things",
                "bodyPatterns": [{"matchesJsonPath": "$.things[?(@.name == 'RequiredThing')]"}],
            },
            "response": {"status": 200},
        },
    )
    assert (http.post("/things", json=body).status_code == 200) is matched


@pytest.mark.parametrize(
    ("body", "matched"),
    [
        ({"things": {"name": "RequiredThing"}}, True),
        ({"things": [{"name": "Required"}, {"name": "Wiremock"}]}, True),
        ({"price": 15}, False),
        ({"things": {"name": "Wiremock"}}, False),
        ({"things": [{"name": "Thing"}, {"name": "Wiremock"}]}, False),
    ],
)
def test_json_path_regex_filter(http: httpx.Client, body: dict[str, Any], matched: bool) -> None:
    # request-matching.md, "JSON Path / Regex matching"
    _stub(
        http,
        {
            "request": {
                "method": "POST",
                "url": "/things",
                "bodyPatterns": [{"matchesJsonPath": "$.things[?(@.name =~ /Required.*/i)]"}],
            },
            "response": {"status": 200},
        },
    )
    assert (http.post("/things", json=body).status_code == 200) is matched


def test_json_path_size_function_in_a_filter(http: httpx.Client) -> None:
    # request-matching.md, "JSON Path / Size matching"
    _stub(
        http,
        {
            "request": {
                "method": "POST",
                "url": "/things",
                "bodyPatterns": [{"matchesJsonPath": "$[?(@.things.size() == 2)]"}],
            },
            "response": {"status": 200},
        },
    )
    two = {"things": [{"name": "RequiredThing"}, {"name": "Wiremock"}]}
    assert http.post("/things", json=two).status_code == 200
    assert http.post("/things", json={"things": [{"name": "RequiredThing"}]}).status_code == 404


def test_json_path_nested_matchers(http: httpx.Client) -> None:
    # request-matching.md, "JSON Path / Nested value matching" (contains, and equalToJson)
    _stub(
        http,
        {
            "request": {
                "method": "POST",
                "url": "/todo",
                "bodyPatterns": [
                    {"matchesJsonPath": {"expression": "$..todoItem", "contains": "wash"}}
                ],
            },
            "response": {"status": 200},
        },
    )
    _stub(
        http,
        {
            "request": {
                "method": "POST",
                "url": "/outer",
                "bodyPatterns": [
                    {"matchesJsonPath": {"expression": "$.outer", "equalToJson": '{ "inner": 42 }'}}
                ],
            },
            "response": {"status": 200},
        },
    )
    assert http.post("/todo", json={"list": {"todoItem": "wash the car"}}).status_code == 200
    assert http.post("/todo", json={"list": {"todoItem": "dry"}}).status_code == 404
    assert http.post("/outer", json={"outer": {"inner": 42}}).status_code == 200
    assert http.post("/outer", json={"outer": {"inner": 43}}).status_code == 404


def test_equal_to_json_placeholders(http: httpx.Client) -> None:
    # request-matching.md, "JSON equality / Placeholders"
    _stub(
        http,
        {
            "request": {
                "method": "POST",
                "url": "/ids",
                "bodyPatterns": [{"equalToJson": '{ "id": "${json-unit.any-string}" }'}],
            },
            "response": {"status": 200},
        },
    )
    assert http.post("/ids", json={"id": "abc123"}).status_code == 200
    assert http.post("/ids", json={"id": 123}).status_code == 404


def test_get_or_head_matches_get_and_head_only(http: httpx.Client) -> None:
    # stubbing.md, "Basic stubbing": GET_OR_HEAD matches both GET and HEAD
    _stub(
        http,
        {
            "request": {"method": "GET_OR_HEAD", "url": "/get-or-head-test"},
            "response": {"status": 200, "jsonBody": {"key": "value"}},
        },
    )
    assert http.get("/get-or-head-test").json() == {"key": "value"}
    head = http.head("/get-or-head-test")
    assert head.status_code == 200
    assert head.content == b""
    assert http.post("/get-or-head-test").status_code == 404
    # the journal's count fast path (method + literal URL) must not miss either method
    counted = http.post(
        f"{ADMIN}/requests/count", json={"method": "GET_OR_HEAD", "url": "/get-or-head-test"}
    )
    assert counted.json()["count"] == 2


def _last_day_of_month(moment: datetime) -> datetime:
    last = calendar.monthrange(moment.year, moment.month)[1]
    return moment.replace(day=last, hour=0, minute=0, second=0, microsecond=0)


def test_apply_truncation_last(http: httpx.Client) -> None:
    # request-matching.md, "Order of applying offset and truncation"
    _stub(
        http,
        {
            "request": {
                "urlPath": "/resource",
                "method": "GET",
                "queryParameters": {
                    "date": {
                        "equalToDateTime": "now +1 months",
                        "truncateExpected": "last day of month",
                        "applyTruncationLast": True,
                    }
                },
            },
            "response": {"status": 200},
        },
    )
    now = datetime.now(timezone.utc)
    year, month = divmod(now.month, 12)  # the month after now's (0-based month index)
    day = min(now.day, calendar.monthrange(now.year + year, month + 1)[1])
    next_month = now.replace(year=now.year + year, month=month + 1, day=day)
    expected = _last_day_of_month(next_month)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    assert http.get("/resource", params={"date": expected.strftime(fmt)}).status_code == 200
    day_before = expected - timedelta(days=1)
    assert http.get("/resource", params={"date": day_before.strftime(fmt)}).status_code == 404


# --- stubbing.md ----------------------------------------------------------------------------


def test_delete_unmatched_mappings(http: httpx.Client) -> None:
    # stubbing.md, "Unmatched stub mappings": GET or DELETE /__admin/mappings/unmatched
    used = _stub(http, {"request": {"url": "/used"}, "response": {"status": 200}})
    unused = _stub(http, {"request": {"url": "/unused"}, "response": {"status": 200}})
    http.get("/used")
    removed = http.delete(f"{ADMIN}/mappings/unmatched")
    assert removed.status_code == 200
    assert [m["id"] for m in removed.json()["mappings"]] == [unused["id"]]
    remaining = http.get(f"{ADMIN}/mappings").json()
    assert [m["id"] for m in remaining["mappings"]] == [used["id"]]
    assert remaining["meta"] == {"total": 1}


def test_import_with_ignore_and_delete_all_not_in_import(http: httpx.Client) -> None:
    # stubbing.md, "Bulk importing stubs"
    old = _stub(http, {"request": {"url": "/old"}, "response": {"status": 200}})
    kept_id = "8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7"
    _stub(http, {"id": kept_id, "request": {"url": "/two"}, "response": {"body": "existing"}})
    imported = http.post(
        f"{ADMIN}/mappings/import",
        json={
            "mappings": [
                {"request": {"method": "GET", "url": "/one"}, "response": {"status": 200}},
                {
                    "id": kept_id,
                    "request": {"url": "/two"},
                    "response": {"status": 200, "body": "Body content"},
                },
            ],
            "importOptions": {"duplicatePolicy": "IGNORE", "deleteAllNotInImport": True},
        },
    )
    assert imported.status_code == 200
    ids = {m["id"] for m in http.get(f"{ADMIN}/mappings").json()["mappings"]}
    assert old["id"] not in ids
    assert kept_id in ids
    assert http.get("/one").status_code == 200
    assert http.get("/two").text == "existing"  # IGNORE keeps the stub already loaded


def test_multi_valued_response_header_and_status_message(http: httpx.Client) -> None:
    # stubbing.md, "Sending response headers" and "Setting the response status message"
    _stub(
        http,
        {
            "request": {"method": "GET", "url": "/whatever"},
            "response": {
                "status": 200,
                "statusMessage": "Everything was just fine!",
                "headers": {
                    "Content-Type": "text/plain",
                    "Set-Cookie": ["session_id=91837492837", "split_test_group=B"],
                    "Cache-Control": "no-cache",
                },
            },
        },
    )
    answer = http.get("/whatever")
    assert answer.reason_phrase == "Everything was just fine!"
    assert answer.headers.get_list("Set-Cookie") == ["session_id=91837492837", "split_test_group=B"]
    assert answer.headers["Cache-Control"] == "no-cache"


# --- verifying.md ---------------------------------------------------------------------------


def test_journal_entry_fields(http: httpx.Client) -> None:
    # verifying.md, "Getting all requests": request fields and the response definition
    stub = _stub(
        http,
        {
            "request": {"method": "GET", "url": "/received-request/7"},
            "response": {"status": 200, "body": "This was matched"},
        },
    )
    http.get("/received-request/7")
    http.get("/received-request/6")
    listed = http.get(f"{ADMIN}/requests").json()
    assert listed["meta"] == {"total": 2}
    assert listed["requestJournalDisabled"] is False
    unmatched, matched = listed["requests"]  # newest first
    request = matched["request"]
    assert request["url"] == "/received-request/7"
    assert request["absoluteUrl"].endswith("/received-request/7")
    assert request["method"] == "GET"
    assert request["clientIp"] == "127.0.0.1"
    assert request["cookies"] == {}
    assert request["browserProxyRequest"] is False
    assert request["body"] == ""
    assert request["bodyAsBase64"] == ""
    assert isinstance(request["loggedDate"], int)
    assert request["loggedDateString"].endswith("Z")
    assert matched["wasMatched"] is True
    assert matched["responseDefinition"] == {"status": 200, "body": "This was matched"}
    assert matched["stubMapping"]["id"] == stub["id"]
    assert unmatched["wasMatched"] is False
    assert unmatched["responseDefinition"]["status"] == 404


def test_remove_requests_answers_serve_events(http: httpx.Client) -> None:
    # verifying.md, "Removing items from the journal / By criteria" (FindServeEventsResult)
    http.put("/api/thing", headers={"X-Trace-Id": "123"})
    http.put("/api/thing", headers={"X-Trace-Id": "456"})
    removed = http.post(
        f"{ADMIN}/requests/remove",
        json={
            "method": "PUT",
            "urlPattern": "/api/.*",
            "headers": {"X-Trace-Id": {"equalTo": "123"}},
        },
    )
    assert removed.status_code == 200
    events = removed.json()["serveEvents"]
    assert [e["request"]["headers"]["X-Trace-Id"] for e in events] == ["123"]
    assert http.get(f"{ADMIN}/requests").json()["meta"] == {"total": 1}


def test_remove_requests_by_stub_metadata(http: httpx.Client) -> None:
    # verifying.md, "Removing items from the journal / By stub metadata"
    _stub(
        http,
        {
            "request": {"method": "GET", "url": "/api/dosomething/123"},
            "response": {"status": 200},
            "metadata": {"tags": ["test-57"]},
        },
    )
    _stub(http, {"request": {"url": "/other"}, "response": {"status": 200}})
    http.get("/api/dosomething/123")
    http.get("/other")
    removed = http.post(
        f"{ADMIN}/requests/remove-by-metadata",
        json={"matchesJsonPath": {"expression": "$.tags[0]", "equalTo": "test-57"}},
    )
    assert removed.status_code == 200
    assert [e["request"]["url"] for e in removed.json()["serveEvents"]] == ["/api/dosomething/123"]
    left = http.get(f"{ADMIN}/requests").json()["requests"]
    assert [e["request"]["url"] for e in left] == ["/other"]


def test_count_with_header_regex(http: httpx.Client) -> None:
    # verifying.md, "Verifying via the JSON + HTTP API"
    for _ in range(4):
        http.post("/resource/to/count", content=b"<x/>", headers={"Content-Type": "text/xml"})
    http.post("/resource/to/count", json={})
    counted = http.post(
        f"{ADMIN}/requests/count",
        json={
            "method": "POST",
            "url": "/resource/to/count",
            "headers": {"Content-Type": {"matches": ".*/xml"}},
        },
    )
    assert counted.json()["count"] == 4


def test_near_misses_for_a_request_pattern_echo_the_pattern(http: httpx.Client) -> None:
    # verifying.md, "Near misses": each near miss carries the requestPattern queried
    http.get("/nomatch")
    pattern = {"url": "/almostmatch", "method": "GET"}
    misses = http.post(f"{ADMIN}/near-misses/request-pattern", json=pattern).json()["nearMisses"]
    assert misses
    assert misses[0]["request"]["url"] == "/nomatch"
    assert misses[0]["requestPattern"] == pattern
    assert 0 < misses[0]["matchResult"]["distance"] < 1


# --- stub-metadata.md -----------------------------------------------------------------------


def test_find_and_remove_stubs_by_metadata(http: httpx.Client) -> None:
    # stub-metadata.md
    tagged = _stub(
        http,
        {
            "request": {"url": "/with-metadata"},
            "response": {"status": 200},
            "metadata": {
                "singleItem": 1234,
                "listItem": [1, 2, 3, 4],
                "nestedObject": {"innerItem": "Hello"},
            },
        },
    )
    other = _stub(http, {"request": {"url": "/plain"}, "response": {"status": 200}})
    query = {"matchesJsonPath": {"expression": "$.singleItem", "contains": "123"}}
    found = http.post(f"{ADMIN}/mappings/find-by-metadata", json=query).json()
    assert [m["id"] for m in found["mappings"]] == [tagged["id"]]
    assert http.post(f"{ADMIN}/mappings/remove-by-metadata", json=query).status_code == 200
    left = http.get(f"{ADMIN}/mappings").json()["mappings"]
    assert [m["id"] for m in left] == [other["id"]]


# --- stateful-behaviour.md ------------------------------------------------------------------


def test_scenario_state_set_and_reset_through_the_admin_api(http: httpx.Client) -> None:
    # stateful-behaviour.md, "Setting the state of an individual scenario" and
    # "Resetting a single scenario" (an empty PUT)
    for state, body in (("Started", "first"), ("state_2", "second")):
        _stub(
            http,
            {
                "scenarioName": "my_scenario",
                "requiredScenarioState": state,
                "request": {"method": "GET", "url": "/state"},
                "response": {"status": 200, "body": body},
            },
        )
    assert http.get("/state").text == "first"
    put = http.put(f"{ADMIN}/scenarios/my_scenario/state", json={"state": "state_2"})
    assert put.status_code == 200
    assert http.get("/state").text == "second"
    scenarios = http.get(f"{ADMIN}/scenarios").json()["scenarios"]
    mappings = [m["response"]["body"] for m in scenarios[0].pop("mappings")]
    assert mappings == ["first", "second"]
    assert scenarios == [
        {
            "id": "my_scenario",
            "name": "my_scenario",
            "state": "state_2",
            "possibleStates": ["Started", "state_2"],
        }
    ]
    assert http.put(f"{ADMIN}/scenarios/my_scenario/state").status_code == 200
    assert http.get("/state").text == "first"


# --- simulating-faults.md -------------------------------------------------------------------


def test_chunked_dribble_delay_sends_the_documented_number_of_chunks(http: httpx.Client) -> None:
    # simulating-faults.md, "Chunked Dribble Delay": "Hello world!" in five chunks with a
    # 200 ms gap between each, so the last byte arrives after four gaps
    _stub(
        http,
        {
            "request": {"method": "GET", "url": "/chunked/delayed"},
            "response": {
                "status": 200,
                "body": "Hello world!",
                "chunkedDribbleDelay": {"numberOfChunks": 5, "totalDuration": 1000},
            },
        },
    )
    chunks = []
    started = time.monotonic()
    with http.stream("GET", "/chunked/delayed") as answer:
        for chunk in answer.iter_raw():
            chunks.append(chunk)
    elapsed = time.monotonic() - started
    assert b"".join(chunks) == b"Hello world!"
    assert elapsed >= 0.75


def test_client_ip_matching(http: httpx.Client) -> None:
    # request-matching.md (3.13.0+): "clientIp": {"equalTo": "127.0.0.1"}
    _stub(
        http,
        {
            "request": {"urlPath": "/everything", "clientIp": {"equalTo": "127.0.0.1"}},
            "response": {"status": 200},
        },
    )
    _stub(
        http,
        {
            "request": {"urlPath": "/elsewhere", "clientIp": {"equalTo": "10.1.2.3"}},
            "response": {"status": 200},
        },
    )
    assert http.get("/everything").status_code == 200
    assert http.get("/elsewhere").status_code == 404
