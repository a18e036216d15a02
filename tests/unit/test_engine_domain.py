"""Domain engine without sockets: store order and index, sequences, journal bounds, namespaces."""

from __future__ import annotations

from typing import Any

import pytest

from mockbdd.domain.engine import Engine, NamespaceExists
from mockbdd.domain.errors import InvalidInput, NotFound
from mockbdd.domain.journal import InMemoryJournal, ServeEvent
from mockbdd.domain.requests import Body, RecordedRequest
from mockbdd.domain.responses import ResponseDefinition as R
from mockbdd.domain.responses import ResponseSequence, SequenceItem, WhenExhausted
from mockbdd.domain.stubs import StubStore
from mockbdd.wire.mappings import parse_request_pattern, parse_stub_mapping


def req(method: str = "GET", url: str = "/a", body: bytes = b"") -> RecordedRequest:
    path, _, qs = url.partition("?")
    query: dict[str, list[str]] = {}
    for part in filter(None, qs.split("&")):
        k, _, v = part.partition("=")
        query.setdefault(k, []).append(v)
    return RecordedRequest(
        method=method, url=url, path=path, query=query, headers={}, body=Body(body)
    )


def stub(**mapping: Any) -> Any:
    mapping.setdefault("response", {"status": 200})
    return parse_stub_mapping(mapping)


def test_store_orders_by_priority_then_newest() -> None:
    store = StubStore()
    low = stub(request={"urlPath": "/a"}, priority=9)
    old = stub(request={"urlPath": "/a"})
    new = stub(request={"urlPathPattern": "/a"})
    for s in (low, old, new):
        store.add(s)
    assert [s.id for s in store.candidates("GET", "/a")] == [new.id, old.id, low.id]
    store.remove(new.id)
    assert [s.id for s in store.candidates("GET", "/a")] == [old.id, low.id]


def test_store_prefilters_pattern_stubs_by_method_and_path() -> None:
    store = StubStore()
    post_only = stub(request={"method": "POST", "urlPathPattern": "/orders/[0-9]+"})
    other_path = stub(request={"urlPathPattern": "/users/.*"})
    store.add(post_only)
    store.add(other_path)
    assert store.candidates("GET", "/orders/1") == ()
    assert [s.id for s in store.candidates("POST", "/orders/1")] == [post_only.id]


def test_sequence_cursor_semantics() -> None:
    a, b = R(status=201), R(status=202)
    seq = ResponseSequence((SequenceItem(a, 2), SequenceItem(b, 1)))
    assert [seq.response_at(i) for i in range(5)] == [a, a, b, b, b]
    loop = ResponseSequence((SequenceItem(a), SequenceItem(b)), WhenExhausted.LOOP)
    assert [loop.response_at(i) for i in range(4)] == [a, b, a, b]
    nf = ResponseSequence((SequenceItem(a),), WhenExhausted.NOT_FOUND)
    assert nf.response_at(1) is None
    assert nf.is_exhausted(1)
    assert not nf.is_exhausted(0)


def test_journal_evicts_oldest_and_keeps_index_consistent() -> None:
    journal = InMemoryJournal(max_entries=3)
    for i in range(5):
        journal.record(ServeEvent(req(url=f"/p{i % 2}"), float(i), None))
    assert len(journal) == 3
    assert journal.evicted == 2
    assert journal.truncated
    assert journal.count(parse_request_pattern({"urlPath": "/p0"})) == 2
    assert journal.count(parse_request_pattern({"urlPath": "/p1"})) == 1
    newest = next(journal.events())
    assert journal.get(newest.id) is newest
    assert journal.remove_id(newest.id)
    assert journal.get(newest.id) is None
    journal.clear()
    assert (len(journal), journal.evicted) == (0, 0)


def test_event_ids_are_uuid_shaped_and_unique() -> None:
    import uuid

    journal = InMemoryJournal()
    events = [ServeEvent(req(), 0.0, None) for _ in range(3)]
    for e in events:
        journal.record(e)
    ids = {e.id for e in events}
    assert len(ids) == 3
    for i in ids:
        uuid.UUID(i)


def test_namespace_serve_transitions_scenario_atomically() -> None:
    engine = Engine()
    ns = engine.default
    ns.add_stub(
        stub(
            request={"urlPath": "/s"},
            scenarioName="x",
            requiredScenarioState="Started",
            newScenarioState="done",
            response={"status": 201},
        )
    )
    first = ns.serve(req(url="/s"))
    second = ns.serve(req(url="/s"))
    assert first.response is not None
    assert first.response.status == 201
    assert second.response is None
    assert ns.scenario_state("x") == "done"
    assert len(ns.journal) == 2


def test_engine_namespace_rules() -> None:
    now = [0.0]
    engine = Engine(clock=lambda: now[0])
    ns = engine.create("a", ttl_seconds=10)
    with pytest.raises(NamespaceExists):
        engine.create("a")
    with pytest.raises(InvalidInput):
        engine.create("bad name")
    with pytest.raises(InvalidInput):
        engine.delete("default")
    with pytest.raises(NotFound):
        engine.delete("missing")
    now[0] = 9.0
    assert engine.expire() == []
    now[0] = 10.5
    assert [n.name for n in engine.expire()] == [ns.name]
    assert engine.get("a") is None


def test_request_pattern_distance_ranks_closer_requests_first() -> None:
    pattern = parse_request_pattern({"method": "GET", "url": "/users/1"})
    near = pattern.evaluate(req(url="/users/2")).distance
    far = pattern.evaluate(req(method="POST", url="/completely/else")).distance
    assert 0 < near < far
    assert pattern.evaluate(req(url="/users/1")).is_exact


def test_count_tallies_agree_with_a_scan_and_do_not_leak() -> None:
    journal = InMemoryJournal(max_entries=4)
    urls = ["/a", "/a?x=1", "/b", "/a", "/a?y=2", "/c?z=3"]
    for i, url in enumerate(urls):
        journal.record(ServeEvent(req(method="GET" if i % 2 else "POST", url=url), 0.0, None))
    patterns = [
        {"method": "GET", "urlPath": "/a"},
        {"method": "ANY", "urlPath": "/a"},
        {"method": "POST", "url": "/a"},
        {"method": "ANY", "url": "/a?y=2"},
        {"method": "GET", "urlPath": "/c"},
        # a path never holds '?': real WireMock 3.13.2 counts 0 for urlPath "/a?y=2"
        {"method": "ANY", "urlPath": "/a?y=2"},
    ]
    for raw in patterns:
        pattern = parse_request_pattern(raw)
        assert pattern.simple_url is not None
        scanned = sum(1 for e in journal.events() if pattern.matches(e.request))
        assert journal.count(pattern) == scanned, raw
    journal.clear()
    assert journal._url_tally == {}
    assert journal._path_tally == {}
    for i in range(10):
        journal.record(ServeEvent(req(url=f"/u{i}?q={i}"), 0.0, None))
    assert len(journal._url_tally) == 4  # only the 4 kept requests
    assert len(journal._path_tally) == 4


def test_admin_log_filter_only_hides_calls_to_our_engine() -> None:
    import logging

    from mockbdd.bdd.session import _AdminCallFilter

    quiet = _AdminCallFilter("http://127.0.0.1:5000")

    def record(message: str) -> logging.LogRecord:
        return logging.LogRecord("httpx", logging.INFO, __file__, 1, message, None, None)

    assert not quiet.filter(
        record('HTTP Request: POST http://127.0.0.1:5000/__admin/mappings "201"')
    )
    assert quiet.filter(record('HTTP Request: POST http://wiremock:8080/__admin/mappings "201"'))
    assert quiet.filter(record('HTTP Request: GET http://127.0.0.1:5000/__ns/x/payments "200"'))
