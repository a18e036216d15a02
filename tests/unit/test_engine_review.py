"""Engine review fixes: cheap near-miss ranking, sorted stub buckets, the Java regex dialect in
URL patterns, scenario-aware near misses, served-stub history and a byte-capped journal."""

from __future__ import annotations

import random
import time
from dataclasses import replace
from typing import Any

import pytest

from mockbdd.domain.delays import MAX_DELAY_MS, LogNormalDelay
from mockbdd.domain.journal import InMemoryJournal, ServeEvent
from mockbdd.domain.matching import levenshtein_distance
from mockbdd.domain.namespace import Namespace
from mockbdd.domain.near_miss import closest_stubs, render_unmatched_report
from mockbdd.domain.request_pattern import RequestPattern
from mockbdd.domain.requests import Body, RecordedRequest
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.domain.stubs import StubMapping, StubStore
from mockbdd.domain.urls import UrlPathEqualTo
from mockbdd.wire.journal import serve_event_json
from mockbdd.wire.mappings import parse_stub_mapping


def req(method: str = "GET", url: str = "/a", body: bytes = b"") -> RecordedRequest:
    return RecordedRequest(
        method=method, url=url, path=url.split("?")[0], query={}, headers={}, body=Body(body)
    )


def stub(**mapping: Any) -> StubMapping:
    if "responses" not in mapping:
        mapping.setdefault("response", {"status": 200})
    stub_id = mapping.pop("id", None)  # short ids read better here; the wire takes UUIDs only
    parsed = parse_stub_mapping(mapping)
    return parsed if stub_id is None else replace(parsed, id=stub_id)


# -- A: near-miss ranking never blocks ----------------------------------------------------------


def test_ranking_long_body_patterns_takes_well_under_a_second() -> None:
    rng = random.Random(7)
    base = "".join(rng.choice("abcdefghij") for _ in range(2000))
    stubs = [
        stub(request={"method": "POST", "urlPath": f"/s{i}", "bodyPatterns": [{"equalTo": body}]})
        for i, body in enumerate(
            ["".join(rng.choice("klmnopqrst") for _ in range(2000)) for _ in range(19)]
            + [base[:1000] + "Z" + base[1001:]]  # one character off the request body
        )
    ]
    started = time.perf_counter()
    misses = closest_stubs(req("POST", "/s19", base.encode()), stubs)
    assert time.perf_counter() - started < 2.0
    assert misses[0].stub is stubs[-1]  # the nearly equal body ranks first


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


# -- C: adding stubs keeps buckets sorted without re-sorting -----------------------------------


def test_adding_20k_stubs_on_one_path_is_fast_and_keeps_match_order() -> None:
    pattern = RequestPattern(method="POST", url=UrlPathEqualTo("/graphql"))
    stubs = [
        StubMapping(str(i), pattern, ResponseDefinition(), {}, priority=1 + i % 3)
        for i in range(20_000)
    ]
    store = StubStore()
    started = time.perf_counter()
    for s in stubs:
        store.add(s)
    assert time.perf_counter() - started < 5.0
    order = [s.id for s in store.candidates("POST", "/graphql")]
    expected = sorted(stubs, key=lambda s: (s.priority, -int(s.id)))
    assert order == [s.id for s in expected]
    assert [s.id for s in store] == order


def test_store_merges_indexed_and_pattern_stubs_and_edits_keep_their_place() -> None:
    store = StubStore()
    old = stub(id="old", request={"urlPath": "/a"})
    pattern = stub(id="pat", request={"urlPathPattern": "/[a-z]"})
    new = stub(id="new", request={"urlPath": "/a"})
    low = stub(id="low", request={"urlPathPattern": "/a"}, priority=9)
    for s in (old, pattern, new, low):
        store.add(s)
    assert [s.id for s in store.candidates("GET", "/a")] == ["new", "pat", "old", "low"]
    store.add(stub(id="old", request={"urlPathPattern": "/a"}), keep_position=True)
    assert [s.id for s in store.candidates("GET", "/a")] == ["new", "pat", "old", "low"]
    store.remove("pat")
    store.add(stub(id="new", request={"urlPath": "/a"}, priority=9), keep_position=True)
    # an edit keeps its insertion place: "low" was added after "new", so it wins among equals
    assert [s.id for s in store.candidates("GET", "/a")] == ["old", "low", "new"]
    assert [s.id for s in store] == ["old", "low", "new"]


# -- D: URL regexes use WireMock's (Java) dialect -----------------------------------------------


@pytest.mark.parametrize("field", ["urlPattern", "urlPathPattern"])
def test_url_patterns_use_the_java_regex_dialect(field: str) -> None:
    s = stub(request={field: "/(?<n>a)\\k<n>"})
    assert s.request.matches(req(url="/aa"))
    assert not s.request.matches(req(url="/ab"))


# -- E: near misses say why a stub was skipped ---------------------------------------------------


def test_near_miss_for_a_stub_waiting_for_another_scenario_state_says_so() -> None:
    ns = Namespace("t")
    ns.add_stub(
        stub(
            name="checkout",
            request={"urlPath": "/cart"},
            scenarioName="cart",
            requiredScenarioState="added",
        )
    )
    request = req(url="/cart")
    assert ns.serve(request).response is None
    misses = ns.near_misses(request)
    assert len(misses) == 1
    assert misses[0].result.distance > 0.0
    report = render_unmatched_report(request, misses)
    assert '✗ scenario "cart"' in report
    assert 'requires state "added"' in report
    assert 'is "Started"' in report
    assert "(distance 0.00)" not in report
    ns.set_scenario_state("cart", "added")
    assert ns.near_misses(request)[0].result.is_exact
    # without the namespace's states, only the request fields are compared (as before)
    assert closest_stubs(request, ns.stubs)[0].result.is_exact


def test_near_miss_for_an_exhausted_not_found_sequence_says_so() -> None:
    ns = Namespace("t")
    ns.add_stub(
        stub(request={"urlPath": "/once"}, responses=[{"status": 201}], whenExhausted="notFound")
    )
    request = req(url="/once")
    assert ns.serve(request).response is not None
    assert ns.serve(request).response is None
    [miss] = ns.near_misses(request)
    assert miss.result.distance > 0.0
    rows = {row.field: row for row in miss.result.fields}
    assert not rows["responses"].result.is_exact
    assert "notFound" in rows["responses"].expected


# -- F: the journal keeps the stub as served, and caps the bytes it holds ------------------------


def test_serve_event_keeps_the_stub_as_it_was_when_served() -> None:
    ns = Namespace("t")
    ns.add_stub(stub(id="s1", request={"urlPath": "/a"}, response={"body": "v1"}))
    event = ns.serve(req(url="/a")).event
    ns.edit_stub(stub(id="s1", request={"urlPath": "/a"}, response={"body": "v2"}))
    current = ns.stubs.get("s1")
    assert event.stub is not None
    assert event.stub_id == "s1"
    assert event.stub.source["response"] == {"status": 200, "body": "v1"}
    assert serve_event_json(event, current)["stubMapping"]["response"]["body"] == "v1"
    ns.remove_stub("s1")
    assert serve_event_json(event)["stubMapping"]["response"]["body"] == "v1"


def test_journal_evicts_oldest_when_request_bodies_exceed_the_byte_cap() -> None:
    journal = InMemoryJournal(max_entries=100, max_body_bytes_total=1000)
    for i in range(5):
        journal.record(ServeEvent(req("POST", f"/p{i}", b"x" * 300), float(i), None))
    assert len(journal) == 3
    assert journal.evicted == 2
    assert journal.body_bytes == 900
    assert [e.request.path for e in journal.events()] == ["/p4", "/p3", "/p2"]
    journal.record(ServeEvent(req("POST", "/huge", b"x" * 5000), 5.0, None))
    assert [e.request.path for e in journal.events()] == ["/huge"]  # the newest always stays
    journal.remove(lambda e: True)
    assert journal.body_bytes == 0


def test_namespace_journal_has_a_default_byte_cap() -> None:
    ns = Namespace("t", journal_max_body_bytes=10)
    ns.serve(req("POST", "/a", b"x" * 8))
    ns.serve(req("POST", "/b", b"x" * 8))
    assert (len(ns.journal), ns.journal.evicted) == (1, 1)
    assert Namespace("d").journal.max_body_bytes_total == 64 * 1024 * 1024


# -- B (domain side): delays are capped whatever the inputs ----------------------------------


def test_sampled_delays_are_capped_and_never_overflow() -> None:
    rng = random.Random(1)
    wild = LogNormalDelay(median=MAX_DELAY_MS, sigma=1e6)
    assert all(0 <= wild.sample_ms(rng) <= MAX_DELAY_MS for _ in range(100))
    ns = Namespace("t")
    assert ns.delay_ms(ResponseDefinition(delay=wild)) <= MAX_DELAY_MS
