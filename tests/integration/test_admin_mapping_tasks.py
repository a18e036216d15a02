"""mockbdd.admin.mapping_tasks over real sockets: editing a stub that is not there."""

from __future__ import annotations

from typing import Any

import httpx
import pytest


def test_editing_an_unknown_stub_is_a_404_and_creates_nothing(http: httpx.Client) -> None:
    edit = {"request": {"url": "/x"}, "response": {"status": 200}}
    missing = http.put("/__admin/mappings/5f0c0000-0000-4000-8000-000000000000", json=edit)
    assert missing.status_code == 404
    assert "no stub mapping with id" in missing.json()["errors"][0]["title"]
    assert http.get("/__admin/mappings").json()["mappings"] == []
    assert http.get("/x").status_code == 404


def pointer_of(response: httpx.Response) -> str:
    assert response.status_code == 422, response.text
    return str(response.json()["errors"][0]["source"]["pointer"])


@pytest.mark.parametrize(
    ("response_json", "pointer"),
    [
        (
            '{"delayDistribution": {"type": "fixed", "milliseconds": 1e400}}',
            "/response/delayDistribution/milliseconds",
        ),
        (
            '{"delayDistribution": {"type": "lognormal", "median": 10, "sigma": 1e400}}',
            "/response/delayDistribution/sigma",
        ),
        ('{"fixedDelayMilliseconds": 100000000000}', "/response/fixedDelayMilliseconds"),
        (
            '{"chunkedDribbleDelay": {"numberOfChunks": 2, "totalDuration": 10000000000000}}',
            "/response/chunkedDribbleDelay/totalDuration",
        ),
        ('{"proxyBaseUrl": "http://[bad"}', "/response/proxyBaseUrl"),
        ('{"proxyBaseUrl": "http:///no-host"}', "/response/proxyBaseUrl"),
        (
            '{"proxyBaseUrl": "http://up.example",'
            ' "additionalProxyRequestHeaders": {"X-A": "a\\r\\nInjected: 1"}}',
            "/response/additionalProxyRequestHeaders/X-A",
        ),
        ('{"bodyFileName": "a\\u0000b"}', "/response/bodyFileName"),
    ],
)
def test_out_of_bounds_response_settings_are_refused_with_a_pointer(
    http: httpx.Client, response_json: str, pointer: str
) -> None:
    body = '{"request": {"urlPath": "/x"}, "response": ' + response_json + "}"
    created = http.post(
        "/__admin/mappings", content=body, headers={"Content-Type": "application/json"}
    )
    assert pointer_of(created) == pointer
    assert http.get("/__admin/mappings").json()["mappings"] == []


def stub(http: httpx.Client, mapping: dict[str, Any], base: str = "") -> None:
    resp = http.post(f"{base}/__admin/mappings", json=mapping)
    assert resp.status_code == 201, resp.text


def test_reset_semantics_follow_wiremock(http: httpx.Client) -> None:
    scenario = {"scenarioName": "S", "requiredScenarioState": "Started", "newScenarioState": "Paid"}
    stub(http, {**scenario, "request": {"url": "/s"}, "response": {"body": "first"}})
    http.get("/s")
    http.delete("/__admin/mappings")  # stubs gone, and with them the scenario state
    assert http.get("/__admin/scenarios").json()["scenarios"] == []
    stub(http, {**scenario, "request": {"url": "/s"}, "response": {"body": "first"}})
    assert http.get("/s").text == "first"
    http.post("/__admin/mappings/reset")  # back to the (empty) defaults, journal cleared
    assert http.get("/__admin/requests").json()["meta"]["total"] == 0


def test_large_admin_import_is_accepted(http: httpx.Client) -> None:
    mappings = [
        {"request": {"url": f"/big/{i}"}, "response": {"body": "x" * 2000}} for i in range(1000)
    ]
    resp = http.post("/__admin/mappings/import", json={"mappings": mappings})  # ~2 MB
    assert resp.status_code == 200
    assert http.get("/big/999").text == "x" * 2000


def test_import_options_must_be_booleans(http: httpx.Client) -> None:
    stub(http, {"request": {"url": "/keep"}, "response": {}})
    resp = http.post(
        "/__admin/mappings/import",
        json={"mappings": [], "importOptions": {"deleteAllNotInImport": "false"}},
    )
    assert resp.status_code == 422
    assert http.get("/keep").status_code == 200
