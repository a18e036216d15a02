"""Durations, typed parameter values and {placeholder} substitution."""

from __future__ import annotations

import pytest

from mockbdd.tagmaps.params import BoundValue, coerce, parse_duration, placeholders, substitute


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("250ms", 250),
        ("2s", 2000),
        ("1.5s", 1500),
        ("1m", 60_000),
        ("300", 300),
        (" 2 s ", 2000),
        (250, 250),
        (0, 0),
        (1.4, 1),
    ],
)
def test_parse_duration(text: object, ms: int) -> None:
    assert parse_duration(text) == ms


@pytest.mark.parametrize("text", ["abc", "2h", "-5ms", "", True, None, [1], -1])
def test_parse_duration_rejects(text: object) -> None:
    with pytest.raises(ValueError, match=r"duration"):
        parse_duration(text)


def test_coerce_each_type() -> None:
    assert coerce("duration", "300ms") == BoundValue("duration", "300ms", 300)
    assert coerce("duration", 250) == BoundValue("duration", "250", 250)
    assert coerce("int", "503") == BoundValue("int", "503", 503)
    assert coerce("int", 7) == BoundValue("int", "7", 7)
    assert coerce("str", "eu-west") == BoundValue("str", "eu-west", "eu-west")
    assert coerce("str", 42) == BoundValue("str", "42", "42")


@pytest.mark.parametrize(
    ("kind", "raw", "reason"),
    [
        ("int", "abc", "expected an integer, got 'abc'"),
        ("int", 1.5, "expected an integer, got 1.5"),
        ("int", True, "expected an integer, got True"),
        ("duration", "abc", "expected a duration such as 250ms, 2s, 1.5s or 1m"),
        ("str", [1], "expected a string, got [1]"),
        ("str", False, "expected a string, got False"),
    ],
)
def test_coerce_rejects(kind: str, raw: object, reason: str) -> None:
    with pytest.raises(ValueError) as info:
        coerce(kind, raw)  # type: ignore[arg-type]
    assert str(info.value).startswith(reason)


def test_placeholders() -> None:
    assert placeholders("/v1/{region}/items/{id}") == ["region", "id"]
    assert placeholders("{{request.path}} {{name}}") == []


def test_substitute_whole_values_are_typed_and_embedded_ones_are_text() -> None:
    values = {
        "delay": BoundValue("duration", "2s", 2000),
        "code": BoundValue("int", "503", 503),
        "region": BoundValue("str", "eu", "eu"),
    }
    source = {
        "response": {
            "status": "{code}",
            "fixedDelayMilliseconds": "{delay}",
            "headers": {"X-Info": "took {delay} in {region}", "X-Region": "{region}"},
            "body": "{{region}} {unknown}",
        },
        "list": ["{code}", 1, None, True],
    }
    assert substitute(source, values) == {
        "response": {
            "status": 503,
            "fixedDelayMilliseconds": 2000,
            "headers": {"X-Info": "took 2s in eu", "X-Region": "eu"},
            "body": "{{region}} {unknown}",
        },
        "list": [503, 1, None, True],
    }
    assert source["response"]["status"] == "{code}"  # the template is not modified
