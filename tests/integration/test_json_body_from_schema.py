"""``jsonBodyFromSchema``: valid data made with Faker, the same for the same seed, a schema
that cannot generate refused at creation."""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema
import pytest

from mockbdd.server.embedded import MockServer

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "email", "owner"],
    "properties": {
        "id": {"type": "integer", "minimum": 1, "maximum": 100},
        "email": {"type": "string", "format": "email"},
        "name": {"type": "string", "minLength": 2, "maxLength": 40},
        "price": {"type": "number", "minimum": 0, "maximum": 10},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 3},
        "status": {"enum": ["new", "done"]},
        "active": {"type": "boolean"},
        "created": {"type": "string", "format": "date-time"},
        "owner": {"$ref": "#/$defs/user"},
    },
    "$defs": {
        "user": {
            "type": "object",
            "required": ["id"],
            "properties": {"id": {"type": "string", "format": "uuid"}},
        }
    },
}


def _bodies(seed: int | None) -> list[Any]:
    with MockServer(seed=seed) as server, httpx.Client(base_url=server.url, timeout=10) as http:
        stub = {
            "request": {"url": "/thing"},
            "response": {"status": 200, "jsonBodyFromSchema": SCHEMA},
        }
        assert http.post("/__admin/mappings", json=stub).status_code == 201
        answers = [http.get("/thing") for _ in range(3)]
    assert all(a.headers["Content-Type"] == "application/json" for a in answers)
    return [a.json() for a in answers]


def test_bodies_are_valid_and_the_same_for_the_same_seed() -> None:
    first = _bodies(11)
    for body in first:
        jsonschema.validate(body, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert first == _bodies(11)
    assert first != _bodies(12)
    assert len({str(b) for b in first}) == 3  # each request its own data


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        ({"type": "nonsense"}, "not a valid JSON Schema"),
        ({"$ref": "#/components/schemas/Pet"}, "does not point into the schema"),
        (
            {"properties": {"a": {"$ref": "https://example.com/s.json"}}},
            "only references inside the schema",
        ),
    ],
)
def test_a_schema_that_cannot_generate_is_refused(schema: dict[str, Any], reason: str) -> None:
    with MockServer() as server, httpx.Client(base_url=server.url, timeout=10) as http:
        refused = http.post(
            "/__admin/mappings",
            json={"request": {"url": "/x"}, "response": {"jsonBodyFromSchema": schema}},
        )
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert error["source"]["pointer"] == "/response/jsonBodyFromSchema"
    assert reason in error["title"]


def test_only_one_body_field() -> None:
    with MockServer() as server, httpx.Client(base_url=server.url, timeout=10) as http:
        refused = http.post(
            "/__admin/mappings",
            json={
                "request": {"url": "/x"},
                "response": {"body": "a", "jsonBodyFromSchema": {"type": "object"}},
            },
        )
    assert refused.status_code == 422
    assert "give only one body field" in refused.json()["errors"][0]["title"]
