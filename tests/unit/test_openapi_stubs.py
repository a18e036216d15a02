"""Values made from schemas (OpenAPI ``generated`` mode), and validators on a namespace."""

from __future__ import annotations

from typing import Any

import pytest

from mockbdd.domain.namespace import Namespace
from mockbdd.openapi.document import Document
from mockbdd.openapi.stubs import generate, stubs_for
from mockbdd.openapi.validation import OpenApiValidator


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        ({"type": "string", "format": "uuid"}, "00000000-0000-4000-8000-000000000000"),
        ({"type": "string", "minLength": 8}, "stringxx"),
        ({"type": "integer", "minimum": 5, "exclusiveMinimum": True}, 6),
        ({"type": "number", "minimum": 1.5}, 1.5),
        ({"type": "boolean"}, True),
        ({"type": ["null", "integer"]}, 0),
        ({"type": "null"}, None),
        ({"enum": ["b", "a"]}, "b"),
        ({"default": 3, "type": "integer"}, 3),
        ({"const": "k"}, "k"),
        ({"oneOf": [{"type": "integer"}, {"type": "string"}]}, 0),
        ({"items": {"type": "integer"}, "minItems": 2}, [0, 0]),
        ({"properties": {"a": {"type": "string"}}}, {"a": "string"}),
        ({"allOf": [{"properties": {"a": {"type": "integer"}}, "required": ["a"]},
                    {"properties": {"b": {"type": "boolean"}}, "required": ["b"]}]},
         {"a": 0, "b": True}),
        ({}, None),
        ("not a schema", None),
    ],
)  # fmt: skip
def test_generated_values(schema: Any, value: Any) -> None:
    assert generate(schema) == value


SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Plain", "version": "1"},
    "paths": {
        "/text": {
            "parameters": [],
            "get": {
                "responses": {
                    "2XX": {"description": "ok", "content": {"text/plain": {"example": "hi"}}}
                }
            },
            "post": {"responses": {"default": {"description": "whatever"}}},
        },
        "/number": {
            "get": {
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"text/plain": {"schema": {"type": "integer", "example": 4}}},
                    }
                }
            }
        },
        "/node": {
            "get": {
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Node"}}
                        },
                    }
                }
            }
        },
    },
    "components": {
        "schemas": {
            "Node": {
                "type": "object",
                "properties": {
                    "next": {"$ref": "#/components/schemas/Node"},
                    "n": {"type": "integer"},
                },
            }
        }
    },
}


def test_stub_shapes_for_text_defaults_and_recursive_schemas() -> None:
    stubs = {
        (s["request"]["method"], s["request"]["urlPathTemplate"]): s
        for s in stubs_for(Document(SPEC))
    }
    text = stubs[("GET", "/text")]["response"]
    assert (text["status"], text["body"], text["headers"]) == (
        200,
        "hi",
        {"Content-Type": "text/plain"},
    )
    assert stubs[("POST", "/text")]["response"] == {"status": 200}
    assert stubs[("GET", "/number")]["response"]["body"] == "4"
    node = stubs[("GET", "/node")]["response"]["jsonBody"]
    depth = 0
    while isinstance(node, dict) and "next" in node:
        node, depth = node["next"], depth + 1
    assert 3 < depth < 20  # cut, not endless
    assert Document({**SPEC, "servers": [{"url": "/base/"}]}).base_path == "/base"
    assert Document({**SPEC, "servers": []}).base_path == ""


def test_a_namespace_keeps_one_validator_per_document() -> None:
    ns = Namespace("n")
    before = ns.revision
    ns.add_validator(OpenApiValidator(Document(SPEC)))
    ns.add_validator(OpenApiValidator(Document(SPEC), "/svc"))
    assert [v.name for v in ns.validators] == ["Plain"]
    assert ns.revision == before + 2
