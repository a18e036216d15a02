"""mockbdd.admin.namespace_tasks over real sockets: a namespace opens whole or not at all."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest


def error(response: httpx.Response) -> tuple[int, str, str]:
    first = response.json()["errors"][0]
    return response.status_code, first["source"]["pointer"], first["title"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"name": "n", "stubs": []},
            (
                400,
                "/stubs",
                "unknown field 'stubs' (known: name, tagMaps, ttlSeconds, port, mappings, settings, "
                "scenarioStates, collections, seed, mounts, labels)",
            ),
        ),
        ({"name": 7}, (400, "/name", "must be a string")),
        ({"name": "n", "port": 70000}, (400, "/port", "must be a port number (0 = any free port)")),
        ({"name": "n", "port": True}, (400, "/port", "must be a port number (0 = any free port)")),
        (
            {"name": "n", "tagMaps": "checkout"},
            (400, "/tagMaps", "must be a list of tag bodies such as 'checkout_failure'"),
        ),
        (
            {"name": "n", "mappings": {"request": {}}},
            (422, "/mappings", "must be a list of stub mappings"),
        ),
        ({"name": "n", "settings": [1]}, (422, "/settings", "must be an object")),
        (
            {"name": "n", "settings": {"fixedDelay": -1}},
            (422, "/settings/fixedDelay", "must be a whole number of milliseconds in 0..86400000"),
        ),
        (
            {"name": "n", "scenarioStates": {"checkout": ""}},
            (422, "/scenarioStates", "must map scenario names to state names"),
        ),
        (
            {"name": "n", "scenarioStates": ["checkout"]},
            (422, "/scenarioStates", "must map scenario names to state names"),
        ),
    ],
)
def test_a_bad_namespace_body_is_refused_by_field_and_nothing_is_created(
    http: httpx.Client, body: dict[str, Any], expected: tuple[int, str, str]
) -> None:
    assert error(http.post("/__admin/namespaces", json=body)) == expected
    names = [ns["name"] for ns in http.get("/__admin/namespaces").json()["namespaces"]]
    assert names == ["default"]


def test_a_namespace_resets_to_the_scenario_states_it_was_opened_with(http: httpx.Client) -> None:
    step = {
        "scenarioName": "checkout",
        "requiredScenarioState": "paid",
        "newScenarioState": "shipped",
        "request": {"url": "/ship"},
        "response": {"status": 201},
    }
    created = http.post(
        "/__admin/namespaces",
        json={"name": "n", "mappings": [step], "scenarioStates": {"checkout": "paid"}},
    )
    assert created.status_code == 201, created.text
    assert http.post("/__ns/n/ship").status_code == 201
    assert http.post("/__ns/n/ship").status_code == 404  # now "shipped": the stub waits for "paid"
    assert http.post("/__ns/n/__admin/mappings/reset").status_code == 200
    assert http.post("/__ns/n/ship").status_code == 201


@pytest.mark.parametrize("ttl", ["Infinity", "NaN", "1e400", "-1"])
def test_non_finite_ttl_is_refused_and_listing_still_works(http: httpx.Client, ttl: str) -> None:
    resp = http.post(
        "/__admin/namespaces", content=f'{{"name": "t", "ttlSeconds": {ttl}}}'.encode()
    )
    assert resp.status_code == 400
    assert http.get("/__admin/namespaces").status_code == 200
    assert http.get("/__ns/t/x").status_code == 404


def test_a_namespace_resets_to_what_it_was_opened_with(http: httpx.Client) -> None:
    opened = {
        "name": "ready",
        "mappings": [{"request": {"url": "/x"}, "response": {"body": "initial"}}],
        "settings": {"fixedDelay": 1},
    }
    assert http.post("/__admin/namespaces", json=opened).status_code == 201
    http.delete("/__ns/ready/__admin/mappings")
    http.post("/__ns/ready/__admin/settings", json={"fixedDelay": 50})
    http.post("/__ns/ready/__admin/reset")
    assert http.get("/__ns/ready/x").text == "initial"
    assert http.get("/__ns/ready/__admin/settings").json()["settings"] == {"fixedDelay": 1}


def test_namespace_port_in_use_is_a_409(http: httpx.Client) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        resp = http.post("/__admin/namespaces", json={"name": "p", "port": busy.getsockname()[1]})
    assert resp.status_code == 409
    assert "cannot be opened" in resp.json()["errors"][0]["title"]
    assert http.get("/__ns/p/x").status_code == 404
