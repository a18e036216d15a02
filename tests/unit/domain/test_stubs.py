"""The stub store (domain/stubs.py): order by priority then newest, prefiltering, sorted buckets."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mockbdd.domain.request_pattern import RequestPattern
from mockbdd.domain.responses import (
    ResponseDefinition,
)
from mockbdd.domain.stubs import StubMapping, StubStore
from mockbdd.domain.urls import UrlPathEqualTo
from mockbdd.wire.mappings import parse_stub_mapping


def stub(**mapping: Any) -> StubMapping:
    if "responses" not in mapping:
        mapping.setdefault("response", {"status": 200})
    stub_id = mapping.pop("id", None)  # short ids read better here; the wire takes UUIDs only
    parsed = parse_stub_mapping(mapping)
    return parsed if stub_id is None else replace(parsed, id=stub_id)


def test_20k_stubs_added_on_one_path_keep_the_match_order() -> None:
    pattern = RequestPattern(method="POST", url=UrlPathEqualTo("/graphql"))
    stubs = [
        StubMapping(str(i), pattern, ResponseDefinition(), {}, priority=1 + i % 3)
        for i in range(20_000)
    ]
    store = StubStore()
    for s in stubs:
        store.add(s)
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
