"""Stub mappings for every operation of an OpenAPI document (DESIGN §13): each at the spec's
path (``urlPathTemplate``) under the path of its first ``servers`` URL, answering the lowest 2xx
response the spec defines, with its example (``examples`` mode, the default) or a value made
from the schema (``generated``: the same value every time). Examples are checked against their
schema: an example that breaks it refuses the import with the reason."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockbdd.domain.errors import InvalidInput
from mockbdd.openapi.document import Document, Operation

MODES = ("examples", "generated")
_FORMATS = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00Z",
    "email": "user@example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "byte": "AA==",
}


def stubs_for(document: Document, mode: str = "examples") -> list[dict[str, Any]]:
    if mode not in MODES:
        raise InvalidInput("/mode", f"must be one of {', '.join(MODES)}")
    return [_stub(document, op, mode) for op in document.operations()]


def _stub(document: Document, op: Operation, mode: str) -> dict[str, Any]:
    status, response = _success(op)
    answer: dict[str, Any] = {"status": status}
    content = response.get("content") if isinstance(response, dict) else None
    if isinstance(content, dict) and content:
        media = next((m for m in content if "json" in m), next(iter(content)))
        entry = document.resolve(content[media]) if isinstance(content[media], dict) else {}
        schema = entry.get("schema") or {}
        value, found = _example(entry, schema) if mode == "examples" else (None, False)
        if found:
            _check(document, schema, value, f"{op.method.upper()} {op.path} {status} example")
        else:
            value = generate(schema)
        if "json" in media:
            answer["jsonBody"] = value
        else:
            answer["body"] = value if isinstance(value, str) else str(value)
        answer["headers"] = {"Content-Type": media}
    return {
        "name": op.name,
        "request": {"method": op.method.upper(), "urlPathTemplate": document.base_path + op.path},
        "response": answer,
        "metadata": {"mockbdd": {"openapi": {"title": document.title, "operation": op.name}}},
    }


def _success(op: Operation) -> tuple[int, Any]:
    """The lowest 2xx response (``2XX`` counts as 200); 200 with no body when none."""
    responses = op.spec.get("responses") or {}
    codes = []
    for key, value in responses.items():
        text = str(key).upper()
        if text == "2XX":
            codes.append((200, value))
        elif text.isdigit() and 200 <= int(text) < 300:
            codes.append((int(text), value))
    return min(codes, key=lambda c: c[0]) if codes else (200, {})


def _example(entry: Mapping[str, Any], schema: Mapping[str, Any]) -> tuple[Any, bool]:
    if "example" in entry:
        return entry["example"], True
    examples = entry.get("examples")
    if isinstance(examples, dict) and examples:
        first = next(iter(examples.values()))
        if isinstance(first, dict) and "value" in first:
            return first["value"], True
    if isinstance(schema, dict) and "example" in schema:
        return schema["example"], True
    return None, False


def _check(document: Document, schema: Any, value: Any, where: str) -> None:
    if not isinstance(schema, dict) or not schema:
        return
    from openapi_schema_validator import OAS30Validator, OAS31Validator

    cls = OAS31Validator if document.version.startswith("3.1") else OAS30Validator
    errors = sorted(cls(schema).iter_errors(value), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        pointer = "".join(f"/{p}" for p in first.absolute_path) or "/"
        raise InvalidInput("/spec", f"the {where} breaks its schema at {pointer}: {first.message}")


def generate(schema: Any, depth: int = 0) -> Any:
    """A value valid for ``schema`` (refs already resolved), the same every time."""
    if not isinstance(schema, dict) or depth > 16:
        return None
    for key in ("example", "default", "const"):
        if key in schema:
            return schema[key]
    if schema.get("enum"):
        return schema["enum"][0]
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            if isinstance(part, dict):
                merged = _merge(merged, part)
        rest = {k: v for k, v in schema.items() if k != "allOf"}
        return generate(_merge(merged, rest), depth + 1)
    for key in ("oneOf", "anyOf"):
        if schema.get(key):
            return generate(schema[key][0], depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):  # 3.1: ["string", "null"]
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else None
    if kind == "object":
        props = schema.get("properties") or {}
        return {name: generate(sub, depth + 1) for name, sub in props.items()}
    if kind == "array":
        count = max(1, int(schema.get("minItems", 1)))
        return [generate(schema.get("items") or {}, depth + 1) for _ in range(count)]
    if kind == "integer":
        return int(schema.get("minimum", 0)) + (1 if schema.get("exclusiveMinimum") is True else 0)
    if kind == "number":
        return float(schema.get("minimum", 0))
    if kind == "boolean":
        return True
    if kind == "string":
        text = _FORMATS.get(str(schema.get("format")), "string")
        return text + "x" * max(0, int(schema.get("minLength", 0)) - len(text))
    return None


def _merge(a: dict[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for key, value in b.items():
        if key == "properties" and isinstance(value, dict):
            out["properties"] = {**out.get("properties", {}), **value}
        elif key == "required" and isinstance(value, list):
            out["required"] = [*out.get("required", []), *value]
        else:
            out.setdefault(key, value)
    return out
