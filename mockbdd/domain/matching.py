"""Match results with a distance, so that near misses can be ranked (WireMock's MatchResult)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MatchResult:
    """``distance`` is 0.0 for an exact match and grows towards 1.0 for values that are nothing alike."""

    distance: float

    @property
    def is_exact(self) -> bool:
        return self.distance == 0.0

    @staticmethod
    def of(matched: bool) -> MatchResult:
        return EXACT if matched else NO_MATCH


EXACT = MatchResult(0.0)
NO_MATCH = MatchResult(1.0)

# Past this many differing characters (after the common prefix and suffix are stripped) the
# quadratic exact edit distance gives way to a linear estimate: near-miss ranking runs for every
# stub on every unmatched request and must never block the server.
EXACT_LIMIT = 64


def levenshtein_distance(a: str, b: str) -> float:
    """Normalised edit distance in [0, 1] (0 only when equal), as WireMock ranks string near misses.

    Exact for short differences; above ``EXACT_LIMIT`` a linear-time estimate (see ``_estimate``).
    """
    if a == b:
        return 0.0
    longest = max(len(a), len(b))
    if not a or not b:
        return 1.0
    start = _common_prefix(a, b)
    end = _common_suffix(a[start:], b[start:])
    mid_a, mid_b = a[start : len(a) - end], b[start : len(b) - end]
    if len(mid_a) <= EXACT_LIMIT and len(mid_b) <= EXACT_LIMIT:
        edits = float(_exact(mid_a, mid_b))  # stripping common ends keeps the distance exact
    else:
        edits = _estimate(mid_a, mid_b)
    return min(1.0, edits / longest)


def _common_prefix(a: str, b: str) -> int:
    """Length of the common prefix, by binary search over C-speed slice comparisons."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str) -> int:
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid :] == b[len(b) - mid :]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _exact(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _estimate(a: str, b: str) -> float:
    """Midpoint of a lower and an upper bound of the edit distance, both linear to compute.

    Upper: ``max(len)`` (substitute, then insert the rest). Lower: every character the two do not
    share (as multisets) needs an edit, and so does the length difference. Strings with disjoint
    alphabets get their exact distance; reordered ones land halfway.
    """
    upper = max(len(a), len(b))
    shared = (Counter(a) & Counter(b)).total()
    lower = max(upper - shared, abs(len(a) - len(b)))
    return (lower + upper) / 2
