"""The normalised edit distance behind string near misses: exact at every length."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockbdd.domain.matching import levenshtein_distance


def reference(a: str, b: str) -> float:
    """The textbook dynamic programme, divided by the longer length (WireMock's normalisation)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1] / max(len(a), len(b), 1)


def order(size: int) -> str:
    """A JSON order body of exactly ``size`` characters."""
    items = [
        {"sku": f"SKU-{100000 + i:06d}", "quantity": 3 + i, "price": 19.5 + i} for i in range(6)
    ]
    body = json.dumps({"customer": "C12345", "currency": "EUR", "items": items})
    pad = size - len(body) - len('"note": "", ')
    assert pad >= 0
    return '{"note": "' + "n" * pad + '", ' + body[1:]


def test_a_508_character_body_with_three_small_field_changes_is_9_edits_away() -> None:
    body = order(508)
    assert len(body) == 508
    edited = (
        body.replace("100000", "100777").replace("100003", "177703").replace("100005", "999005")
    )
    assert levenshtein_distance(body, edited) == pytest.approx(9 / 508)  # 0.0177
    assert levenshtein_distance(body, edited) == pytest.approx(0.018, abs=5e-4)
    # the linear estimate this replaces answered 0.28-0.48 here: every distance was "far"


def test_long_scattered_edits_are_counted_exactly() -> None:
    a = "ab" * 1000
    b = "ba" * 1000  # a shift by one: delete the first character, append one
    assert levenshtein_distance(a, b) == 2 / 2000
    assert levenshtein_distance("a" * 1000 + "b" * 1000, "b" * 1000 + "a" * 1000) == 1.0
    assert levenshtein_distance("x" * 3000, "x" * 1500) == 0.5
    assert levenshtein_distance("kitten", "sitting") == 3 / 7


def test_zero_only_for_equal_strings_and_one_against_nothing() -> None:
    assert levenshtein_distance("", "") == 0.0
    assert levenshtein_distance("same" * 600, "same" * 600) == 0.0
    assert levenshtein_distance("", "abc") == 1.0
    assert levenshtein_distance("abc", "") == 1.0
    assert 0.0 < levenshtein_distance("a" * 5000, "a" * 4999 + "b") < 0.001


@settings(derandomize=True, database=None, max_examples=200, deadline=None)
@given(st.text("abcde", max_size=60), st.text("abcde", max_size=60))
def test_agrees_with_the_textbook_algorithm(a: str, b: str) -> None:
    assert levenshtein_distance(a, b) == pytest.approx(reference(a, b))
    assert levenshtein_distance(a, b) == levenshtein_distance(b, a)


def test_rapidfuzz_is_loaded_by_the_first_distance_not_by_the_engine() -> None:
    script = (
        "import sys\n"
        "from mockbdd.domain.namespace import Namespace\n"
        "from mockbdd.wire.mappings import parse_stub_mapping\n"
        "from mockbdd.domain.requests import Body, RecordedRequest\n"
        "ns = Namespace('t')\n"
        "ns.add_stub(parse_stub_mapping({'request': {'url': '/a'}, 'response': {}}))\n"
        "hit = RecordedRequest('GET', '/a', '/a', {}, {}, Body(b''))\n"
        "assert ns.serve(hit).response is not None\n"
        "assert 'rapidfuzz' not in sys.modules, 'loaded by matching'\n"
        "miss = RecordedRequest('GET', '/b', '/b', {}, {}, Body(b''))\n"
        "assert ns.near_misses(miss)[0].result.distance > 0\n"
        "assert 'rapidfuzz' in sys.modules, 'not loaded by a near miss'\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_cutoff_keeps_distances_up_to_it_exact_and_reports_farther_ones_as_one() -> None:
    a, b = "x" * 500 + "abcd", "x" * 500 + "abce"  # 1 edit in 504
    assert levenshtein_distance(a, b, cutoff=1 / 504) == 1 / 504
    assert levenshtein_distance(a, b, cutoff=0.5) == 1 / 504
    assert levenshtein_distance("abcd", "wxyz", cutoff=0.5) == 1.0  # 1.0 is above any cutoff
    assert levenshtein_distance("abcd", "abcd", cutoff=0.0) == 0.0


def test_levenshtein_is_zero_only_for_equal_strings_and_exact_when_short() -> None:
    assert levenshtein_distance("kitten", "sitting") == 3 / 7
    assert levenshtein_distance("same" * 600, "same" * 600) == 0.0
    assert levenshtein_distance("ab" * 1000, "ba" * 1000) > 0.0  # same letters, reordered
    # long common ends are stripped first, so a short difference in a long text stays exact
    pad = "x" * 1500
    assert levenshtein_distance(pad + "kitten" + pad, pad + "sitting" + pad) == 3 / 3007
    assert levenshtein_distance("a" * 3000, "b" * 3000) == 1.0
    far = levenshtein_distance("a" * 1000 + "b" * 1000, "b" * 1000 + "a" * 1000)
    near = levenshtein_distance("ab" * 1000, "ab" * 999 + "ba")
    assert 0.0 < near < far <= 1.0
