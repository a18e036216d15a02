"""OpenAPI import and validating mode on the OAI's petstore-expanded document (vendored in
tests/data), checked with openapi-core; answers checked against the spec with openapi-core too."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from mockbdd.server.embedded import MockServer

PETSTORE = Path(__file__).resolve().parents[1] / "data" / "petstore-expanded.yaml"
SPEC_TEXT = PETSTORE.read_text()
SPEC = yaml.safe_load(SPEC_TEXT)


def imported(http: httpx.Client, **body: Any) -> dict[str, Any]:
    answer = http.post("/__admin/openapi", json={"spec": SPEC_TEXT, **body})
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


def conforms(method: str, path: str, response: httpx.Response) -> None:
    """openapi-core agrees that the answer is what the spec says this operation answers."""
    api = OpenAPI.from_dict(SPEC)
    request = MockRequest("https://petstore.swagger.io", method.lower(), path)
    content_type = response.headers.get("Content-Type", "")
    api.validate_response(
        request, MockResponse(response.content, response.status_code, content_type=content_type)
    )


@pytest.mark.parametrize("mode", ["examples", "generated"])
def test_every_operation_is_stubbed_and_answers_as_the_spec_says(
    http: httpx.Client, mode: str
) -> None:
    result = imported(http, mode=mode)
    assert [
        (m["request"]["method"], m["request"]["urlPathTemplate"]) for m in result["mappings"]
    ] == [
        ("GET", "/v2/pets"),
        ("POST", "/v2/pets"),
        ("GET", "/v2/pets/{id}"),
        ("DELETE", "/v2/pets/{id}"),
    ]
    for method, path in (("GET", "/v2/pets"), ("GET", "/v2/pets/7"), ("POST", "/v2/pets")):
        answer = http.request(method, path, json={"name": "Rex"} if method == "POST" else None)
        assert answer.status_code == 200, answer.text
        conforms(method, path, answer)
    assert http.delete("/v2/pets/7").status_code == 204
    assert http.get("/v2/pets?limit=nope").status_code == 200  # not validating: the stubs answer


def test_validating_mode_names_the_parameter_or_the_body_pointer(http: httpx.Client) -> None:
    assert imported(http, validate=True)["validating"] is True
    bad_query = http.get("/v2/pets?limit=nope")
    assert bad_query.status_code == 400
    assert bad_query.json()["parameter"] == {"in": "query", "name": "limit"}
    assert "integer" in bad_query.json()["reason"]
    bad_path = http.get("/v2/pets/abc").json()
    assert bad_path["parameter"] == {"in": "path", "name": "id"}
    bad_body = http.post("/v2/pets", json={"name": 5})
    assert (bad_body.status_code, bad_body.json()["pointer"]) == (400, "/name")
    assert "not of type 'string'" in bad_body.json()["reason"]
    missing = http.post("/v2/pets", json={"tag": "dog"}).json()
    assert "'name' is a required property" in missing["reason"]
    assert missing["pointer"] == "/name"  # the missing property itself, not its object
    assert http.post("/v2/pets", json={"name": "Rex"}).status_code == 200
    assert http.get("/v2/pets?limit=3&tags=a").status_code == 200
    assert http.get("/elsewhere").status_code == 404  # not the document's: the stubs decide
    journal = http.get("/__admin/requests").json()["requests"]
    assert any(e["response"]["status"] == 400 for e in journal)  # refused requests are journaled
    http.post("/__admin/reset")
    assert http.get("/v2/pets?limit=nope").status_code == 404  # reset: no stubs, no validator


def test_examples_come_first_and_a_broken_example_is_refused(http: httpx.Client) -> None:
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "Rates", "version": "1"},
        "servers": [{"url": "/api"}],
        "paths": {
            "/rates": {
                "get": {
                    "responses": {
                        "201": {"description": "later"},
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {"eur": {"type": "number"}},
                                    },
                                    "examples": {"first": {"value": {"eur": 1.08}}},
                                }
                            },
                        },
                    }
                }
            }
        },
    }
    answer = http.post("/__admin/openapi", json={"spec": spec, "service": "fx"})
    assert answer.status_code == 201, answer.text
    assert http.get("/fx/api/rates").json() == {"eur": 1.08}
    spec["paths"]["/rates"]["get"]["responses"]["200"]["content"]["application/json"][
        "examples"
    ] = {"first": {"value": {"eur": "high"}}}
    refused = http.post("/__admin/openapi", json={"spec": spec})
    assert refused.status_code == 422
    assert "GET /rates 200 example breaks its schema at /eur" in refused.text


@pytest.mark.parametrize(
    ("body", "pointer", "reason"),
    [
        ({}, "/spec", "required"),
        ({"spec": SPEC, "mode": "random"}, "/mode", "examples, generated"),
        ({"spec": SPEC, "validate": "yes"}, "/validate", "true or false"),
        ({"spec": SPEC, "service": "a b"}, "/service", "must match"),
        ({"spec": SPEC, "extra": 1}, "/extra", "unknown field"),
        ({"spec": "openapi: [unclosed"}, "/spec", "not JSON or YAML"),
        ({"spec": [1]}, "/spec", "must be an object"),
        ({"spec": {"swagger": "2.0"}}, "/spec/openapi", "3.0 and 3.1"),
        (
            {"spec": {"openapi": "3.0.0", "info": {}, "paths": {}}},
            "/spec",
            "'title' is a required property",
        ),
    ],
)
def test_a_bad_document_is_refused_with_the_validators_reason_and_adds_nothing(
    http: httpx.Client, body: dict[str, Any], pointer: str, reason: str
) -> None:
    answer = http.post("/__admin/openapi", json=body)
    assert answer.status_code == 422, answer.text
    error = answer.json()["errors"][0]
    assert (error["source"]["pointer"], reason in error["title"]) == (pointer, True), error
    assert http.get("/__admin/mappings").json()["mappings"] == []


def test_import_openapi_writes_a_mapping_file_that_serve_loads(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mockbdd", "import-openapi", str(PETSTORE), "--out", str(tmp_path),
         "--mode", "generated"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    written = tmp_path / "swagger-petstore.json"
    assert len(json.loads(written.read_text())["mappings"]) == 4
    with MockServer(mappings=tmp_path) as server:
        answer = httpx.get(server.url + "/v2/pets/1")
        conforms("GET", "/v2/pets/1", answer)
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: 3.0.0\ninfo: {}\npaths: {}\n")
    refused = subprocess.run(
        [sys.executable, "-m", "mockbdd", "import-openapi", str(bad)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert refused.returncode == 1
    assert "not a valid OpenAPI document: 'title' is a required property" in refused.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "mockbdd", "import-openapi", str(tmp_path / "none.yaml")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert missing.returncode == 2


def test_validating_mode_refuses_stubs_whose_answers_break_the_spec(http: httpx.Client) -> None:
    imported(http, validate=True)

    def stub(url: str, response: dict[str, Any], method: str = "GET") -> httpx.Response:
        return http.post(
            "/__admin/mappings",
            json={"request": {"method": method, "urlPath": url}, "response": response},
        )

    bad = stub("/v2/pets/7", {"status": 200, "jsonBody": {"id": "seven", "name": "Rex"}})
    assert bad.status_code == 422
    error = bad.json()["errors"][0]
    assert error["source"]["pointer"] == "/response"
    assert "GET /pets/{id}: the 200 body breaks its schema at /id" in error["title"]
    assert "'Swagger Petstore'" in error["title"]
    text = stub("/v2/pets", {"status": 200, "body": '[{"name": 1, "id": 1}]'})
    assert "at /0/name" in text.json()["errors"][0]["title"]
    assert (
        stub("/v2/pets/7", {"status": 200, "jsonBody": {"id": 7, "name": "Rex"}}).status_code == 201
    )
    assert (
        stub("/v2/pets/7", {"status": 500, "jsonBody": {"code": 1, "message": "x"}}).status_code
        == 201
    )
    assert (
        stub("/v2/pets/7", {"status": 404, "body": "not json"}).status_code == 201
    )  # default, not JSON
    assert stub("/v2/pets/7", {"status": 200, "fault": "EMPTY_RESPONSE"}).status_code == 201
    assert stub("/elsewhere", {"status": 200, "jsonBody": 1}).status_code == 201
    assert stub("/v2/pets/7", {"status": 204}, "DELETE").status_code == 201
    imports = http.post("/__admin/mappings/import", json={"mappings": [
        {"request": {"method": "GET", "urlPath": "/v2/pets"}, "response": {"status": 200, "jsonBody": {}}}
    ]})  # fmt: skip
    assert imports.status_code == 422
    assert imports.json()["errors"][0]["source"]["pointer"] == "/mappings/0/response"
    created = http.post("/__admin/mappings", json={
        "request": {"method": "GET", "urlPath": "/v2/pets"}, "response": {"status": 200, "jsonBody": []}
    }).json()  # fmt: skip
    edited = http.put(f"/__admin/mappings/{created['id']}", json={
        "request": {"method": "GET", "urlPath": "/v2/pets"}, "response": {"status": 200, "jsonBody": [{}]}
    })  # fmt: skip
    assert edited.status_code == 422
    assert "'name' is a required property" in edited.text
