"""``jsonBodyFromSchema``: a JSON Schema answered with valid data made with Faker, the same
for the same seed (``--seed``, the namespace and the request's number), different per request
without one. The schema is checked when the stub is created; generation never reaches outside
the schema (only local ``#/...`` references)."""

from __future__ import annotations

import json
import random
import string
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import (
    ResponseDefinition,
    ServeContext,
    TransformContext,
)

NAME = "json-body-from-schema"
MAX_DEPTH = 8  # recursive schemas stop here (optional members left out, arrays emptied)
MAX_ITEMS = 5

# a property's name suggests its Faker provider (lower-cased, without _ and -)
_BY_NAME: dict[str, str] = {
    "name": "name",
    "fullname": "name",
    "firstname": "first_name",
    "lastname": "last_name",
    "username": "user_name",
    "email": "email",
    "phone": "phone_number",
    "city": "city",
    "country": "country",
    "street": "street_address",
    "address": "address",
    "zip": "postcode",
    "postcode": "postcode",
    "company": "company",
    "title": "job",
    "description": "sentence",
    "url": "url",
    "website": "url",
    "color": "color_name",
    "currency": "currency_code",
    "iban": "iban",
}
_BY_FORMAT: dict[str, Callable[[Any, random.Random], str]] = {
    "email": lambda f, r: f.email(),
    "uuid": lambda f, r: f.uuid4(),
    "date-time": lambda f, r: _moment(r).isoformat().replace("+00:00", "Z"),
    "date": lambda f, r: _moment(r).date().isoformat(),
    "time": lambda f, r: _moment(r).time().isoformat(),
    "uri": lambda f, r: f.url(),
    "url": lambda f, r: f.url(),
    "hostname": lambda f, r: f.domain_name(),
    "ipv4": lambda f, r: f.ipv4(),
    "ipv6": lambda f, r: f.ipv6(),
}


def _moment(rng: random.Random) -> datetime:
    start = datetime(2020, 1, 1, tzinfo=timezone.utc)
    return start + timedelta(seconds=rng.randrange(0, 6 * 365 * 86400))


class Generator:
    def __init__(self, root: Mapping[str, Any], faker: Any, rng: random.Random) -> None:
        self.root = root
        self.faker = faker
        self.rng = rng

    def value(self, schema: Any, depth: int = 0, name: str = "") -> Any:
        if schema is True or not isinstance(schema, Mapping):
            return self.faker.word()
        if "$ref" in schema:
            return self.value(resolve(self.root, schema["$ref"]), depth + 1, name)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return self.rng.choice(list(schema["enum"]))
        if schema.get("examples"):
            return schema["examples"][0]
        if "example" in schema:
            return schema["example"]
        for key in ("oneOf", "anyOf"):
            if key in schema:
                return self.value(schema[key][0], depth + 1, name)
        if "allOf" in schema:
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                part = resolve(self.root, part["$ref"]) if "$ref" in part else part
                for k, v in part.items():
                    if k in ("properties",) and k in merged:
                        merged[k] = {**merged[k], **v}
                    elif k == "required" and k in merged:
                        merged[k] = [*merged[k], *v]
                    else:
                        merged[k] = v
            return self.value(merged, depth + 1, name)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind is None:
            kind = (
                "object" if "properties" in schema else "array" if "items" in schema else "string"
            )
        return getattr(self, f"_{kind}", self._string)(schema, depth, name)

    def _object(self, schema: Mapping[str, Any], depth: int, name: str) -> dict[str, Any]:
        required = set(schema.get("required", ()))
        out: dict[str, Any] = {}
        for key, sub in (schema.get("properties") or {}).items():
            if depth >= MAX_DEPTH and key not in required:
                continue
            out[key] = self.value(sub, depth + 1, key)
        return out

    def _array(self, schema: Mapping[str, Any], depth: int, name: str) -> list[Any]:
        low = int(schema.get("minItems", 1))
        high = max(low, min(int(schema.get("maxItems", MAX_ITEMS)), low + MAX_ITEMS))
        count = low if depth >= MAX_DEPTH else self.rng.randint(low, high)
        items = schema.get("items", {})
        values = [self.value(items, depth + 1, name) for _ in range(count)]
        if schema.get("uniqueItems"):
            unique: list[Any] = []
            for v in values:
                if v not in unique:
                    unique.append(v)
            values = unique
        return values

    def _string(self, schema: Mapping[str, Any], depth: int, name: str) -> str:
        fmt = schema.get("format")
        if fmt in _BY_FORMAT:
            return _BY_FORMAT[fmt](self.faker, self.rng)
        provider = _BY_NAME.get(name.lower().replace("_", "").replace("-", ""))
        text = str(getattr(self.faker, provider)()) if provider else self.faker.word()
        low, high = int(schema.get("minLength", 0)), schema.get("maxLength")
        while len(text) < low:
            text += self.rng.choice(string.ascii_lowercase)
        return text if high is None else text[: int(high)]

    def _number(self, schema: Mapping[str, Any], depth: int, name: str) -> float:
        low, high = _bounds(schema, 0, 1000)
        return round(self.rng.uniform(low, high), 2)

    def _integer(self, schema: Mapping[str, Any], depth: int, name: str) -> int:
        low, high = _bounds(schema, 1, 1000)
        value = self.rng.randint(int(low), int(high))
        step = schema.get("multipleOf")
        if isinstance(step, int) and step > 0:
            value -= value % step
        return value

    def _boolean(self, schema: Mapping[str, Any], depth: int, name: str) -> bool:
        return self.rng.random() < 0.5

    def _null(self, schema: Mapping[str, Any], depth: int, name: str) -> None:
        return None


def _bounds(schema: Mapping[str, Any], low: float, high: float) -> tuple[float, float]:
    lo = schema.get("minimum", low)
    hi = schema.get("maximum", max(high, lo))
    if "exclusiveMinimum" in schema and isinstance(schema["exclusiveMinimum"], (int, float)):
        lo = schema["exclusiveMinimum"] + 1
    if "exclusiveMaximum" in schema and isinstance(schema["exclusiveMaximum"], (int, float)):
        hi = schema["exclusiveMaximum"] - 1
    return lo, max(lo, hi)


def resolve(root: Mapping[str, Any], ref: Any) -> Any:
    if not isinstance(ref, str) or not ref.startswith("#"):
        raise ValueError(f"$ref {ref!r}: only references inside the schema ('#/...') are followed")
    node: Any = root
    for part in ref[1:].split("/")[1:] if ref != "#" else []:
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, Mapping) or part not in node:
            raise ValueError(f"$ref {ref!r} does not point into the schema")
        node = node[part]
    return node


def check(schema: Any) -> None:
    """Refuse what cannot generate: not a schema, or a reference that leads nowhere."""
    import jsonschema

    if not isinstance(schema, Mapping):
        raise ValueError("give a JSON Schema object")
    try:
        jsonschema.validators.validator_for(schema).check_schema(dict(schema))
    except jsonschema.SchemaError as exc:
        raise ValueError(f"not a valid JSON Schema: {exc.message}") from None

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            if "$ref" in node:
                resolve(schema, node["$ref"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(schema)


class JsonBodyFromSchema:
    """Registered as a transformer: the wire decoder adds it for ``jsonBodyFromSchema``."""

    def __init__(self) -> None:
        self._faker: Any = None

    def check(self, parameters: Mapping[str, Any]) -> None:
        from mockbdd.domain.frozen import thaw

        check(thaw(parameters.get("schema")))

    def transform(
        self,
        response: ResponseDefinition,
        request: RecordedRequest,
        parameters: Mapping[str, Any],
        context: TransformContext,
    ) -> ResponseDefinition:  # pragma: no cover - rendered through prepare/render
        raise TypeError("jsonBodyFromSchema is rendered through prepare/render")

    def prepare(self, response: ResponseDefinition, parameters: Mapping[str, Any]) -> object:
        from mockbdd.domain.frozen import thaw

        schema = thaw(parameters.get("schema"))
        self.faker()  # Faker loads in about a second: at stub creation, not mid-request
        return schema

    def faker(self) -> Any:
        if self._faker is None:
            from faker import Faker

            self._faker = Faker()
        return self._faker

    def render(
        self,
        prepared: object,
        response: ResponseDefinition,
        request: RecordedRequest,
        parameters: Mapping[str, Any],
        context: ServeContext,
    ) -> ResponseDefinition:
        import dataclasses

        from mockbdd.templating.jinja import _seed

        assert isinstance(prepared, Mapping)
        value = generate(prepared, self.faker(), _seed(context))
        return dataclasses.replace(response, body=body_bytes(value))


def generate(schema: Mapping[str, Any], faker: Any, seed: int) -> Any:
    rng = random.Random(seed)
    faker.seed_instance(seed)
    return Generator(schema, faker, rng).value(schema)


def body_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
