"""String, logical, number and binary content patterns."""

from __future__ import annotations

from decimal import Decimal

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
from mockbdd.domain.requests import Body


def test_equal_to_exact_and_distance() -> None:
    p = EqualToPattern("abcd")
    assert p.match("abcd").is_exact
    assert p.match("abce").distance == pytest.approx(0.25)
    assert p.match("ABCD").distance == 1.0
    assert p.match(None).distance == 1.0
    assert p.key == "equalTo"
    assert p.describe() == 'equalTo "abcd"'


def test_equal_to_case_insensitive() -> None:
    p = EqualToPattern("Hello", case_insensitive=True)
    assert p.match("hELLO").is_exact
    assert p.match("hellp").distance == pytest.approx(0.2)
    assert p.describe() == 'equalTo "Hello" (case-insensitive)'


def test_contains_and_does_not_contain() -> None:
    assert ContainsPattern("xml").match("application/xml").is_exact
    assert not ContainsPattern("xml").match("application/json").is_exact
    assert not ContainsPattern("xml").match(None).is_exact
    assert DoesNotContainPattern("xml").match("application/json").is_exact
    assert not DoesNotContainPattern("xml").match("text/xml").is_exact


def test_negative_patterns_match_an_absent_value_like_wiremock() -> None:
    # WireMock: NegativeContainsPattern matches null; NegativeRegexPattern inverts a no-match
    assert DoesNotContainPattern("x").match(None).is_exact
    assert DoesNotMatchPattern("x").match(None).is_exact


def test_matches_is_a_full_match_with_dotall() -> None:
    p = MatchesPattern(r"[a-z]+\d")
    assert p.match("abc1").is_exact
    assert not p.match("abc1x").is_exact  # Java String.matches: whole value
    assert not p.match(None).is_exact
    assert MatchesPattern("a.b").match("a\nb").is_exact
    assert p.describe() == 'matches "[a-z]+\\\\d"'


def test_does_not_match() -> None:
    p = DoesNotMatchPattern("[0-9]+")
    assert p.match("abc").is_exact
    assert not p.match("123").is_exact
    assert p.match("123a").is_exact


def test_invalid_regex_is_rejected_at_construction() -> None:
    with pytest.raises(InvalidInput) as err:
        MatchesPattern("(unclosed")
    assert err.value.reason.startswith("invalid regex '(unclosed': missing )")


def test_absent_and_anything() -> None:
    assert AbsentPattern().match(None).is_exact
    assert not AbsentPattern().match("").is_exact
    assert AbsentPattern().match_body(Body(b"")).is_exact
    assert not AbsentPattern().match_body(Body(b"x")).is_exact
    assert AnythingPattern().match(None).is_exact
    assert AnythingPattern().match("x").is_exact


def test_not_inverts_with_binary_distance() -> None:
    p = NotPattern(EqualToPattern("abc"))
    assert p.match("abd").is_exact
    assert p.match("abc").distance == 1.0
    assert p.match(None).is_exact
    assert NotPattern(AbsentPattern()).match("present").is_exact
    assert p.describe() == 'not (equalTo "abc")'


def test_and_averages_distances() -> None:
    p = AndPattern((ContainsPattern("a"), ContainsPattern("b")))
    assert p.match("ab").is_exact
    assert p.match("a").distance == pytest.approx(0.5)
    assert p.describe() == '(contains "a" AND contains "b")'


def test_or_takes_the_smallest_distance() -> None:
    p = OrPattern((EqualToPattern("abcd"), ContainsPattern("zz")))
    assert p.match("xxzzxx").is_exact
    assert p.match("abcx").distance == pytest.approx(0.25)
    assert p.describe() == '(equalTo "abcd" OR contains "zz")'


def test_logical_patterns_delegate_to_match_body() -> None:
    from mockbdd.domain.patterns_json import EqualToJsonPattern

    body = Body(b'{"a": 1}')
    inner = EqualToJsonPattern({"a": 1})
    assert NotPattern(inner).match_body(body).distance == 1.0
    assert AndPattern((inner, ContainsPattern('"a"'))).match_body(body).is_exact
    assert OrPattern((EqualToJsonPattern({"a": 2}), inner)).match_body(body).is_exact


@pytest.mark.parametrize(
    ("cls", "expected", "value", "matched"),
    [
        (EqualToNumberPattern, "10", "10.0", True),
        (EqualToNumberPattern, "10", "10.5", False),
        (GreaterThanNumberPattern, "10", "10.01", True),
        (GreaterThanNumberPattern, "10", "10", False),
        (GreaterThanOrEqualNumberPattern, "10", "10", True),
        (GreaterThanOrEqualNumberPattern, "10", "9.99", False),
        (LessThanNumberPattern, "0.5", "-3", True),
        (LessThanNumberPattern, "0.5", "0.5", False),
        (LessThanOrEqualNumberPattern, "1e3", "1000", True),
        (LessThanOrEqualNumberPattern, "1e3", "1000.1", False),
    ],
)
def test_number_comparisons(cls: type, expected: str, value: str, matched: bool) -> None:
    p = cls(Decimal(expected))
    assert p.match(value).is_exact is matched


def test_number_patterns_reject_non_numbers_and_rank_near_values() -> None:
    p = EqualToNumberPattern(Decimal(100))
    for bad in ("abc", "", None, "NaN", "Infinity"):
        assert p.match(bad).distance == 1.0
    assert p.match(" 100 ").is_exact
    assert p.match("99").distance < p.match("10").distance < 1.0
    assert p.describe() == "equalToNumber 100"


def test_binary_equal_to() -> None:
    p = BinaryEqualToPattern(b"\x00\x01\xff")
    assert p.match_body(Body(b"\x00\x01\xff")).is_exact
    assert not p.match_body(Body(b"\x00\x01")).is_exact
    assert BinaryEqualToPattern(b"abc").match("abc").is_exact
    assert not p.match(None).is_exact
    assert p.describe() == "binaryEqualTo 3 bytes [00 01 ff]"
