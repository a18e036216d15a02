"""Decoding WireMock pattern JSON, and rejecting what WireMock would misread."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.patterns import (
    AbsentPattern,
    AndPattern,
    AnythingPattern,
    BinaryEqualToPattern,
    ContainsPattern,
    DoesNotContainPattern,
    DoesNotMatchPattern,
    EqualToNumberPattern,
    EqualToPattern,
    GreaterThanNumberPattern,
    GreaterThanOrEqualNumberPattern,
    LessThanNumberPattern,
    LessThanOrEqualNumberPattern,
    MatchesPattern,
    NotPattern,
    OrPattern,
)
from mockbdd.domain.patterns_datetime import (
    AfterDateTimePattern,
    BeforeDateTimePattern,
    EqualToDateTimePattern,
)
from mockbdd.domain.patterns_json import (
    EqualToJsonPattern,
    MatchesJsonPathPattern,
    MatchesJsonSchemaPattern,
)
from mockbdd.domain.patterns_multi import HasExactlyPattern, IncludesPattern, SingleValueAdapter
from mockbdd.domain.requests import Body
from mockbdd.wire import patterns as wire_patterns
from mockbdd.wire.builtins import BUILTIN
from mockbdd.wire.patterns import CONTENT_OPERATORS

P = "/request/bodyPatterns/0"


def parse_content_pattern(obj: object, pointer: str, **kw: Any) -> object:
    return wire_patterns.parse_content_pattern(obj, pointer, extensions=BUILTIN, **kw)


def parse_multi_value_pattern(obj: object, pointer: str) -> object:
    return wire_patterns.parse_multi_value_pattern(obj, pointer, extensions=BUILTIN)


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        ({"equalTo": "x"}, EqualToPattern("x")),
        ({"equalTo": "x", "caseInsensitive": True}, EqualToPattern("x", case_insensitive=True)),
        ({"contains": "x"}, ContainsPattern("x")),
        ({"doesNotContain": "x"}, DoesNotContainPattern("x")),
        ({"matches": "x+"}, MatchesPattern("x+")),
        ({"doesNotMatch": "x+"}, DoesNotMatchPattern("x+")),
        ({"absent": True}, AbsentPattern()),
        ({"anything": "anything"}, AnythingPattern()),
        ({"not": {"equalTo": "x"}}, NotPattern(EqualToPattern("x"))),
        ({"and": [{"contains": "a"}, {"contains": "b"}]},
         AndPattern((ContainsPattern("a"), ContainsPattern("b")))),
        ({"or": [{"absent": True}]}, OrPattern((AbsentPattern(),))),
        ({"equalToJson": '{"a": 1}'}, EqualToJsonPattern({"a": 1})),
        ({"equalToJson": [1], "ignoreArrayOrder": True, "ignoreExtraElements": True},
         EqualToJsonPattern([1], ignore_array_order=True, ignore_extra_elements=True)),
        ({"matchesJsonPath": "$.a"}, MatchesJsonPathPattern("$.a")),
        ({"matchesJsonPath": {"expression": "$.a", "contains": "x"}},
         MatchesJsonPathPattern("$.a", ContainsPattern("x"))),
        ({"matchesJsonSchema": '{"type": "object"}'}, MatchesJsonSchemaPattern({"type": "object"})),
        ({"matchesJsonSchema": {"type": "object"}, "schemaVersion": "V7"},
         MatchesJsonSchemaPattern({"type": "object"}, "V7")),
        ({"equalToNumber": 5}, EqualToNumberPattern(Decimal(5))),
        ({"greaterThanNumber": 2.5}, GreaterThanNumberPattern(Decimal("2.5"))),
        ({"greaterThanOrEqualNumber": "1e3"}, GreaterThanOrEqualNumberPattern(Decimal("1e3"))),
        ({"lessThanNumber": -1}, LessThanNumberPattern(Decimal(-1))),
        ({"lessThanOrEqualNumber": 0}, LessThanOrEqualNumberPattern(Decimal(0))),
        ({"binaryEqualTo": "AAH/"}, BinaryEqualToPattern(b"\x00\x01\xff")),
        ({"before": "2024-01-01T00:00:00Z"}, BeforeDateTimePattern("2024-01-01T00:00:00Z")),
        ({"after": "now", "actualFormat": "dd/MM/yyyy", "truncateActual": "first_day_of_month"},
         AfterDateTimePattern("now", actual_format="dd/MM/yyyy",
                              truncate_actual="first_day_of_month")),
        ({"equalToDateTime": "now", "expectedOffset": 3, "expectedOffsetUnit": "days",
          "truncateExpected": "first_hour_of_day"},
         EqualToDateTimePattern("now", truncate_expected="first_hour_of_day", expected_offset=3,
                                expected_offset_unit="days")),
    ],
)  # fmt: skip
def test_every_operator_decodes(obj: dict[str, Any], expected: object) -> None:
    assert parse_content_pattern(obj, P) == expected


def test_the_registry_covers_every_operator_of_the_design() -> None:
    assert set(BUILTIN.names(CONTENT_OPERATORS)) == {
        "absent", "after", "and", "anything", "before", "binaryEqualTo", "contains",
        "doesNotContain", "doesNotMatch", "equalTo", "equalToDateTime", "equalToJson",
        "equalToNumber", "equalToXml", "greaterThanNumber", "greaterThanOrEqualNumber", "lessThanNumber",
        "lessThanOrEqualNumber", "matches", "matchesJsonPath", "matchesJsonSchema", "matchesXPath", "not",
            "or",
    }  # fmt: skip


def test_decoded_patterns_match() -> None:
    p = parse_content_pattern(
        {"and": [{"matchesJsonPath": {"expression": "$.n", "greaterThanNumber": 3}},
                 {"equalToJson": {"n": "${json-unit.any-number}"}}]},
        P,
    )  # fmt: skip
    assert p.match_body(Body(b'{"n": 4}')).is_exact
    assert not p.match_body(Body(b'{"n": 2}')).is_exact


def test_the_clock_reaches_nested_date_patterns() -> None:
    now = datetime(2030, 6, 1, tzinfo=timezone.utc)
    p = parse_content_pattern({"not": {"before": "now"}}, P, clock=lambda: now)
    assert p.match("2030-06-01T00:00:00Z").is_exact
    assert not p.match("2030-05-31T23:59:59Z").is_exact


@pytest.mark.parametrize(
    ("obj", "pointer", "reason"),
    [
        ({"equalsTo": "x"}, P, "must be one of the registered content operators (absent, after, and,"),
        ({"frobnicate": "x"}, P, "must be one of the registered content operators (absent, after, and,"),
        ({}, P, "empty pattern: expected one operator (known: absent,"),
        ({"caseInsensitive": True}, P, "option 'caseInsensitive' needs an operator (known:"),
        ({"equalTo": "x", "contains": "y"}, P,
         "one operator per pattern, got 'equalTo', 'contains' (combine them with and/or)"),
        ({"equalTo": "x", "caseInsensitve": True}, P,
         "unknown option 'caseInsensitve' for equalTo, did you mean 'caseInsensitive'? "
         "(allowed: caseInsensitive)"),
        ({"contains": "x", "caseInsensitive": True}, P,
         "unknown option 'caseInsensitive' for contains (allowed: none)"),
        ({"matchesPathTemplate": "/a"}, P,
         "operator 'matchesPathTemplate' is not supported by mockbdd"),
        ({"hasExactly": [{"equalTo": "a"}]}, P,
         "'hasExactly' matches several values: it is allowed"),
        ("equalTo", P, 'a pattern must be an object like {"equalTo": "…"}, got a string'),
        ({"equalTo": 5}, P, "equalTo must be a string, got a number"),
        ({"contains": []}, P, "contains must be a string, got an array"),
        ({"equalTo": "x", "caseInsensitive": "yes"}, P,
         "caseInsensitive must be a boolean, got a string"),
        ({"absent": False}, P, "absent must be true, got false"),
        ({"matches": "[a-"}, P, "invalid regex '[a-': unterminated character set at position 0"),
        ({"and": []}, P, "and must be a non-empty array of patterns, got an empty array"),
        ({"or": {"equalTo": "x"}}, P, "or must be a non-empty array of patterns, got an object"),
        ({"and": [{"equalTo": "a"}, {"matches": "("}]}, f"{P}/and/1", "invalid regex '('"),
        ({"or": [{"not": {"contain": "a"}}]}, f"{P}/or/0/not", "must be one of the registered content operators (absent, after, and,"),
        ({"equalToJson": "{oops"}, P, "equalToJson is not valid JSON: Expecting property name"),
        ({"equalToJson": {"a": "${json-unit.nope}"}}, P, "unknown json-unit placeholder"),
        ({"equalToJson": {}, "ignoreArrayOrder": 1}, P,
         "ignoreArrayOrder must be a boolean, got a number"),
        ({"matchesJsonPath": "$.[["}, P, "invalid JSONPath '$.[[': expected a shorthand selector"),
        ({"matchesJsonPath": 3}, P, "matchesJsonPath must be a string or an object, got a number"),
        ({"matchesJsonPath": {"contains": "x"}}, P,
         "matchesJsonPath needs an 'expression' in its object form"),
        ({"matchesJsonPath": {"expression": "$.a", "contans": "x"}}, f"{P}/matchesJsonPath", "must be one of the registered content operators (absent, after, and,"),
        ({"matchesJsonSchema": {"type": 12}}, P, "invalid JSON schema: 12 is not valid"),
        ({"matchesJsonSchema": "[1"}, P, "matchesJsonSchema is not valid JSON"),
        ({"matchesJsonSchema": [1]}, P, "matchesJsonSchema must be a schema object, got an array"),
        ({"matchesJsonSchema": {}, "schemaVersion": "V5"}, P,
         "schemaVersion must be one of V4, V6"),
        ({"equalToNumber": "ten"}, P, 'equalToNumber must be a number, got "ten"'),
        ({"lessThanNumber": True}, P, "lessThanNumber must be a number, got true"),
        ({"binaryEqualTo": "***"}, P, "binaryEqualTo is not valid base64"),
        ({"before": "soon"}, P,
         "before expects an ISO date-time, 'now' or 'now +/-N units', got 'soon'"),
        ({"after": "now", "expectedOffset": "3", "expectedOffsetUnit": "days"}, P,
         "expectedOffset must be an integer, got a string"),
        ({"after": "now", "expectedOffset": 3}, P,
         "expectedOffset and expectedOffsetUnit must be given together"),
        ({"after": "now", "truncateActual": "noon"}, P, "unknown truncation 'noon'"),
        ({"after": "now", "actualFormat": "yyyy GG"}, P, "unsupported letter 'GG' in actualFormat"),
    ],
)  # fmt: skip
def test_rejections_name_pointer_and_reason(obj: object, pointer: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_content_pattern(obj, P)
    assert err.value.pointer == pointer
    assert err.value.reason.startswith(reason), err.value.reason


def test_root_pointer_keeps_nested_pointers() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_content_pattern({"not": {"matches": "("}}, "")
    assert err.value.pointer == "/not"


# -- multi-valued ----------------------------------------------------------------------------

H = "/request/headers/Accept"


def test_multi_value_decoding() -> None:
    assert parse_multi_value_pattern({"equalTo": "a"}, H) == SingleValueAdapter(EqualToPattern("a"))
    assert parse_multi_value_pattern({"hasExactly": [{"equalTo": "a"}, {"contains": "b"}]}, H) == (
        HasExactlyPattern((EqualToPattern("a"), ContainsPattern("b")))
    )
    assert parse_multi_value_pattern({"includes": [{"absent": True}]}, H) == IncludesPattern(
        (AbsentPattern(),)
    )


@pytest.mark.parametrize(
    ("obj", "pointer", "reason"),
    [
        ({"hasExactly": []}, H,
         "hasExactly must be a non-empty array of patterns, got an empty array"),
        ({"includes": "x"}, H, "includes must be a non-empty array of patterns, got a string"),
        ({"hasExactly": [{"equalTo": "a"}], "caseInsensitive": True}, H,
         "hasExactly takes no other keys, got 'caseInsensitive'"),
        ({"includes": [{"equalTo": "a"}, {"equalTo": 1}]}, f"{H}/includes/1",
         "equalTo must be a string, got a number"),
        ({"equalTo": 1}, H, "equalTo must be a string, got a number"),
    ],
)  # fmt: skip
def test_multi_value_rejections(obj: object, pointer: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_multi_value_pattern(obj, H)
    assert err.value.pointer == pointer
    assert err.value.reason == reason


@pytest.mark.parametrize(
    ("obj", "ending"),
    [
        ({"equalsTo": "x"}, "got 'equalsTo'; did you mean 'equalTo'?"),
        ({"frobnicate": "x"}, "got 'frobnicate'"),
        ({"or": [{"not": {"contain": "a"}}]}, "got 'contain'; did you mean 'contains'?"),
        ({"matchesJsonPath": {"expression": "$.a", "contans": "x"}}, "got 'contans'; did you mean 'contains'?"),
    ],
)  # fmt: skip
def test_an_unknown_operator_is_told_as_every_unknown_name(obj: object, ending: str) -> None:
    """The wording of an unknown fault, transformer or plugin (``unknown_name``)."""
    with pytest.raises(InvalidInput) as err:
        parse_content_pattern(obj, P)
    assert err.value.reason.endswith(f"), {ending}"), err.value.reason
