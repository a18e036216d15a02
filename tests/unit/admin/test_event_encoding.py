"""The event stream's JSON: orjson when installed (mockbdd[speed]), the standard library's when
orjson refuses a value; the same document either way, compact and UTF-8."""

from __future__ import annotations

import json
import random
import tracemalloc

import pytest
from aiohttp.test_utils import make_mocked_request

from mockbdd.admin import event_encoding, events
from mockbdd.domain.journal import InMemoryJournal, ResponseRecord, ServeEvent
from mockbdd.server import recorded
from mockbdd.wire.mappings import parse_stub_mapping


def test_orjson_and_json_write_the_same_document() -> None:
    assert event_encoding.speedups() is not None  # the dev install has mockbdd[speed]
    data = {"seq": 1, "name": "Zoë ☃", "nested": {"a": [1, 2.5, None, True]}, "t": (1, 2)}
    fast = event_encoding.encode(data)
    assert fast == json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    assert "Zoë ☃".encode() in fast  # UTF-8, not escaped


def test_what_orjson_refuses_json_still_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    big = {"n": 2**70}
    assert event_encoding.encode(big) == b'{"n":1180591620717411303424}'
    monkeypatch.setattr(event_encoding, "orjson", None)
    assert event_encoding.encode({"a": "é"}) == '{"a":"é"}'.encode()


def test_an_encoded_event_holds_only_its_own_bytes() -> None:
    """orjson's bytes keep its 16 KiB working buffer; a history of 10,000 events would hold
    160 MiB for 15 MiB of JSON (seen as the server's RSS with one listener)."""
    data = {"body": "x" * 1500}
    tracemalloc.start()
    try:
        kept = [event_encoding.encode(data) for _ in range(1000)]
        used = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(kept) == 1000
    assert used < 1000 * 4096  # about 1.5 KiB each, never the 16 KiB buffer


def _alike_events(times: list[tuple[float, float]]) -> list[events.Entry]:
    """Serve events of one request to one stub, logged at and taking the given (epoch s, ms)."""
    stub = parse_stub_mapping({"request": {"urlPath": "/a%d"}, "response": {"status": 200}})
    journal = InMemoryJournal()
    record = ResponseRecord(200, (("Content-Type", "text/plain; q=%s"),), b"")
    record_request = recorded.Recorder()
    out = []
    for seq, (logged_at, ms) in enumerate(times, start=1):
        request = make_mocked_request("GET", "/a%25d?x=%25s%s", headers={"X-P": "100%"})
        event = ServeEvent(record_request(request, "/a%25d", b""), logged_at, stub=stub)
        journal.record(event)
        journal.complete(event, record, ms / 3, ms, ms / 7)
        event.added_delay_ms = ms / 2
        out.append(events.Entry(seq, events.SERVE, "default", event))
    return out


def test_alike_serve_events_from_their_template_are_their_own_json() -> None:
    """From the second alike event on, the encoder fills a template; every one must be the
    event's own JSON, '%' in the request and the answer kept, times on the edge of a
    millisecond and timings on the edge of rounding written as ``iso_time`` and ``round``."""
    rng = random.Random(20261204)
    edges = [1764806400.0009999999, 1764806400.9995, 1764806400.99999951, 1764806401.5]
    times = [(t, ms) for t in edges for ms in (0.0, 0.5, 1.5, 2.5, 1e-9, 30.49999)]
    times += [(1764806400 + rng.random() * 100, rng.random() * 50) for _ in range(300)]
    encoder = event_encoding.EventEncoder()
    entries = _alike_events(times)
    for entry in entries:
        assert encoder.encode(entry) == event_encoding.encode(entry.json())
    assert len(encoder._templates) == 1  # the template did the work after the first


def test_alike_serve_events_encoded_a_batch_at_a_time_are_their_own_json() -> None:
    """The batch path (``encode_many``: a loop turn's events of one request, stub and record)
    writes what encoding each event afresh writes, whatever the batch: within one second, one
    crossing a second, a millisecond's edge (the date's carry), mixed with other events."""
    rng = random.Random(20261205)
    edges = [1764806400.0009999999, 1764806400.9995, 1764806400.99999951, 1764806401.5]
    times = [(t, ms) for t in edges for ms in (0.0, 0.5, 1.5, 2.5, 1e-9, 30.49999)]
    times += [(1764806400 + i / 97 + rng.random() / 1000, rng.random() * 50) for i in range(600)]
    entries = _alike_events(times)
    other = _alike_events([(1764806400.5, 1.0)] * 3)  # another stub: not alike the rest
    stub_event = events.Entry(10_000, "stub.created", "default", other[0].payload.stub)
    entries[100:100] = [*other, stub_event]
    encoder = event_encoding.EventEncoder()
    at = 0
    while at < len(entries):
        size = rng.choice((1, 4, 5, 20, 64, 97))
        batch = entries[at : at + size]
        got = encoder.encode_many(batch)
        assert got == [event_encoding.encode(e.json()) for e in batch]
        assert [e.encoded for e in batch] == got  # kept for a second listener
        at += size
    assert encoder.encode_many(entries[:50]) == [e.encoded for e in entries[:50]]
