"""mockbdd.admin.system_tasks over real sockets: scenario state and settings calls."""

from __future__ import annotations

import time

import httpx

STEP = {
    "scenarioName": "checkout",
    "requiredScenarioState": "Started",
    "newScenarioState": "paid",
    "request": {"url": "/pay"},
    "response": {"status": 201},
}


def test_a_scenario_state_call_without_a_state_resets_that_scenario(http: httpx.Client) -> None:
    http.post("/__admin/mappings", json=STEP)
    assert http.post("/pay").status_code == 201
    assert http.post("/pay").status_code == 404  # "paid" now
    assert http.put("/__admin/scenarios/checkout/state", json={}).status_code == 200
    assert http.post("/pay").status_code == 201  # back to Started


def test_a_scenario_state_must_be_a_non_empty_string(http: httpx.Client) -> None:
    http.post("/__admin/mappings", json=STEP)
    for state in ["", 5]:
        refused = http.put("/__admin/scenarios/checkout/state", json={"state": state})
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["title"] == "must be a non-empty string"
    assert http.post("/pay").status_code == 201  # unchanged: still Started


def test_settings_may_come_wrapped_as_wiremock_returns_them(http: httpx.Client) -> None:
    sent = {"settings": {"fixedDelay": 3, "extended": {"team": "payments"}}}
    assert http.post("/__admin/settings", json=sent).json() == sent
    assert http.get("/__admin/settings").json() == sent


def test_a_global_delay_distribution_delays_every_answer(http: httpx.Client) -> None:
    http.post("/__admin/mappings", json={"request": {"url": "/x"}, "response": {"status": 200}})
    sent = {"delayDistribution": {"type": "fixed", "milliseconds": 300}}
    assert http.post("/__admin/settings", json=sent).status_code == 200
    started = time.perf_counter()
    assert http.get("/x").status_code == 200
    assert time.perf_counter() - started >= 0.3  # a lower bound only: a slow machine passes too


def test_settings_round_trip_and_java_client_shape(http: httpx.Client) -> None:
    body = {
        "delayDistribution": {"type": "uniform", "lower": 1, "upper": 2},
        "proxyPassThrough": True,
    }
    assert http.post("/__admin/settings", json=body).status_code == 200
    assert http.get("/__admin/settings").json()["settings"] == {
        "delayDistribution": {"type": "uniform", "lower": 1, "upper": 2}
    }
