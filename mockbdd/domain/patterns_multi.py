"""Patterns over multi-valued fields (headers, query and form parameters, cookies)."""

from __future__ import annotations

from collections.abc import Sequence

from mockbdd.domain.matching import EXACT, NO_MATCH, MatchResult
from mockbdd.domain.patterns import AbsentPattern, ContentPattern, MultiValuePattern, mean
from mockbdd.records import record


def _values_or_absent(values: Sequence[str] | None) -> Sequence[str | None]:
    return values if values else (None,)


def best_match(pattern: ContentPattern, values: Sequence[str | None]) -> MatchResult:
    """The closest result of ``pattern`` over ``values`` (WireMock's ``getBestMatch``)."""
    best = NO_MATCH
    for value in values:
        result = pattern.match(value)
        if result.is_exact:
            return result
        if result.distance < best.distance:
            best = result
    return best


@record
class SingleValueAdapter(MultiValuePattern):
    """A plain pattern on a multi-valued field: matches when any value does.

    A missing or empty field is one absent value, so ``absent`` (and the negative patterns) match.
    """

    pattern: ContentPattern

    def match_values(self, values: Sequence[str] | None) -> MatchResult:
        return best_match(self.pattern, _values_or_absent(values))

    def describe(self) -> str:
        return self.pattern.describe()


@record
class CookiePattern(MultiValuePattern):
    """A cookie's pattern. A missing cookie matches ``absent`` and nothing else: real WireMock
    3.13.2 does not let ``doesNotMatch``, ``not`` or ``anything`` match it, unlike a header."""

    pattern: MultiValuePattern

    def match_values(self, values: Sequence[str] | None) -> MatchResult:
        if values:
            return self.pattern.match_values(values)
        inner = self.pattern
        absent = isinstance(inner, SingleValueAdapter) and isinstance(inner.pattern, AbsentPattern)
        return EXACT if absent else NO_MATCH

    def describe(self) -> str:
        return self.pattern.describe()


@record
class IncludesPattern(MultiValuePattern):
    """``includes``: every pattern matches at least one of the values."""

    patterns: tuple[ContentPattern, ...]
    key = "includes"

    def match_values(self, values: Sequence[str] | None) -> MatchResult:
        if not values:
            return NO_MATCH
        return mean([best_match(p, values) for p in self.patterns])

    def describe(self) -> str:
        return "includes [" + ", ".join(p.describe() for p in self.patterns) + "]"


@record
class HasExactlyPattern(MultiValuePattern):
    """``hasExactly``: as many values as patterns, each value matched by its own pattern."""

    patterns: tuple[ContentPattern, ...]
    key = "hasExactly"

    def match_values(self, values: Sequence[str] | None) -> MatchResult:
        if not values:
            return NO_MATCH
        candidates = [
            [j for j, v in enumerate(values) if p.match(v).is_exact] for p in self.patterns
        ]
        paired = bipartite_match(candidates, len(values))
        if len(values) == len(self.patterns) and all(j is not None for j in paired):
            return EXACT
        parts = [best_match(p, values) for p in self.patterns]
        unpaired = sum(j is None for j in paired) + abs(len(values) - len(self.patterns))
        return MatchResult(min(1.0, max(0.01, mean(parts).distance, unpaired / len(values))))

    def describe(self) -> str:
        return "hasExactly [" + ", ".join(p.describe() for p in self.patterns) + "]"


def bipartite_match(candidates: Sequence[Sequence[int]], n_right: int) -> list[int | None]:
    """Maximum matching (Kuhn's algorithm, iterative): ``candidates[i]`` lists rights for left i.

    Returns, for each left item, the right item it is paired with (or ``None``).
    """
    owner: list[int | None] = [None] * n_right
    for left in range(len(candidates)):
        # DFS over alternating paths; parent links let us flip the path once a free right is found
        seen = [False] * n_right
        stack: list[tuple[int, int]] = [(left, 0)]
        came_from: dict[int, tuple[int, int | None]] = {}  # right -> (left that reached it, prev)
        entered_from: dict[int, int | None] = {left: None}  # left -> right it came through
        found: int | None = None
        while stack and found is None:
            node, idx = stack.pop()
            options = candidates[node]
            if idx >= len(options):
                continue
            stack.append((node, idx + 1))
            right = options[idx]
            if seen[right]:
                continue
            seen[right] = True
            came_from[right] = (node, entered_from[node])
            current = owner[right]
            if current is None:
                found = right
            elif current not in entered_from:
                entered_from[current] = right
                stack.append((current, 0))
        while found is not None:
            node, prev_right = came_from[found]
            owner[found] = node
            found = prev_right
    paired: list[int | None] = [None] * len(candidates)
    for right, holder in enumerate(owner):
        if holder is not None:
            paired[holder] = right
    return paired
