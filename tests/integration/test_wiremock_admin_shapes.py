"""Admin API JSON shapes pinned to what real WireMock 3.13.2 answers, found by
``bench/wiremock_diff_admin.py`` (the same admin calls against WireMock and mockbdd, comparing
the keys and JSON types of every answer)."""

from __future__ import annotations

from typing import Any

import httpx

ADMIN = "/__admin"


def add(http: httpx.Client, mapping: dict[str, Any]) -> dict[str, Any]:
    resp = http.post(f"{ADMIN}/mappings", json=mapping)
    assert resp.status_code == 201, resp.text
    data: dict[str, Any] = resp.json()
    return data


def only_event(http: httpx.Client) -> dict[str, Any]:
    events = http.get(f"{ADMIN}/requests").json()["requests"]
    assert len(events) == 1
    event: dict[str, Any] = events[0]
    return event


def test_a_stub_is_answered_with_its_defaults_spelled_out(http: httpx.Client) -> None:
    # real WireMock 3.13.2 answers {"request": {"urlPath": "/a", "method": "ANY"},
    # "response": {"status": 200, "body": "x"}, ...} for a mapping that leaves both out
    created = add(http, {"request": {"urlPath": "/a"}, "response": {"body": "x"}})
    assert created["request"] == {"urlPath": "/a", "method": "ANY"}
    assert created["response"] == {"status": 200, "body": "x"}
    listed = http.get(f"{ADMIN}/mappings").json()["mappings"][0]
    assert listed["request"]["method"] == "ANY"
    assert listed["response"]["status"] == 200
    explicit = add(http, {"request": {"method": "POST"}, "response": {"status": 201}})
    assert explicit["request"] == {"method": "POST"}
    assert explicit["response"] == {"status": 201}


def test_an_unmatched_serve_event_says_it_was_not_configured(http: httpx.Client) -> None:
    # real WireMock 3.13.2: "responseDefinition": {"status": 404, "fromConfiguredStub": false}
    # (WireMock's Java client derives wasMatched from it), a stand-in "stubMapping"
    # {"id", "request": {"method": "ANY"}, "response": {...}, "uuid"} and a REQUEST_NOT_MATCHED
    # sub-event {"type", "timeOffsetNanos", "data": {"status", "contentType", "report"}}
    assert http.get("/nowhere").status_code == 404
    event = only_event(http)
    assert event["wasMatched"] is False
    assert event["responseDefinition"] == {"status": 404, "fromConfiguredStub": False}
    stand_in = event["stubMapping"]
    assert stand_in["request"] == {"method": "ANY"}
    assert stand_in["id"] == stand_in["uuid"]
    assert isinstance(stand_in["id"], str)
    assert stand_in["response"] == {"status": 404, "fromConfiguredStub": False}
    [sub] = event["subEvents"]
    assert sub["type"] == "REQUEST_NOT_MATCHED"
    assert isinstance(sub["timeOffsetNanos"], int)
    assert sub["data"]["status"] == 404
    assert sub["data"]["contentType"] == "text/plain"
    assert "/nowhere" in sub["data"]["report"]


def test_a_matched_serve_event_has_the_logged_request_and_response_fields(
    http: httpx.Client,
) -> None:
    # real WireMock 3.13.2: "subEvents": [], the answer's Matched-Stub-Id/-Name among the
    # logged response headers, and "formParams" in the logged request like "queryParams"
    stub = add(
        http,
        {"name": "form", "request": {"method": "POST", "url": "/f"}, "response": {"body": "ok"}},
    )
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert http.post("/f", content=b"k=1&k=2&e=", headers=form).status_code == 200
    event = only_event(http)
    assert event["subEvents"] == []
    assert "fromConfiguredStub" not in event["responseDefinition"]
    assert event["response"]["headers"]["Matched-Stub-Id"] == stub["id"]
    assert event["response"]["headers"]["Matched-Stub-Name"] == "form"
    assert event["request"]["formParams"] == {
        "k": {"key": "k", "values": ["1", "2"]},
        "e": {"key": "e", "values": [""]},
    }
    found = http.post(f"{ADMIN}/requests/find", json={"url": "/f"}).json()["requests"]
    assert found[0]["formParams"]["k"]["values"] == ["1", "2"]


def test_a_body_that_is_not_a_form_has_no_form_params(http: httpx.Client) -> None:
    # real WireMock 3.13.2 logs "formParams": {} for a JSON or text body
    assert http.post("/x", content=b"k=1", headers={"Content-Type": "text/plain"}).status_code
    assert only_event(http)["request"]["formParams"] == {}


def test_near_misses_carry_wiremock_match_result_and_logged_date(http: httpx.Client) -> None:
    # real WireMock 3.13.2: "matchResult": {"distance", "diffDescriptions": [], "subEvents": []},
    # and an unmatched request's near miss keeps its loggedDate/loggedDateString
    add(http, {"request": {"method": "GET", "url": "/near"}, "response": {"status": 200}})
    assert http.get("/nearly").status_code == 404
    misses = http.get(f"{ADMIN}/requests/unmatched/near-misses").json()["nearMisses"]
    assert misses
    result = misses[0]["matchResult"]
    assert isinstance(result["distance"], float | int)
    assert result["diffDescriptions"] == []
    assert result["subEvents"] == []
    assert isinstance(misses[0]["request"]["loggedDate"], int)
    assert misses[0]["request"]["loggedDateString"].endswith("Z")


def test_scenarios_list_their_mappings_oldest_first(http: httpx.Client) -> None:
    # real WireMock 3.13.2: each scenario has "mappings", the stub mappings of the scenario
    for state, body in (("Started", "first"), ("two", "second")):
        add(
            http,
            {
                "scenarioName": "flow",
                "requiredScenarioState": state,
                "newScenarioState": "two",
                "request": {"url": "/s"},
                "response": {"body": body},
            },
        )
    [scenario] = http.get(f"{ADMIN}/scenarios").json()["scenarios"]
    assert [m["response"]["body"] for m in scenario["mappings"]] == ["first", "second"]
    assert scenario["mappings"][0]["scenarioName"] == "flow"


def test_a_state_the_scenario_does_not_have_is_refused(http: httpx.Client) -> None:
    # real WireMock 3.13.2: 422 {"errors": [{"code": 11,
    # "title": "Scenario flow does not support state nope"}]}, and the state is unchanged
    add(
        http,
        {
            "scenarioName": "flow",
            "requiredScenarioState": "Started",
            "newScenarioState": "two",
            "request": {"url": "/s"},
            "response": {"body": "first"},
        },
    )
    resp = http.put(f"{ADMIN}/scenarios/flow/state", json={"state": "nope"})
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["title"] == "Scenario flow does not support state nope"
    [scenario] = http.get(f"{ADMIN}/scenarios").json()["scenarios"]
    assert scenario["state"] == "Started"
    assert scenario["possibleStates"] == ["Started", "two"]
    ok = http.put(f"{ADMIN}/scenarios/flow/state", json={"state": "two"})
    assert ok.status_code == 200


def test_deleting_an_unknown_journal_entry_is_ok(http: httpx.Client) -> None:
    # real WireMock 3.13.2: DELETE /__admin/requests/{id} answers 200 for an id it does not have
    unknown = "00000000-0000-4000-8000-00000000dead"
    assert http.delete(f"{ADMIN}/requests/{unknown}").status_code == 200


def test_removed_serve_events_are_answered_newest_first(http: httpx.Client) -> None:
    # real WireMock 3.13.2 answers POST /requests/remove with the removed events newest first
    add(http, {"request": {"urlPath": "/r"}, "response": {"status": 200}})
    for i in range(3):
        http.get(f"/r?i={i}")
    removed = http.post(f"{ADMIN}/requests/remove", json={"urlPath": "/r"}).json()
    assert [e["request"]["url"] for e in removed["serveEvents"]] == ["/r?i=2", "/r?i=1", "/r?i=0"]


def test_health_has_uptime_and_timestamp(http: httpx.Client) -> None:
    # real WireMock 3.13.2: {"status", "message", "version", "uptimeInSeconds": 6,
    # "timestamp": "2026-11-22T03:12:48.386600881Z"}
    health = http.get(f"{ADMIN}/health").json()
    assert health["status"] == "healthy"
    assert isinstance(health["uptimeInSeconds"], int)
    assert health["uptimeInSeconds"] >= 0
    assert isinstance(health["timestamp"], str)
    assert health["timestamp"].endswith("Z")
