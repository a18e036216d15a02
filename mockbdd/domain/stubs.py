"""Stub mappings and the store that orders them (priority, newest first) and indexes them by path."""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterator, Mapping
from typing import Any

from mockbdd.domain.listeners import ListenerCall
from mockbdd.domain.request_pattern import RequestPattern
from mockbdd.domain.responses import ResponseDefinition, ResponseSequence
from mockbdd.records import record

DEFAULT_PRIORITY = 5
_CACHE_LIMIT = 4096


@record
class StubMapping:
    """A stub as configured. ``source`` is its WireMock JSON, as the admin API returns it."""

    id: str
    request: RequestPattern
    response: ResponseDefinition | ResponseSequence
    source: Mapping[str, Any]
    priority: int = DEFAULT_PRIORITY
    name: str | None = None
    scenario_name: str | None = None
    required_scenario_state: str | None = None
    new_scenario_state: str | None = None
    metadata: Mapping[str, Any] | None = None
    persistent: bool = False
    listeners: tuple[ListenerCall, ...] = ()  # serveEventListeners and postServeActions


@record
class _Entry:
    order: tuple[int, int]  # (priority, -insertion sequence): smaller sorts first, and is unique
    stub: StubMapping


def _order(entry: _Entry) -> tuple[int, int]:
    return entry.order


class StubStore:
    """Stubs of one namespace. ``candidates(path)`` serves from an index, never a scan of all stubs."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._by_path: dict[str, list[_Entry]] = {}
        self._unindexed: list[_Entry] = []
        self._seq = 0
        self._cache: dict[tuple[str, str], tuple[StubMapping, ...]] = {}
        self._ordered: tuple[StubMapping, ...] | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[StubMapping]:
        """Every stub, in match order (highest priority, then newest, first)."""
        return iter(self.snapshot())

    def snapshot(self) -> tuple[StubMapping, ...]:
        """Every stub in match order, as an immutable tuple: sorted once per change of the
        store, so a near-miss search or a listing takes it without copying."""
        if self._ordered is None:
            self._ordered = tuple(e.stub for e in sorted(self._entries.values(), key=_order))
        return self._ordered

    def get(self, stub_id: str) -> StubMapping | None:
        entry = self._entries.get(stub_id)
        return entry.stub if entry else None

    def add(self, stub: StubMapping, *, keep_position: bool = False) -> None:
        """Add, or replace the stub with the same id: as the newest, or (an edit) where it was."""
        old = self._entries.get(stub.id)
        self.remove(stub.id)
        if keep_position and old is not None:
            seq = -old.order[1]
        else:
            self._seq += 1
            seq = self._seq
        entry = _Entry((stub.priority, -seq), stub)
        self._entries[stub.id] = entry
        path = stub.request.url.literal_path
        bucket = self._unindexed if path is None else self._by_path.setdefault(path, [])
        bisect.insort(bucket, entry, key=_order)  # buckets stay sorted: O(log n) search per add
        self._changed()

    def remove(self, stub_id: str) -> StubMapping | None:
        entry = self._entries.pop(stub_id, None)
        if entry is None:
            return None
        path = entry.stub.request.url.literal_path
        bucket = self._unindexed if path is None else self._by_path[path]
        del bucket[bisect.bisect_left(bucket, entry.order, key=_order)]  # orders are unique
        if path is not None and not bucket:
            del self._by_path[path]
        self._changed()
        return entry.stub

    def clear(self) -> None:
        self._entries.clear()
        self._by_path.clear()
        self._unindexed.clear()
        self._changed()

    def _changed(self) -> None:
        self._cache.clear()
        self._ordered = None

    def candidates(self, method: str, path: str) -> tuple[StubMapping, ...]:
        """Stubs that may match ``method path``, in match order; cached per (method, path).

        Literal paths come from the index; pattern stubs are pre-filtered on method and path
        once per cache entry, so the hot path only runs the remaining checks.
        """
        key = (method, path)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        entries = heapq.merge(self._by_path.get(path, ()), self._unindexed, key=_order)
        result = tuple(
            e.stub
            for e in entries
            if e.stub.request.accepts_method(method) and e.stub.request.url.may_match_path(path)
        )
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = result
        return result


class StubsView:
    """A namespace's stubs, read-only: what the admin API lists and looks up. Changes go
    through the namespace, which keeps cursors and scenario states in step with them."""

    __slots__ = ("_store",)

    def __init__(self, store: StubStore) -> None:
        self._store = store

    def __len__(self) -> int:
        return len(self._store)

    def __iter__(self) -> Iterator[StubMapping]:
        """Every stub, in match order (highest priority, then newest, first)."""
        return iter(self._store)

    def get(self, stub_id: str) -> StubMapping | None:
        return self._store.get(stub_id)

    def snapshot(self) -> tuple[StubMapping, ...]:
        return self._store.snapshot()

    def candidates(self, method: str, path: str) -> tuple[StubMapping, ...]:
        """The stubs that may answer ``method path``, in match order (the data plane's index)."""
        return self._store.candidates(method, path)
