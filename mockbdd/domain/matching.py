"""Match results with a distance, so that near misses can be ranked (WireMock's MatchResult)."""

from __future__ import annotations

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


def levenshtein_distance(a: str, b: str) -> float:
    """Normalised edit distance in [0, 1] (0 = equal), as WireMock ranks string near misses."""
    if a == b:
        return 0.0
    if not a or not b:
        return 1.0
    if len(a) > 2000 or len(b) > 2000:  # keep near-miss ranking cheap on huge bodies
        return 1.0 if a != b else 0.0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1] / max(len(a), len(b))
