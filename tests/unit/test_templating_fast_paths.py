"""The response-template path's per-request shortcuts answer what the general code answers:
the cheap copy of a definition equals ``dataclasses.replace``, and the value types' own
lookups (``__mb_lookup__``) resolve paths as the generic Mapping/sequence steps do."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from mockbdd.domain.requests import Body, RecordedRequest
from mockbdd.domain.responses import ResponseDefinition, ServeContext
from mockbdd.templating.handlebars import Compiler
from mockbdd.templating.model import RequestModel
from mockbdd.templating.transformers import _evolve
from mockbdd.templating.values import LazyValues, ListOrSingle, PathSegments
from mockbdd.templating.wiremock_helpers import helpers


def test_evolve_equals_replace_field_for_field() -> None:
    base = ResponseDefinition(
        201, "Made", (("A", "b"),), b"x", transformers=(("response-template", {}),)
    )
    changes: dict[str, Any] = {"body": b"y", "headers": (("C", "d"),), "body_file_name": "f"}
    made, replaced = _evolve(base, changes), dataclasses.replace(base, **changes)
    for field in dataclasses.fields(ResponseDefinition):
        assert getattr(made, field.name) == getattr(replaced, field.name), field.name
    assert made.is_static is False
    assert _evolve(base, {}) == base


def _request() -> RecordedRequest:
    return RecordedRequest(
        "GET",
        "/users/7/items?q=a&q=b",
        "/users/7/items",
        {"q": ["a", "b"]},
        {"user-agent": ["wrk"], "x-n": ["1", "2"]},
        Body(b""),
        header_names={"user-agent": "User-Agent", "x-n": "X-N"},
    )


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{request.path.[0]}}/{{request.path.[1]}}/{{request.path.[9]}}", "users/7/"),
        ("{{request.path.id}}|{{request.path.nope}}", "7|"),
        ("{{request.pathSegments.[2]}}", "items"),
        ("{{request.query.q}} {{request.query.q.[1]}} {{request.query.q.last}}", "a b b"),
        ("{{request.query.q.first}}{{request.query.none}}{{request.query.q.[5]}}", "a"),
        ("{{request.headers.USER-AGENT}} {{request.headers.x-n.[1]}}", "wrk 2"),
        ("{{#each request.headers}}{{@key}};{{/each}}", "User-Agent;X-N;"),
        ("{{request.nope}}{{request.[0]}}{{request.method}}", "GET"),
        ("{{#each request.path}}{{this}},{{/each}}", "users,7,items,"),
        ("{{#with request}}{{path.id}}{{/with}}", "7"),
        ("{{size request.query.q}}", "2"),
    ],
)
def test_request_model_lookups(template: str, expected: str) -> None:
    context = ServeContext("default", "e", 1, None, {"id": "7"}, {})
    model = {"request": RequestModel(_request(), context)}
    assert Compiler(helpers()).compile(template).render(model) == expected


def test_value_lookups_match_the_generic_steps() -> None:
    values = ListOrSingle(["a", "b"])
    assert [values.__mb_lookup__(k) for k in (0, 1, 2, "first", "last", "x")] == [
        "a", "b", None, "a", "b", None,
    ]  # fmt: skip
    path = PathSegments("/a/b", {"id": "b"})
    assert [path.__mb_lookup__(k) for k in (0, 5, "id", "x")] == ["a", None, "b", None]
    lazy = LazyValues({"k": ["v"]})
    assert lazy.__mb_lookup__("k") == ("v",)
    assert lazy.__mb_lookup__("z") is None
