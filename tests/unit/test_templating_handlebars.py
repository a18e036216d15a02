"""The Handlebars engine behind ``response-template``: WireMock's dialect, compiled once,
rendering plain data only (sandbox), cut off at its caps."""

from __future__ import annotations

from typing import Any

import pytest

from mockbdd.templating import TemplateError
from mockbdd.templating import handlebars as hb
from mockbdd.templating.handlebars import Compiler, java_double, to_text
from mockbdd.templating.values import CaseInsensitive, JsonList, JsonMap, ListOrSingle, PathSegments
from mockbdd.templating.wiremock_helpers import helpers

COMPILER = Compiler(helpers())


def render(source: str, **context: Any) -> str:
    return COMPILER.compile(source).render(context)


REQUEST = {
    "path": PathSegments("/users/42", {"id": "42"}),
    "query": {"a": ListOrSingle(["1"]), "b": ListOrSingle(["x", "y"])},
    "headers": CaseInsensitive({"X-Thing": ListOrSingle(["v"])}),
    "body": '{"items":[{"id":1,"name":"a"},{"id":2,"name":"b"}],"user":{"name":"Ada"}}',
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{request.path}}|{{request.path.[1]}}|{{request.path.id}}", "/users/42|42|42"),
        ("{{request.query.a}}{{request.query.b}}{{request.query.b.[1]}}", "1xy"),
        ("{{request.headers.x-thing}}{{request.headers.[X-THING]}}", "vv"),
        (
            "{{#each (jsonPath request.body '$.items') as |item i|}}{{i}}{{item.name}}{{/each}}",
            "0a1b",
        ),
        (
            "{{#each (jsonPath request.body '$.items')}}{{@index}}{{name}}{{#if @last}}!{{/if}}{{/each}}",
            "0a1b!",
        ),
        ("{{#with (parseJson request.body)}}{{user.name}}{{/with}}", "Ada"),
        ("{{#if (eq 1 2)}}a{{else if (eq 2 2)}}b{{else}}c{{/if}}", "b"),
        ("{{#unless false}}u{{/unless}}{{^if false}}i{{/if}}", "ui"),
        ("{{#assign 'x'}}Hi{{/assign}}{{x}}-{{val missing or='d'}}", "Hi-d"),
        ("{{{jsonPath request.body '$.user'}}}", '{\n  "name" : "Ada"\n}'),
        ("{{jsonPath request.body '$.items[*].id'}}", "[1,2]"),
        (
            "{{math 10 '/' 4}} {{math 10.0 '/' 4}} {{math 7 '%' 3}} {{math 0.1 '+' 0.2}}",
            "3 2.5 1 0.3",
        ),
        ("{{range 1 3}}{{size 'abc'}}{{array 1 'b'}}", "[1, 2, 3]3[1, b]"),
        ("{{arrayJoin ',' (array 'a' 'b') prefix='(' suffix=')'}}", "(a,b)"),
        (
            "{{date (parseDate '2024-03-15T10:20:30Z') offset='1 months' format='yyyy-MM-dd'}}",
            "2024-04-15",
        ),
        ("{{parseDate '2024-03-15T10:20:30+01:00'}}", "2024-03-15T09:20:30Z"),
        ("{{regexExtract 'abc-123' '([a-z]+)-([0-9]+)' 'p'}}{{p.1}}", "123"),
        ("{{base64 'hi'}}{{urlEncode 'a b'}}{{upper 'x'}}{{capitalize 'ab cd'}}", "aGk=a+bXAb Cd"),
        ("{{lookup request.query 'a'}}{{lookup request.path 0}}", "1users"),
        ("a{{! note }}b{{!-- }} --}}c", "abc"),
        ("{{#each (range 1 2)}}{{../request.path.id}}{{/each}}", "4242"),
    ],
)
def test_wiremock_dialect(source: str, expected: str) -> None:
    assert render(source, request=REQUEST) == expected


@pytest.mark.parametrize(
    "source",
    [
        "{{request.__class__}}",
        "{{request.__class__.__mro__}}",
        "{{request.body.__class__}}",
        "{{request.body.upper}}",
        "{{request.path.__init__.__globals__}}",
        "{{lookup request '__class__'}}",
        "{{#with request}}{{__dict__}}{{/with}}",
        "{{request.query.keys}}",
        "{{@root.__class__}}",
    ],
)
def test_templates_see_data_never_python_objects(source: str) -> None:
    assert render(source, request=REQUEST) == ""


def test_to_text_renders_unknown_objects_as_nothing() -> None:
    assert to_text(object()) == ""
    assert to_text(render) == ""


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("{{#each x}}", "{{#each}} is not closed"),
        ("a\nb {{#if x}}{{/each}}", "{{#if}} (line 2) is closed by {{/each}}"),
        ("{{nohelper 1 2}}", "no helper named 'nohelper'"),
        ("{{> partial}}", "partials ('{{>') are not supported"),
        ("{{x", "a '{{' is not closed with '}}'"),
        ("{{/if}}", "without an open block"),
        ("{{upper (lower 'a'}}", "not closed with ')'"),
    ],
)
def test_a_template_that_does_not_compile_names_line_and_reason(source: str, reason: str) -> None:
    with pytest.raises(TemplateError) as caught:
        COMPILER.compile(source, "body")
    assert reason in str(caught.value)
    assert caught.value.line >= 1
    assert str(caught.value).startswith(f"body:line {caught.value.line}: ")


def test_a_huge_range_is_refused_at_render() -> None:
    with pytest.raises(TemplateError, match="a range of more than"):
        render("{{range 1 100000000}}")


def test_output_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hb, "MAX_OUTPUT_CHARS", 1000)
    with pytest.raises(hb.RenderLimit, match="output grew past 1000"):
        render("{{#each (range 1 5000)}}{{#each (range 1 50)}}xx{{/each}}{{/each}}")


def test_render_time_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hb, "MAX_RENDER_SECONDS", 0.0)
    with pytest.raises(hb.RenderLimit, match="the render took longer"):
        render("{{#each (range 1 50000)}}{{upper 'x'}}{{/each}}")


def test_a_template_without_expressions_is_static() -> None:
    template = COMPILER.compile("plain { text }")
    assert template.static
    assert template.render({}) == "plain { text }"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1.0"),
        (0.5, "0.5"),
        (1e10, "1.0E10"),
        (1e-5, "1.0E-5"),
        (-0.0, "-0.0"),
        (123.25, "123.25"),
    ],
)
def test_doubles_render_as_java_does(value: float, text: str) -> None:
    assert java_double(value) == text


def test_json_values_render_as_wiremock_writes_them() -> None:
    assert to_text(JsonMap({"a": [1, 2]})) == '{\n  "a" : [ 1, 2 ]\n}'
    assert to_text(JsonList([{"a": 1}])) == '[{"a":1}]'
    assert to_text({"a": 1}) == "{a=1}"
    assert to_text(ListOrSingle(["x", "y"])) == "x"
