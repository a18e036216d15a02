"""Validating mode refuses stubs whose answers break the document beyond JSON bodies, checked
by openapi-core over real sockets: a text body against its string schema, a URL-encoded form
against its object schema, a Content-Type the response does not declare, a required response
header missing or out of its schema. A refused stub changes nothing; a conforming one serves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockbdd.server.embedded import MockServer

TEXT = {"type": "string", "maxLength": 5}
SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Answers", "version": "1"},
    "servers": [{"url": "https://api.example/v1"}],
    "paths": {
        "/greeting/{id}": {
            "get": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "responses": {
                    "200": {
                        "description": "a short greeting, rate-limited",
                        "headers": {
                            "X-Rate-Remaining": {
                                "required": True,
                                "schema": {"type": "integer", "maximum": 100},
                            }
                        },
                        "content": {"text/plain": {"schema": TEXT}},
                    }
                },
            }
        },
        "/colour": {
            "get": {
                "responses": {
                    "200": {
                        "description": "one colour",
                        "content": {
                            "text/plain": {"schema": {"type": "string", "enum": ["red", "blue"]}}
                        },
                    }
                }
            }
        },
        "/token": {
            "post": {
                "responses": {
                    "200": {
                        "description": "an OAuth-style form answer",
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {
                                    "type": "object",
                                    "required": ["access_token", "expires_in"],
                                    "properties": {
                                        "access_token": {"type": "string", "minLength": 4},
                                        "expires_in": {"type": "integer"},
                                    },
                                }
                            }
                        },
                    }
                }
            }
        },
    },
}
RATE = {"X-Rate-Remaining": "7"}


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with MockServer() as server, httpx.Client(base_url=server.url, timeout=10) as client:
        answer = client.post("/__admin/openapi", json={"spec": SPEC, "validate": True})
        assert answer.status_code == 201, answer.text
        client.post("/__admin/mappings/reset")  # only the validator stays: no generated stubs
        yield client


def _stub(http: httpx.Client, method: str, url: str, response: dict[str, Any]) -> httpx.Response:
    stub = {"request": {"method": method, "urlPath": url}, "response": response}
    return http.post("/__admin/mappings", json=stub)


def _text(body: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    given = {"Content-Type": "text/plain", **RATE} if headers is None else headers
    return {"status": 200, "body": body, "headers": given}


@pytest.mark.parametrize(
    ("method", "url", "response", "reason"),
    [
        (
            "GET",
            "/v1/greeting/1",
            _text("hello there"),
            "GET /greeting/{id}: the 200 body breaks its schema at /: 'hello there' is too long",
        ),
        (
            "GET",
            "/v1/colour",
            {"status": 200, "body": "green", "headers": {"Content-Type": "text/plain"}},
            "GET /colour: the 200 body breaks its schema at /: "
            "'green' is not one of ['red', 'blue']",
        ),
        (
            "GET",
            "/v1/greeting/1",
            {"status": 200, "jsonBody": "hi", "headers": RATE},  # served as application/json
            "GET /greeting/{id}: the 200 answer's Content-Type application/json is not one of "
            "its media types (text/plain)",
        ),
        (
            "GET",
            "/v1/greeting/1",
            _text("hi", {"Content-Type": "text/html; charset=utf-8", **RATE}),
            "GET /greeting/{id}: the 200 answer's Content-Type text/html; charset=utf-8 is not "
            "one of its media types (text/plain)",
        ),
        (
            "GET",
            "/v1/greeting/1",
            _text("hi", {"Content-Type": "text/plain"}),
            "GET /greeting/{id}: the 200 answer lacks its required header X-Rate-Remaining",
        ),
        (
            "GET",
            "/v1/greeting/1",
            _text("hi", {"Content-Type": "text/plain", "X-Rate-Remaining": "1000"}),
            "GET /greeting/{id}: the 200 header X-Rate-Remaining breaks its schema: "
            "1000 is greater than the maximum of 100",
        ),
        (
            "GET",
            "/v1/greeting/1",
            _text("hi", {"Content-Type": "text/plain", "X-Rate-Remaining": "lots"}),
            "GET /greeting/{id}: the 200 header X-Rate-Remaining cannot be read as its schema "
            "says: Failed to cast value to integer type: lots",
        ),
        (
            "POST",
            "/v1/token",
            {
                "status": 200,
                "body": "access_token=abc&expires_in=60",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
            "POST /token: the 200 body breaks its schema at /access_token: 'abc' is too short",
        ),
        (
            "POST",
            "/v1/token",
            {
                "status": 200,
                "body": "access_token=abcd",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
            "POST /token: the 200 body breaks its schema at /expires_in: "
            "'expires_in' is a required property",
        ),
        (
            "POST",
            "/v1/token",
            {
                "status": 200,
                "body": "access_token=abcd&expires_in=soon",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
            "POST /token: the 200 body cannot be read as application/x-www-form-urlencoded at "
            "/expires_in: Failed to cast value to integer type: soon",
        ),
    ],
)
def test_an_answer_that_breaks_the_document_is_refused_naming_what_and_why(
    http: httpx.Client, method: str, url: str, response: dict[str, Any], reason: str
) -> None:
    refused = _stub(http, method, url, response)
    assert refused.status_code == 422, refused.text
    error = refused.json()["errors"][0]
    assert error["source"]["pointer"] == "/response"
    assert error["title"] == f"{reason} (OpenAPI document 'Answers')"
    assert http.get("/__admin/mappings").json()["meta"]["total"] == 0  # nothing half-applied


def test_conforming_answers_are_stored_and_served(http: httpx.Client) -> None:
    stubs = [
        ("GET", "/v1/greeting/1", _text("hi")),
        (
            "GET",
            "/v1/greeting/2",
            _text("hey", {"content-type": "text/plain; charset=utf-8", "x-rate-remaining": "0"}),
        ),
        (
            "GET",
            "/v1/colour",
            {"status": 200, "body": "blue", "headers": {"Content-Type": "text/plain"}},
        ),
        (
            "POST",
            "/v1/token",
            {
                "status": 200,
                "body": "access_token=abcd&expires_in=60",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
        ),
        # no Content-Type and not JSON: served as octet-stream, its body not checked
        ("GET", "/v1/colour", {"status": 200, "body": "anything"}),
    ]
    for method, url, response in stubs:
        created = _stub(http, method, url, response)
        assert created.status_code == 201, created.text
    answer = http.get("/v1/greeting/2")
    assert (answer.status_code, answer.text) == (200, "hey")
    assert answer.headers["x-rate-remaining"] == "0"
    token = http.post("/v1/token")
    assert token.text == "access_token=abcd&expires_in=60"


def test_an_import_with_one_breaking_answer_adds_none_of_them(http: httpx.Client) -> None:
    mappings = [
        {
            "request": {"method": "GET", "urlPath": "/v1/colour"},
            "response": {"status": 200, "body": "red", "headers": {"Content-Type": "text/plain"}},
        },
        {
            "request": {"method": "GET", "urlPath": "/v1/greeting/1"},
            "response": _text("hi", {"Content-Type": "text/plain"}),
        },
    ]
    refused = http.post("/__admin/mappings/import", json={"mappings": mappings})
    assert refused.status_code == 422, refused.text
    error = refused.json()["errors"][0]
    assert error["source"]["pointer"] == "/mappings/1/response"
    assert "lacks its required header X-Rate-Remaining" in error["title"]
    assert http.get("/__admin/mappings").json()["meta"]["total"] == 0
    assert http.get("/v1/colour").status_code == 404
