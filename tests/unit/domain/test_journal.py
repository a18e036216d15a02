"""The journal (domain/journal.py): eviction by count and by bytes, ids, count tallies, completion."""

from __future__ import annotations

import pytest

from mockbdd.domain.journal import (
    PENDING,
    DisabledJournal,
    InMemoryJournal,
    Journal,
    ResponseRecord,
    ServeEvent,
    new_journal,
)
from mockbdd.domain.requests import Body, RecordedRequest
from mockbdd.wire.mappings import parse_request_pattern


def req(method: str = "GET", url: str = "/a", body: bytes = b"") -> RecordedRequest:
    path, _, qs = url.partition("?")
    query: dict[str, list[str]] = {}
    for part in filter(None, qs.split("&")):
        k, _, v = part.partition("=")
        query.setdefault(k, []).append(v)
    return RecordedRequest(
        method=method, url=url, path=path, query=query, headers={}, body=Body(body)
    )


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


def test_a_shared_request_leaving_as_it_comes_again_keeps_tallies_and_buckets_exact() -> None:
    """A repeated request shares its RecordedRequest (``server.recorded.Recorder``): when the
    entry that leaves is that very request, the journal skips its tallies and body bytes; the
    counts, the per-path lists, the order and the evictions stay as a scan of the kept
    entries says, whatever the mix of shared and own requests."""
    shared = [req("GET", "/a?x=1"), req("POST", "/b", b"12345"), req("GET", "/a")]
    patterns = [
        parse_request_pattern(raw)
        for raw in (
            {"method": "GET", "urlPath": "/a"},
            {"method": "ANY", "url": "/a?x=1"},
            {"method": "POST", "url": "/b"},
            {"method": "ANY", "urlPath": "/c"},
        )
    ]
    journal = InMemoryJournal(max_entries=5, max_body_bytes_total=12)
    order = [0, 0, 0, 0, 0, 0, 1, 0, 1, 2, 2, 2, 2, 2, 2, 0, None, 0, 0, 0, 0, 0, 1, 1, 1]
    for n, which in enumerate(order, start=1):
        request = req("GET", "/c?q=1") if which is None else shared[which]
        journal.record(ServeEvent(request, float(n)))
        kept = list(journal.events())
        for pattern in patterns:
            assert journal.count(pattern) == sum(1 for e in kept if pattern.matches(e.request))
            assert journal.find(pattern) == [
                e for e in reversed(kept) if pattern.matches(e.request)
            ]
        assert journal.body_bytes == sum(len(e.request.body.raw) for e in kept)
        assert journal.body_bytes <= 12 or len(kept) == 1
        assert len(kept) + journal.evicted == n
        assert [e.logged_at for e in kept] == sorted((e.logged_at for e in kept), reverse=True)
        assert kept[0].logged_at == float(n)
    journal.clear()
    assert journal._url_tally == {}
    assert journal._path_tally == {}
    assert journal.body_bytes == 0


def event(url: str = "/a") -> ServeEvent:
    request = RecordedRequest(method="GET", url=url, path=url, query={}, headers={}, body=Body(b""))
    return ServeEvent(request, 0.0)


def test_new_journal_picks_the_null_journal_for_zero_entries() -> None:
    assert isinstance(new_journal(0), DisabledJournal)
    assert isinstance(new_journal(1), InMemoryJournal)
    with pytest.raises(ValueError, match="new_journal"):
        InMemoryJournal(0)


def test_a_response_record_is_built_once_and_cannot_be_changed() -> None:
    record = ResponseRecord(200, (("X", "1"),), b"ok")
    with pytest.raises(AttributeError):
        record.status = 500  # type: ignore[misc]
    assert ResponseRecord() == PENDING
    assert PENDING.status == 0


@pytest.mark.parametrize("journal", [InMemoryJournal(10), DisabledJournal()], ids=type)
def test_completion_tells_completed_listeners_after_arrival_listeners(journal: Journal) -> None:
    heard: list[tuple[str, ResponseRecord]] = []
    journal.subscribe(lambda e: heard.append(("arrived", e.response)))
    journal.subscribe_completed(lambda e: heard.append(("completed", e.response)))
    e = event()
    journal.record(e)
    record = ResponseRecord(404, (), b"no")
    journal.complete(e, record, 1.0, 2.0)
    assert heard == [("arrived", PENDING), ("completed", record)]
    assert (e.processing_ms, e.total_ms, e.queued_ms) == (1.0, 2.0, 0.0)


def test_the_null_journal_keeps_nothing_and_counts_what_it_dropped() -> None:
    journal = DisabledJournal()
    first, second = event("/a"), event("/b")
    journal.record(first)
    journal.record(second)
    assert first.id != second.id
    assert first.id.endswith("1")
    assert second.id.endswith("2")
    pattern = parse_request_pattern({"urlPath": "/a"})
    assert (len(journal), list(journal.events()), journal.get(first.id)) == (0, [], None)
    assert (journal.find(pattern), journal.count(pattern)) == ([], 0)
    assert journal.remove(lambda e: True) == []
    assert journal.remove_id(first.id) is False
    assert (journal.max_entries, journal.evicted, journal.truncated) == (0, 2, True)
    journal.clear()
    assert (journal.evicted, journal.truncated) == (0, False)
