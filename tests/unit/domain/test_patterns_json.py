"""equalToJson, matchesJsonPath and matchesJsonSchema."""

from __future__ import annotations

from typing import Any

import pytest

from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.patterns import AbsentPattern, ContainsPattern, EqualToPattern
from mockbdd.domain.patterns_json import (
    EqualToJsonPattern,
    MatchesJsonPathPattern,
    MatchesJsonSchemaPattern,
)
from mockbdd.domain.requests import Body


def body(text: str) -> Body:
    return Body(text.encode())


# -- equalToJson -----------------------------------------------------------------------------


def test_equal_to_json_ignores_formatting_and_key_order() -> None:
    p = EqualToJsonPattern({"a": 1, "b": [1, 2]})
    assert p.match_body(body('{ "b": [1, 2],\n "a": 1 }')).is_exact
    assert p.match('{"b":[1,2],"a":1}').is_exact


def test_equal_to_json_distance_is_the_fraction_of_differing_leaves() -> None:
    p = EqualToJsonPattern({"a": 1, "b": 2, "c": 3, "d": 4})
    assert p.match('{"a": 1, "b": 2, "c": 3, "d": 5}').distance == pytest.approx(0.25)
    assert p.match('{"a": 0, "b": 0, "c": 0, "d": 0}').distance == pytest.approx(1.0)


def test_equal_to_json_is_type_strict_but_numbers_compare_by_value() -> None:
    # real WireMock 3.13.2 matches {"a": 1} against {"a": 1.0}, {"a": 10e-1}, and 100 against
    # 1e2 (bench/wiremock_diff.py, equalToJson.scalar-number and equalToJson.big)
    assert EqualToJsonPattern({"a": 1}).match('{"a": 1.0}').is_exact
    assert EqualToJsonPattern({"a": 1}).match('{"a": 10e-1}').is_exact
    assert EqualToJsonPattern({"n": 100}).match('{"n": 1E+2}').is_exact
    assert EqualToJsonPattern(1).match("1.0").is_exact
    assert not EqualToJsonPattern({"a": 1}).match('{"a": 1.5}').is_exact
    assert not EqualToJsonPattern({"a": 1}).match('{"a": true}').is_exact
    assert not EqualToJsonPattern({"a": "1"}).match('{"a": 1}').is_exact
    assert EqualToJsonPattern({"a": None}).match('{"a": null}').is_exact


def test_equal_to_json_not_json_or_absent_does_not_match() -> None:
    p = EqualToJsonPattern({"a": 1})
    assert p.match_body(body("not json")).distance == 1.0
    assert p.match_body(Body(b"")).distance == 1.0
    assert p.match(None).distance == 1.0
    assert p.match("{").distance == 1.0


def test_equal_to_json_extra_fields_and_array_order() -> None:
    exact = EqualToJsonPattern({"a": [1, 2]})
    assert not exact.match('{"a": [1, 2], "b": 0}').is_exact
    assert not exact.match('{"a": [2, 1]}').is_exact
    assert not exact.match('{"a": [1, 2, 3]}').is_exact
    extra = EqualToJsonPattern({"a": [1, 2]}, ignore_extra_elements=True)
    assert extra.match('{"a": [1, 2, 3], "b": 0}').is_exact
    assert not extra.match('{"a": [2, 1]}').is_exact
    unordered = EqualToJsonPattern({"a": [1, 2]}, ignore_array_order=True)
    assert unordered.match('{"a": [2, 1]}').is_exact
    assert not unordered.match('{"a": [2, 1, 1]}').is_exact
    both = EqualToJsonPattern({"a": [1, 2]}, ignore_array_order=True, ignore_extra_elements=True)
    assert both.match('{"a": [3, 2, 1]}').is_exact
    assert not both.match('{"a": [3, 2]}').is_exact


def test_unordered_arrays_pair_elements_one_to_one() -> None:
    # greedy pairing would give "a" to any-string and fail; a proper matching succeeds
    p = EqualToJsonPattern(["${json-unit.any-string}", "a"], ignore_array_order=True)
    assert p.match('["a", "b"]').is_exact
    assert not p.match('["a", 1]').is_exact
    nested = EqualToJsonPattern([{"id": 1}, {"id": 2}], ignore_array_order=True)
    assert nested.match('[{"id": 2}, {"id": 1}]').is_exact
    assert nested.match('[{"id": 2}, {"id": 3}]').distance == pytest.approx(0.5)


def test_unordered_arrays_without_placeholders_pair_by_key() -> None:
    p = EqualToJsonPattern([{"a": [1, 2]}, {"b": 1}, 1, 1], ignore_array_order=True)
    assert p.match('[1, {"b": 1}, {"a": [2, 1]}, 1]').is_exact  # nested arrays unordered too
    assert not p.match('[1, {"b": 1}, {"a": [2, 1]}, 2]').is_exact  # multiplicity counts
    assert p.match('[1.0, {"b": 1}, {"a": [2, 1]}, 1]').is_exact  # numbers by value (WireMock)
    assert EqualToJsonPattern([1, 2, 3], ignore_array_order=True).match("[3, 2.0, 1]").is_exact
    assert not p.match('[true, {"b": 1}, {"a": [2, 1]}, 1]').is_exact
    assert p.match('[1, {"b": 1}, {"a": [2, 1]}, 2]').distance == pytest.approx(1 / 5)


@pytest.mark.parametrize(
    ("placeholder", "accepted", "rejected"),
    [
        ("${json-unit.any-string}", '"x"', "1"),
        ("${json-unit.any-number}", "1.5", "true"),
        ("${json-unit.any-boolean}", "false", '"false"'),
        ("${json-unit.ignore}", '{"deep": [1]}', None),
        ("#{json-unit.ignore}", "null", None),
        ("${json-unit.regex}[A-Z]{3}-\\d+", '"ABC-12"', '"ABC-x"'),
        ("${json-unit.regex([a-z]+)}", '"abc"', '"ABC"'),
    ],
)
def test_json_unit_placeholders(placeholder: str, accepted: str, rejected: str | None) -> None:
    p = EqualToJsonPattern({"v": placeholder, "k": 1})
    assert p.match(f'{{"v": {accepted}, "k": 1}}').is_exact
    if rejected is not None:
        assert not p.match(f'{{"v": {rejected}, "k": 1}}').is_exact
    assert not p.match('{"k": 1}').is_exact  # the key itself is still required


def test_ignore_element_placeholder_also_allows_a_missing_key() -> None:
    p = EqualToJsonPattern({"v": "${json-unit.ignore-element}", "k": 1})
    assert p.match('{"k": 1}').is_exact


@pytest.mark.parametrize(
    ("placeholder", "reason"),
    [
        ("${json-unit.any-thing}", "unknown json-unit placeholder '${json-unit.any-thing}'"),
        ("${json-unit.matches:foo}x", "json-unit custom matcher '${json-unit.matches:foo}x'"),
        ("${json-unit.regex}(", "invalid regex '(': missing ), unterminated subpattern"),
    ],
)
def test_bad_placeholders_are_rejected(placeholder: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as err:
        EqualToJsonPattern({"v": placeholder})
    assert err.value.reason.startswith(reason)


def test_equal_to_json_describe() -> None:
    p = EqualToJsonPattern({"a": 1}, ignore_array_order=True)
    assert p.describe() == 'equalToJson {"a":1} (ignoreArrayOrder)'


# -- matchesJsonPath -------------------------------------------------------------------------

DOC = {
    "id": 7,
    "name": "widget",
    "price": 10.5,
    "active": True,
    "tags": ["a", "b"],
    "empty": [],
    "nothing": None,
    "items": [{"sku": "x", "price": 5}, {"sku": "y", "price": 15}],
}


@pytest.mark.parametrize(
    ("expression", "present"),
    [
        ("$.name", True),
        ("$.missing", False),
        ("$.nothing", False),  # a single null is not "present" (Jayway returns null)
        ("$.empty", False),  # an empty array selected by a definite path
        ("$.tags", True),
        ("$.items[?(@.price > 10)]", True),
        ("$.items[?(@.price > 100)]", False),
        ("$.items[?(@.sku == 'x')]", True),
        ("$..sku", True),
        ("$.items[5]", False),
        ("$..[?(@.sku == 'y')]", True),  # a descendant filter keeps the RFC meaning
        ("$..[?(@.sku == 'z')]", False),
    ],
)
def test_json_path_presence(expression: str, present: bool) -> None:
    assert MatchesJsonPathPattern(expression).match_json(DOC).is_exact is present


@pytest.mark.parametrize(
    ("expression", "sub", "matched"),
    [
        ("$.name", EqualToPattern("widget"), True),
        ("$.id", EqualToPattern("7"), True),
        ("$.price", EqualToPattern("10.5"), True),
        ("$.active", EqualToPattern("true"), True),
        ("$.tags", EqualToPattern("b"), True),  # a list: any element
        ("$.items[*].sku", EqualToPattern("y"), True),
        ("$.items[*].sku", EqualToPattern("z"), False),
        ("$.items[0]", ContainsPattern('"sku":"x"'), True),  # an object: its JSON text
        ("$.missing", EqualToPattern("x"), False),
        ("$.missing", AbsentPattern(), True),
        ("$.nothing", AbsentPattern(), True),
        ("$.name", AbsentPattern(), False),
        ("$.items[?(@.price > 100)].sku", AbsentPattern(), True),
        ("$.tags.length()", EqualToPattern("2"), True),
        ("$.items.size()", EqualToPattern("2"), True),
        ("$.items[*].price.max()", EqualToPattern("15"), True),
    ],
)
def test_json_path_with_sub_pattern(expression: str, sub: Any, matched: bool) -> None:
    assert MatchesJsonPathPattern(expression, sub).match_json(DOC).is_exact is matched


def test_json_path_with_json_sub_patterns_skips_reserialising() -> None:
    whole = MatchesJsonPathPattern(
        "$.tags", EqualToJsonPattern(["b", "a"], ignore_array_order=True)
    )
    assert whole.match_json(DOC).is_exact
    nested = MatchesJsonPathPattern("$.items[0]", MatchesJsonPathPattern("$.sku"))
    assert nested.match_json(DOC).is_exact
    schema = MatchesJsonPathPattern("$.items[*]", MatchesJsonSchemaPattern({"required": ["sku"]}))
    assert schema.match_json(DOC).is_exact


def test_json_path_on_bodies_and_strings() -> None:
    p = MatchesJsonPathPattern("$.a", EqualToPattern("1"))
    assert p.match_body(body('{"a": 1}')).is_exact
    assert p.match('{"a": 1}').is_exact
    assert not p.match_body(body("<a>1</a>")).is_exact
    assert not p.match(None).is_exact
    assert MatchesJsonPathPattern("$").match_json("text").is_exact
    assert not MatchesJsonPathPattern("$.a").match_json("text").is_exact


def test_json_path_uses_the_cached_body_parse() -> None:
    b = body('{"a": 1}')
    first = b.json
    MatchesJsonPathPattern("$.a").match_body(b)
    assert b.json is first


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("$.[[", "invalid JSONPath '$.[[': expected a shorthand selector"),
        ("$[?(@.a ==)]", "invalid JSONPath '$[?(@.a ==)]': unexpected ')'"),
        ("  ", "invalid JSONPath '': the expression is empty"),
    ],
)
def test_bad_json_path_is_rejected(expression: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as err:
        MatchesJsonPathPattern(expression)
    assert err.value.reason == reason


def test_json_path_describe() -> None:
    p = MatchesJsonPathPattern("$.a", EqualToPattern("1"))
    assert p.describe() == 'matchesJsonPath "$.a" equalTo "1"'


# -- matchesJsonSchema -----------------------------------------------------------------------

SCHEMA = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
}


def test_json_schema_validates_bodies() -> None:
    p = MatchesJsonSchemaPattern(SCHEMA)
    assert p.match_body(body('{"id": 1, "name": "x"}')).is_exact
    assert p.match_body(body('{"id": "1"}')).distance == pytest.approx(1.0)
    assert p.match_body(body('{"id": 1}')).distance == pytest.approx(0.5)
    assert not p.match_body(body("not json")).is_exact
    assert not p.match(None).is_exact


def test_json_schema_treats_text_and_failing_scalars_as_strings() -> None:
    as_string = MatchesJsonSchemaPattern({"type": "string", "pattern": "^[0-9]+$"})
    assert as_string.match("123").is_exact  # parsed as 123, retried as "123"
    assert as_string.match("abc").distance > 0
    assert MatchesJsonSchemaPattern({"type": "string"}).match("plain text").is_exact
    assert MatchesJsonSchemaPattern({"type": "integer"}).match("42").is_exact


def test_json_schema_versions() -> None:
    draft4 = MatchesJsonSchemaPattern(
        {"type": "number", "maximum": 5, "exclusiveMaximum": True}, "V4"
    )
    assert not draft4.match("5").is_exact
    assert draft4.match("4").is_exact
    with pytest.raises(InvalidInput) as err:
        MatchesJsonSchemaPattern({}, "V3")
    assert err.value.reason == "schemaVersion must be one of V4, V6, V7, V201909, V202012"


def test_invalid_schema_is_rejected() -> None:
    with pytest.raises(InvalidInput) as err:
        MatchesJsonSchemaPattern({"type": "nope"})
    assert err.value.reason.startswith("invalid JSON schema: 'nope' is not valid")


def test_unresolvable_schema_reference_does_not_match() -> None:
    p = MatchesJsonSchemaPattern({"$ref": "https://example.invalid/schema.json"})
    assert p.match("{}").distance == 1.0


def test_json_path_absent_sub_pattern_holds_on_a_value_that_is_not_json() -> None:
    # real WireMock 3.13.2 matches {"expression": "$.x", "absent": true} on the bodies "nope"
    # and "" (nothing is selected); presence and the other sub-patterns do not match there
    absent = MatchesJsonPathPattern("$.missing", AbsentPattern())
    assert absent.match_body(body("not json")).is_exact
    assert absent.match_body(Body(b"")).is_exact
    assert absent.match("nope").is_exact
    assert not absent.match(None).is_exact
    assert not MatchesJsonPathPattern("$.missing").match_body(body("not json")).is_exact
    assert not MatchesJsonPathPattern("$.a", EqualToPattern("x")).match_body(Body(b"")).is_exact


@pytest.mark.parametrize("name", ["missing", "true", "null", "in", "and", "contains"])
def test_json_path_descendant_names_that_python_jsonpath_reads_as_keywords(name: str) -> None:
    # real WireMock 3.13.2 (Jayway) accepts "$..missing" and selects members of that name
    p = MatchesJsonPathPattern(f"$..{name}")
    assert p.match(f'{{"a": {{"{name}": 1}}}}').is_exact
    assert not p.match('{"a": {"b": 1}}').is_exact
