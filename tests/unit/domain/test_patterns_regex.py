"""The Java regex dialect translated to Python ``re``."""

from __future__ import annotations

import unicodedata

import pytest

from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.patterns_regex import _FIXED_RANGES, compile_java_regex


@pytest.mark.parametrize(
    ("java", "matching", "not_matching"),
    [
        (r"\Qa.b*\E", "a.b*", "axb"),
        (r"(?:\Qa.b\E)+", "a.ba.b", "a.bxb"),
        (r"(?<year>\d{4})-\k<year>", "2024-2024", "2024-2025"),
        (r"\p{Upper}\p{Lower}+\p{Digit}", "Abc1", "abc1"),
        (r"\P{Digit}+", "abc", "ab1"),
        (r"[\p{Alpha}_]+", "a_B", "a-b"),
        (r"[a-c[x-z]]+", "abxz", "abd"),
        (r"\p{L}+", "héllo", "h3llo"),
        (r"a\h+b", "a \tb", "a\nb"),
        (r"line\R", "line\r\n", "line"),
        (r"abc\z", "abc", "abc\n"),
        (r"a.c", "a\nc", "ac"),
        (r"[a&b]", "&", "c"),
        # Unicode general categories: real WireMock 3.13.2 accepts \p{Lu} (bench/wiremock_diff.py)
        (r"\p{Lu}.*", "Ébc", "ébc"),
        (r"\p{IsLu}\p{Ll}+", "Ab", "AB"),
        (r"[\p{Lu}\d]+", "A1É", "a1"),
        (r"\P{Lu}+", "abc", "aBc"),
        (r"\p{Sc}", "€", "e"),
        (r"\x{61}bc", "abc", "xbc"),  # real WireMock 3.13.2 accepts \x{h…h}
        (r"[\x{41}-\x{43}]+", "ABC", "ABD"),
        (r"\p{javaLowerCase}+", "abcé", "aB"),  # and the java.lang.Character properties
        (r"\p{javaUpperCase}\p{javaDigit}", "É1", "e1"),
    ],
)
def test_java_constructs(java: str, matching: str, not_matching: str) -> None:
    compiled = compile_java_regex(java)
    assert compiled.fullmatch(matching)
    assert not compiled.fullmatch(not_matching)


@pytest.mark.parametrize(
    ("java", "reason"),
    [
        ("[a-z&&[^e]]", "character class intersection (&&) is not supported"),
        (r"\p{Greek}", r"\p{Greek} is not supported"),
        (r"[\P{Lu}]", r"\P{Lu} inside [...] is not supported"),
        ("(abc", "missing ), unterminated subpattern at position 0"),
        ("abc\\", "trailing backslash"),
    ],
)
def test_rejected_constructs_name_the_reason(java: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as err:
        compile_java_regex(java, "/request/headers/X/matches")
    assert err.value.pointer == "/request/headers/X/matches"
    assert err.value.reason == f"invalid regex {java!r}: {reason}"


def test_planes_the_category_scan_skips_hold_what_it_assumes() -> None:
    for first, last, category in _FIXED_RANGES:
        for cp in range(first, last + 1):
            assert unicodedata.category(chr(cp)) == category, hex(cp)


def test_category_ranges_agree_with_unicodedata() -> None:
    upper = compile_java_regex(r"\p{Lu}")
    for cp in range(0, 0x40000, 7):  # a sample across the scanned planes
        assert bool(upper.fullmatch(chr(cp))) == (unicodedata.category(chr(cp)) == "Lu"), hex(cp)
