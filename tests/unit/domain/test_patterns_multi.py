"""Patterns over multi-valued fields: plain patterns, hasExactly, includes."""

from __future__ import annotations

import pytest

from mockbdd.domain.patterns import (
    AbsentPattern,
    ContainsPattern,
    DoesNotContainPattern,
    EqualToPattern,
    MatchesPattern,
)
from mockbdd.domain.patterns_multi import (
    HasExactlyPattern,
    IncludesPattern,
    SingleValueAdapter,
    bipartite_match,
)


def test_single_value_adapter_matches_when_any_value_matches() -> None:
    p = SingleValueAdapter(EqualToPattern("b"))
    assert p.match_values(["a", "b"]).is_exact
    assert p.match_values(["bb", "x"]).distance == pytest.approx(0.5)
    assert not p.match_values(None).is_exact
    assert p.describe() == 'equalTo "b"'


def test_single_value_adapter_treats_missing_or_empty_as_absent() -> None:
    absent = SingleValueAdapter(AbsentPattern())
    assert absent.match_values(None).is_exact
    assert absent.match_values([]).is_exact
    assert not absent.match_values(["x"]).is_exact
    assert SingleValueAdapter(DoesNotContainPattern("x")).match_values(None).is_exact


def test_includes_needs_every_pattern_somewhere() -> None:
    p = IncludesPattern((EqualToPattern("a"), ContainsPattern("z")))
    assert p.match_values(["xzy", "b", "a"]).is_exact
    assert p.match_values(["a"]).distance == pytest.approx(0.5)
    assert not p.match_values(None).is_exact
    assert p.describe() == 'includes [equalTo "a", contains "z"]'


def test_has_exactly_needs_a_one_to_one_pairing() -> None:
    p = HasExactlyPattern((EqualToPattern("a"), ContainsPattern("b")))
    assert p.match_values(["b", "a"]).is_exact
    assert not p.match_values(["a", "b", "c"]).is_exact  # one value too many
    assert not p.match_values(["a"]).is_exact
    assert not p.match_values([]).is_exact
    same = HasExactlyPattern((ContainsPattern("a"), ContainsPattern("a")))
    assert not same.match_values(["a", "b"]).is_exact  # "b" is matched by no pattern
    overlap = HasExactlyPattern((MatchesPattern("a.*"), ContainsPattern("b")))
    assert overlap.match_values(["ab", "ac"]).is_exact  # needs the pairing ab->b, ac->a.*
    assert p.describe() == 'hasExactly [equalTo "a", contains "b"]'


def test_bipartite_match_finds_augmenting_paths() -> None:
    assert bipartite_match([[0, 1], [0]], 2) == [1, 0]
    assert bipartite_match([[0], [0]], 1) == [0, None]
    assert bipartite_match([[1, 2], [0, 1], [1]], 3) == [2, 0, 1]
    big = bipartite_match([[i, i + 1] for i in range(2000)] + [[0]], 2001)
    assert None not in big
