"""``GET /__admin/docs/openapi.json`` and ``mockbdd docs``: the mocks as an OpenAPI document
that openapi-spec-validator accepts (so a Swagger UI opens it), and as Markdown."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from openapi_spec_validator import validate

from mockbdd import Client
from mockbdd.openapi.docs import markdown_of, openapi_of
from mockbdd.server.embedded import MockServer

ROOT = Path(__file__).resolve().parents[2]
STUBS: list[dict[str, Any]] = [
    {
        "name": "one user",
        "request": {
            "method": "GET",
            "urlPathTemplate": "/users/{id}",
            "queryParameters": {"v": {"equalTo": "1"}},
        },
        "response": {"status": 200, "jsonBody": {"id": 1}, "headers": {"X-Trace": "t"}},
    },
    {
        "request": {"method": "POST", "url": "/orders?x=1", "headers": {"Idem": {"matches": ".+"}}},
        "responses": [{"status": 503, "body": "busy"}, {"status": 201, "fault": "EMPTY_RESPONSE"}],
        "scenarioName": "orders",
        "requiredScenarioState": "Started",
        "newScenarioState": "placed",
    },
    {
        "request": {"method": "ANY", "urlPathPattern": "/files/.*"},
        "response": {"status": 200, "bodyFileName": "f.txt"},
    },
    {
        "request": {"method": "ANY"},
        "response": {"status": 404, "proxyBaseUrl": "http://x:1", "fixedDelayMilliseconds": 5},
    },
    {
        "request": {"method": "GET", "urlPath": "/users/{id}"},
        "response": {
            "status": 200,
            "transformers": ["crud"],
            "transformerParameters": {"collection": "users"},
        },
    },
]


def test_the_live_document_is_valid_openapi_with_examples_scenarios_and_maps() -> None:
    with MockServer(tag_maps=ROOT / "tag_maps") as server, Client(server.url) as admin:
        for stub in STUBS:
            admin.create_stub(stub)
        document = httpx.get(server.url + "/__admin/docs/openapi.json").json()
        validate(document)
        crud = document["paths"]["/users/{id}"]["get"]  # the newest stub first, as it matches
        assert "made by crud" in crud["responses"]["200"]["description"]
        [user] = crud["x-mockbdd-alternatives"]
        assert user["summary"] == "one user"
        assert user["responses"]["200"]["content"]["application/json"]["example"] == {"id": 1}
        assert user["responses"]["200"]["headers"]["X-Trace"]["example"] == "t"
        assert [p["name"] for p in user["parameters"]] == ["id", "v"]
        orders = document["paths"]["/orders"]["post"]
        assert sorted(orders["responses"]) == ["201", "503"]
        assert "fault EMPTY_RESPONSE" in orders["responses"]["201"]["description"]
        assert orders["x-mockbdd-scenario"] == {
            "name": "orders",
            "requiredState": "Started",
            "newState": "placed",
        }
        assert set(document["paths"]["/"]) >= {"get", "post", "delete"}  # ANY, every path
        assert document["x-mockbdd-patterns"][0]["url"] == "/files/.*"
        assert document["x-mockbdd-scenarios"] == [
            {"name": "orders", "state": "Started", "possibleStates": ["Started", "placed"]}
        ]
        assert "wishlist_seeded" in {m["name"] for m in document["x-mockbdd-tagMaps"]}
        markdown = markdown_of(document)
        assert (
            "| POST | `/orders` | 201, 503 | POST /orders; scenario orders: in Started → placed |"
            in markdown
        )
        assert "(regex)" in markdown
        assert "## Scenarios" in markdown
        assert "parameter `delay`" in markdown
        with admin.create_namespace() as ns:
            ns.stub({"request": {"urlPath": "/v1/a"}, "response": {"status": 204}}, service="svc")
            scoped = httpx.get(ns.admin_url + "/docs/openapi.json").json()
            validate(scoped)
            assert list(scoped["paths"]) == ["/svc/v1/a"]
            assert (
                scoped["paths"]["/svc/v1/a"]["get"]["responses"]["204"]["description"]
                == "mocked answer"
            )


def test_a_server_without_tag_maps_documents_its_stubs_only() -> None:
    with MockServer() as server:
        document = httpx.get(server.url + "/__admin/docs/openapi.json").json()
    validate(document)
    assert document["paths"] == {}
    assert "x-mockbdd-tagMaps" not in document


def docs(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockbdd", "docs", *args],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip


def test_mockbdd_docs_from_tag_maps_and_from_a_server() -> None:
    done = docs("--tag-maps", "tag_maps")
    assert done.returncode == 0, done.stderr
    assert "| POST | `/payments/v1/charges` | 201, 503 |" in done.stdout  # checkout_failure
    assert "`@mock:payments_slow`" in done.stdout
    as_openapi = docs("--tag-maps", "tag_maps", "--format", "openapi")
    validate(json.loads(as_openapi.stdout))
    with MockServer(admin_token="t") as server:
        httpx.post(
            server.url + "/__admin/mappings", json=STUBS[0], headers={"Authorization": "Bearer t"}
        )
        live = docs("--url", server.url, "--admin-token", "t")
        assert live.returncode == 0, live.stderr
        assert "| GET | `/users/{id}` | 200 | one user |" in live.stdout
        refused = docs("--url", server.url)
        assert refused.returncode == 2
        assert "401" in refused.stderr
    missing = docs("--tag-maps", "no/such/dir")
    assert missing.returncode == 1


def test_an_empty_stub_list_is_a_valid_document() -> None:
    document = openapi_of("empty", [])
    validate(document)
    assert markdown_of(document).startswith("# empty\n")
