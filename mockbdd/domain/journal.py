"""The request journal: bounded, indexed by path, and loud about what it evicted."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from mockbdd.domain.request_pattern import RequestPattern
from mockbdd.domain.requests import RecordedRequest

DEFAULT_JOURNAL_MAX = 10_000


@dataclass(slots=True)
class ResponseRecord:
    """What was answered (filled in when the response is sent; faults leave status 0)."""

    status: int = 0
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    fault: str | None = None


@dataclass(slots=True, eq=False)
class ServeEvent:
    """One request and its fate. Created when the request is matched, completed when answered."""

    id: str
    request: RecordedRequest
    logged_at: float  # epoch seconds
    stub_id: str | None
    response: ResponseRecord = field(default_factory=ResponseRecord)
    queued_ms: float = 0.0
    processing_ms: float = 0.0
    total_ms: float = 0.0
    seq: int = 0

    @property
    def was_matched(self) -> bool:
        return self.stub_id is not None


Listener = Callable[[ServeEvent], None]


class InMemoryJournal:
    """Appends in O(1); ``max_entries`` = 0 disables recording (but counts what was dropped)."""

    def __init__(self, max_entries: int = DEFAULT_JOURNAL_MAX) -> None:
        self.max_entries = max_entries
        self._events: deque[ServeEvent] = deque()
        self._by_path: dict[str, deque[ServeEvent]] = {}
        self._by_id: dict[str, ServeEvent] = {}
        self._listeners: list[Listener] = []
        self._seq = itertools.count(1)
        self.evicted = 0

    @property
    def truncated(self) -> bool:
        return self.evicted > 0

    def __len__(self) -> int:
        return len(self._events)

    def record(self, event: ServeEvent) -> None:
        event.seq = next(self._seq)
        if self.max_entries > 0:
            self._events.append(event)
            self._by_path.setdefault(event.request.path, deque()).append(event)
            self._by_id[event.id] = event
            if len(self._events) > self.max_entries:
                self._evict_oldest()
        else:
            self.evicted += 1
        for listener in tuple(self._listeners):
            listener(event)

    def _evict_oldest(self) -> None:
        old = self._events.popleft()
        bucket = self._by_path[old.request.path]
        bucket.popleft()  # events enter both queues in the same order
        if not bucket:
            del self._by_path[old.request.path]
        del self._by_id[old.id]
        self.evicted += 1

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` for every new event; returns the unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def events(self) -> Iterator[ServeEvent]:
        """Newest first, as WireMock lists them."""
        return reversed(self._events)

    def get(self, event_id: str) -> ServeEvent | None:
        return self._by_id.get(event_id)

    def _scope(self, pattern: RequestPattern) -> Iterable[ServeEvent]:
        path = pattern.url.literal_path
        if path is None:
            return self._events
        return self._by_path.get(path, ())

    def find(self, pattern: RequestPattern) -> list[ServeEvent]:
        """Matching events in arrival order."""
        return [e for e in self._scope(pattern) if pattern.matches(e.request)]

    def count(self, pattern: RequestPattern) -> int:
        return sum(1 for e in self._scope(pattern) if pattern.matches(e.request))

    def remove(self, predicate: Callable[[ServeEvent], bool]) -> list[ServeEvent]:
        removed = [e for e in self._events if predicate(e)]
        if removed:
            self._rebuild([e for e in self._events if not predicate(e)])
        return removed

    def remove_id(self, event_id: str) -> bool:
        return bool(self.remove(lambda e: e.id == event_id)) if event_id in self._by_id else False

    def clear(self) -> None:
        self._rebuild([])
        self.evicted = 0

    def _rebuild(self, events: list[ServeEvent]) -> None:
        self._events = deque(events)
        self._by_path = {}
        for e in events:
            self._by_path.setdefault(e.request.path, deque()).append(e)
        self._by_id = {e.id: e for e in events}
