"""The event stream's JSON: orjson when installed (mockbdd[speed]), the standard library's when
orjson refuses a value; the same document either way, compact and UTF-8."""

from __future__ import annotations

import json
import tracemalloc

import pytest

from mockbdd.admin import events


def test_orjson_and_json_write_the_same_document() -> None:
    assert events.speedups() is not None  # the dev install has mockbdd[speed]
    data = {"seq": 1, "name": "Zoë ☃", "nested": {"a": [1, 2.5, None, True]}, "t": (1, 2)}
    fast = events.encode(data)
    assert fast == json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    assert "Zoë ☃".encode() in fast  # UTF-8, not escaped


def test_what_orjson_refuses_json_still_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    big = {"n": 2**70}
    assert events.encode(big) == b'{"n":1180591620717411303424}'
    monkeypatch.setattr(events, "orjson", None)
    assert events.encode({"a": "é"}) == '{"a":"é"}'.encode()


def test_an_encoded_event_holds_only_its_own_bytes() -> None:
    """orjson's bytes keep its 16 KiB working buffer; a history of 10,000 events would hold
    160 MiB for 15 MiB of JSON (seen as the server's RSS with one listener)."""
    data = {"body": "x" * 1500}
    tracemalloc.start()
    try:
        kept = [events.encode(data) for _ in range(1000)]
        used = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(kept) == 1000
    assert used < 1000 * 4096  # about 1.5 KiB each, never the 16 KiB buffer
