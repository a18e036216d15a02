"""The shared phrase patterns: what they match, what they never swallow, and that the project's
feature files use every one of them."""

from __future__ import annotations

import re
from pathlib import Path

import parse
import pytest

from mockbdd.bdd import vocabulary as v

ROOT = Path(__file__).resolve().parents[2]


def match(pattern: str, text: str) -> dict[str, object] | None:
    found = parse.compile(pattern, extra_types=v.TYPES, case_sensitive=True).parse(text)
    return dict(found.named) if found else None


def test_status_phrase_parses_typed_values() -> None:
    got = match(v.STUB_STATUS, '"payments" responds to POST /v1/charges with status 503')
    assert got == {"service": "payments", "method": "POST", "path": "/v1/charges", "status": 503}


def test_status_phrase_never_swallows_the_times_phrase() -> None:
    text = '"payments" responds to POST /v1/charges with status 503 2 times, then with status 200'
    assert match(v.STUB_STATUS, text) is None
    assert match(v.STUB_TIMES_THEN, text) == {
        "service": "payments",
        "method": "POST",
        "path": "/v1/charges",
        "status": 503,
        "times": 2,
        "then_status": 200,
    }


def test_patterns_are_case_sensitive() -> None:
    assert match(v.STUB_STATUS, '"payments" responds to post /v1/charges with status 503') is None
    assert match(v.STUB_STATUS, '"payments" Responds to POST /v1/charges with status 503') is None


@pytest.mark.parametrize(
    ("text", "ms"),
    [("250 ms", 250), ("250ms", 250), ("2 s", 2000), ("1.5s", 1500)],
)
def test_durations(text: str, ms: int) -> None:
    got = match(v.STUB_DELAY, f'"inventory" responds to GET /v1/items after {text}')
    assert got is not None
    assert got["delay"] == ms


def test_received_count_takes_both_spellings() -> None:
    one = match(v.RECEIVED_COUNT_ONE, '"p" should have received 1 GET request to /a')
    many = match(v.RECEIVED_COUNT, '"p" should have received 2 GET requests to /a')
    assert one is not None
    assert many is not None
    assert (one["count"], many["count"]) == (1, 2)


def test_no_two_phrases_match_the_same_text() -> None:
    samples = [
        '"s" responds to GET /a with status 200',
        '"s" responds to GET /a with status 200 and body:',
        '"s" responds to GET /a with status 200 and JSON body:',
        '"s" responds to GET /a with status 200 and headers:',
        '"s" responds to GET /a with these responses in order:',
        '"s" responds to GET /a with status 503 2 times, then with status 200',
        '"s" responds to GET /a after 2 s',
        '"s" responds to GET /a with status 200 only when the request matches:',
        '"s" should have received a GET request to /a with JSON body:',
        '"s" should have received a GET request to /a with body:',
        '"s" should have received a GET request to /a with header "X" equal to "y"',
        '"s" should have received a GET request to /a without header "X"',
        '"s" should have received a GET request to /a with query parameter "q" equal to "y"',
    ]
    for text in samples:
        hits = [p.number for p in v.PHRASES if match(p.pattern, text) is not None]
        assert len(hits) == 1, (text, hits)


def _feature_steps() -> list[str]:
    steps = []
    keyword = re.compile(r"^\s*(Given|When|Then|And|But)\s+(.*)$")
    for feature in sorted((ROOT / "features").glob("*.feature")):
        for line in feature.read_text().splitlines():
            found = keyword.match(line)
            if found:
                steps.append(found.group(2).strip())
    return steps


def test_the_project_features_use_every_phrase() -> None:
    steps = _feature_steps()
    unused = [
        f"{p.number}: {p.pattern}"
        for p in v.PHRASES
        if not any(match(p.pattern, text) is not None for text in steps)
    ]
    assert not unused, "phrases no feature file uses:\n" + "\n".join(unused)


def test_the_project_features_use_every_tag_form() -> None:
    text = "\n".join(f.read_text() for f in (ROOT / "features").glob("*.feature"))
    assert re.search(r"^@mock:\w+\nFeature:", text, re.M), "feature-level tag"
    assert re.search(r"^  @mock:\S+\n  Rule:", text, re.M), "rule-level tag"
    assert re.search(r"^    @mock:\S+\n    Examples:", text, re.M), "examples-level tag"
    assert re.search(r"@mock:\w+:\w+=\S+", text), "tag parameters"
    assert "@mock:base:off" in text
    assert "@mockbdd:strict" in text
    assert "@mockbdd:shared" in text
