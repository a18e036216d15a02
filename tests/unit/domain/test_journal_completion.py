"""Journals: completion sets an event's answer once and tells completed listeners; the null
journal for ``--journal-max 0`` keeps nothing but numbers events and counts what it dropped."""

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
