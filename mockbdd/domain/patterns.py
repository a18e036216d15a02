"""Content patterns (WireMock's StringValuePattern family), composable and registered by key.

The ABCs come first; string, logical, binary and number patterns follow. Elsewhere: JSON in
``patterns_json``, date-times in ``patterns_datetime``, multi-valued fields in ``patterns_multi``,
the Java regex dialect in ``patterns_regex``.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import field
from decimal import Decimal, InvalidOperation

from mockbdd.domain.matching import EXACT, NO_MATCH, MatchResult, levenshtein_distance
from mockbdd.domain.patterns_regex import compile_java_regex
from mockbdd.domain.requests import Body
from mockbdd.records import record


class ContentPattern(ABC):
    """A pattern over one string value; ``None`` means the value is absent."""

    __slots__ = ()

    key: str = ""  # WireMock's JSON key, e.g. "equalTo"

    @abstractmethod
    def match(self, value: str | None) -> MatchResult: ...

    def match_body(self, body: Body) -> MatchResult:
        """Match a request body; JSON and binary patterns override this to use the cached views."""
        return self.match(body.text if body.raw else None)

    def match_body_within(self, body: Body, limit: float) -> MatchResult:
        """``match_body`` for ranking: a distance above ``limit`` may come back as any value
        above it. Patterns with a costly distance override it (``equalTo``)."""
        return self.match_body(body)

    @abstractmethod
    def describe(self) -> str:
        """Short human text for near-miss reports, e.g. ``equalTo "abc"``."""


class MultiValuePattern(ABC):
    """A pattern over every value of a multi-valued field (query parameter, header)."""

    __slots__ = ()

    @abstractmethod
    def match_values(self, values: Sequence[str] | None) -> MatchResult: ...

    @abstractmethod
    def describe(self) -> str: ...


def quote(text: str, limit: int = 200) -> str:
    """JSON-quote ``text`` for descriptions, clipped to ``limit`` characters."""
    # only the part that can be shown is encoded (escapes only lengthen): near-miss ranking
    # describes every stub's pattern, bodies of several KB included
    shown = json.dumps(text[:limit], ensure_ascii=False)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def mean(results: Sequence[MatchResult]) -> MatchResult:
    """WireMock's ``MatchResult.aggregate``: exact only when every part is exact."""
    if not results:
        return EXACT
    return MatchResult(sum(r.distance for r in results) / len(results))


# -- strings -----------------------------------------------------------------------------------


@record
class EqualToPattern(ContentPattern):
    """``equalTo`` (+ ``caseInsensitive``); the distance is the normalised edit distance."""

    expected: str
    case_insensitive: bool = False
    _folded: str = field(init=False, repr=False, compare=False)
    key = "equalTo"

    def __post_init__(self) -> None:
        folded = self.expected.lower() if self.case_insensitive else self.expected
        object.__setattr__(self, "_folded", folded)

    def match(self, value: str | None) -> MatchResult:
        if value is None:
            return NO_MATCH
        if value == self.expected:
            return EXACT
        actual = value.lower() if self.case_insensitive else value
        return MatchResult(levenshtein_distance(self._folded, actual))

    def match_body_within(self, body: Body, limit: float) -> MatchResult:
        value = body.text if body.raw else None
        if value is None or value == self.expected or limit >= 1.0:
            return self.match(value)
        actual = value.lower() if self.case_insensitive else value
        return MatchResult(levenshtein_distance(self._folded, actual, cutoff=limit))

    def describe(self) -> str:
        suffix = " (case-insensitive)" if self.case_insensitive else ""
        return f"equalTo {quote(self.expected)}{suffix}"


@record
class ContainsPattern(ContentPattern):
    """``contains``: a substring."""

    expected: str
    key = "contains"

    def match(self, value: str | None) -> MatchResult:
        return EXACT if value is not None and self.expected in value else NO_MATCH

    def describe(self) -> str:
        return f"contains {quote(self.expected)}"


@record
class DoesNotContainPattern(ContentPattern):
    """``doesNotContain``: like WireMock, an absent value matches (it contains nothing)."""

    expected: str
    key = "doesNotContain"

    def match(self, value: str | None) -> MatchResult:
        return EXACT if value is None or self.expected not in value else NO_MATCH

    def describe(self) -> str:
        return f"doesNotContain {quote(self.expected)}"


@record
class MatchesPattern(ContentPattern):
    """``matches``: the whole value matches a Java-style regex (DOTALL, as WireMock)."""

    regex: str
    _fullmatch: Callable[[str], re.Match[str] | None] = field(init=False, repr=False, compare=False)
    key = "matches"

    def __post_init__(self) -> None:
        object.__setattr__(self, "_fullmatch", compile_java_regex(self.regex).fullmatch)

    def match(self, value: str | None) -> MatchResult:
        if value is None:
            return NO_MATCH
        return EXACT if self._fullmatch(value) is not None else NO_MATCH

    def describe(self) -> str:
        return f"matches {quote(self.regex)}"


@record
class DoesNotMatchPattern(ContentPattern):
    """``doesNotMatch``: the inverse of ``matches``, so an absent value matches (as WireMock)."""

    regex: str
    _fullmatch: Callable[[str], re.Match[str] | None] = field(init=False, repr=False, compare=False)
    key = "doesNotMatch"

    def __post_init__(self) -> None:
        object.__setattr__(self, "_fullmatch", compile_java_regex(self.regex).fullmatch)

    def match(self, value: str | None) -> MatchResult:
        if value is None:
            return EXACT
        return NO_MATCH if self._fullmatch(value) is not None else EXACT

    def describe(self) -> str:
        return f"doesNotMatch {quote(self.regex)}"


@record
class AbsentPattern(ContentPattern):
    """``absent``: matches only a missing value."""

    key = "absent"

    def match(self, value: str | None) -> MatchResult:
        return EXACT if value is None else NO_MATCH

    def describe(self) -> str:
        return "absent"


@record
class AnythingPattern(ContentPattern):
    """``anything``: matches every value, even a missing one (WireMock's AnythingPattern)."""

    key = "anything"

    def match(self, value: str | None) -> MatchResult:
        return EXACT

    def match_body(self, body: Body) -> MatchResult:
        return EXACT

    def describe(self) -> str:
        return "anything"


@record
class BinaryEqualToPattern(ContentPattern):
    """``binaryEqualTo``: the raw bytes (base64 on the wire); text values compare as UTF-8."""

    expected: bytes
    key = "binaryEqualTo"

    def match(self, value: str | None) -> MatchResult:
        if value is None:
            return NO_MATCH
        return EXACT if value.encode("utf-8") == self.expected else NO_MATCH

    def match_body(self, body: Body) -> MatchResult:
        return EXACT if body.raw == self.expected else NO_MATCH

    def describe(self) -> str:
        shown = self.expected[:48].hex(" ") + ("…" if len(self.expected) > 48 else "")
        return f"binaryEqualTo {len(self.expected)} bytes [{shown}]"


# -- logic -------------------------------------------------------------------------------------


@record
class NotPattern(ContentPattern):
    """``not``: inverts the inner pattern (distance 0 or 1, as WireMock)."""

    pattern: ContentPattern
    key = "not"

    def match(self, value: str | None) -> MatchResult:
        return NO_MATCH if self.pattern.match(value).is_exact else EXACT

    def match_body(self, body: Body) -> MatchResult:
        return NO_MATCH if self.pattern.match_body(body).is_exact else EXACT

    def describe(self) -> str:
        return f"not ({self.pattern.describe()})"


@record
class AndPattern(ContentPattern):
    """``and``: every operand matches; the distance is their mean."""

    patterns: tuple[ContentPattern, ...]
    key = "and"

    def match(self, value: str | None) -> MatchResult:
        return mean([p.match(value) for p in self.patterns])

    def match_body(self, body: Body) -> MatchResult:
        return mean([p.match_body(body) for p in self.patterns])

    def describe(self) -> str:
        return "(" + " AND ".join(p.describe() for p in self.patterns) + ")"


@record
class OrPattern(ContentPattern):
    """``or``: some operand matches; the distance is the smallest."""

    patterns: tuple[ContentPattern, ...]
    key = "or"

    def match(self, value: str | None) -> MatchResult:
        return min((p.match(value) for p in self.patterns), key=_distance, default=NO_MATCH)

    def match_body(self, body: Body) -> MatchResult:
        return min((p.match_body(body) for p in self.patterns), key=_distance, default=NO_MATCH)

    def describe(self) -> str:
        return "(" + " OR ".join(p.describe() for p in self.patterns) + ")"


def _distance(result: MatchResult) -> float:
    return result.distance


# -- numbers -----------------------------------------------------------------------------------


def parse_number(text: str) -> Decimal | None:
    """A finite decimal number, or ``None`` (surrounding whitespace is ignored)."""
    try:
        number = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


@record
class NumberPattern(ContentPattern):
    """Base of the number comparisons: the value is parsed as a decimal number first."""

    expected: Decimal

    @abstractmethod
    def holds(self, actual: Decimal) -> bool:
        """Whether ``actual`` compares with ``expected`` as this operator requires."""

    def match(self, value: str | None) -> MatchResult:
        actual = parse_number(value) if value is not None else None
        if actual is None:
            return NO_MATCH
        if self.holds(actual):
            return EXACT
        scale = abs(actual) + abs(self.expected)
        gap = float(abs(actual - self.expected) / scale) if scale else 1.0
        return MatchResult(min(1.0, max(0.01, gap)))

    def describe(self) -> str:
        return f"{self.key} {self.expected}"


class EqualToNumberPattern(NumberPattern):
    """``equalToNumber``: numerically equal (``10`` equals ``10.0``)."""

    __slots__ = ()
    key = "equalToNumber"

    def holds(self, actual: Decimal) -> bool:
        return actual == self.expected


class GreaterThanNumberPattern(NumberPattern):
    """``greaterThanNumber``."""

    __slots__ = ()
    key = "greaterThanNumber"

    def holds(self, actual: Decimal) -> bool:
        return actual > self.expected


class GreaterThanOrEqualNumberPattern(NumberPattern):
    """``greaterThanOrEqualNumber``."""

    __slots__ = ()
    key = "greaterThanOrEqualNumber"

    def holds(self, actual: Decimal) -> bool:
        return actual >= self.expected


class LessThanNumberPattern(NumberPattern):
    """``lessThanNumber``."""

    __slots__ = ()
    key = "lessThanNumber"

    def holds(self, actual: Decimal) -> bool:
        return actual < self.expected


class LessThanOrEqualNumberPattern(NumberPattern):
    """``lessThanOrEqualNumber``."""

    __slots__ = ()
    key = "lessThanOrEqualNumber"

    def holds(self, actual: Decimal) -> bool:
        return actual <= self.expected
