"""The request journal: bounded, indexed by path, and loud about what it evicted."""

from __future__ import annotations

import itertools
import secrets
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple, Protocol

from mockbdd.domain.request_pattern import RequestPattern
from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.stubs import StubMapping

DEFAULT_JOURNAL_MAX = 10_000
DEFAULT_JOURNAL_BODY_BYTES = 64 * 1024 * 1024  # request bodies kept per journal (namespace)


class ResponseRecord(NamedTuple):
    """What was answered, built once when the exchange completes (faults leave status 0)."""

    status: int = 0
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    fault: str | None = None


PENDING = ResponseRecord()  # shared: an event whose answer is not known yet (delayed, in flight)


class SubEvent(NamedTuple):
    """Something that happened to a serve event after the fact (a webhook's request and its
    answer, an error), as WireMock's ``subEvents`` entries."""

    type: str
    offset_ns: int  # after the request was logged
    data: Mapping[str, Any]


class ServeEvent:
    """One request and its fate. Created when the request is matched, completed (once, by the
    journal's ``complete``) when it has been answered.

    ``stub`` is the stub mapping as it was when it served the request: a later edit or removal
    of the stub does not rewrite history. ``admitted_by`` names the admit stage that answered
    instead of the stubs (a limit's 429): such a request was not matched, but it is not an
    unmatched request either (:attr:`unmatched`). The id is UUID-shaped and derived from the journal's
    random prefix and the event's sequence number on demand: minting a random UUID per request
    costs a syscall on the hot path.
    """

    __slots__ = (
        "_prefix",
        "added_delay_ms",
        "admitted_by",
        "logged_at",
        "processing_ms",
        "queued_ms",
        "request",
        "response",
        "seq",
        "stub",
        "stub_id",
        "sub_events",
        "total_ms",
    )

    def __init__(
        self,
        request: RecordedRequest,
        logged_at: float,
        stub_id: str | None = None,
        stub: StubMapping | None = None,
        admitted_by: str | None = None,
    ) -> None:
        self.request = request
        self.admitted_by = admitted_by
        self.logged_at = logged_at  # epoch seconds
        self.stub = stub
        self.stub_id = stub.id if stub is not None else stub_id
        self.response = PENDING  # replaced, never mutated, when the answer is known
        self.queued_ms = 0.0
        self.added_delay_ms = 0.0  # the whole delay applied (stub, settings, network, load)
        self.processing_ms = 0.0
        self.total_ms = 0.0
        self.seq = 0
        self._prefix = ""
        self.sub_events: tuple[SubEvent, ...] = ()  # replaced, never mutated (readers iterate)

    @property
    def id(self) -> str:
        return f"{self._prefix}{self.seq:012x}"

    @property
    def id_prefix(self) -> str:
        """What :attr:`id` is before the event's number: its journal's (random) prefix."""
        return self._prefix

    @property
    def was_matched(self) -> bool:
        return self.stub_id is not None

    @property
    def unmatched(self) -> bool:
        """No stub matched and no admit stage answered: what the unmatched lists show."""
        return self.stub_id is None and self.admitted_by is None

    def add_sub_event(self, type: str, data: Mapping[str, Any], now: float) -> None:
        """Append a sub-event that happened at epoch second ``now``."""
        offset = max(0, round((now - self.logged_at) * 1e9))
        self.sub_events = (*self.sub_events, SubEvent(type, offset, data))


Tally = dict[str, dict[str, int]]  # URL (or path) -> method -> requests journaled


def _bump(tally: Tally, method: str, target: str, delta: int) -> None:
    by_method = tally.get(target)
    if by_method is None:
        tally[target] = {method: delta}
        return
    value = by_method.get(method, 0) + delta
    if value:
        by_method[method] = value
        return
    del by_method[method]  # unique URLs must not leave zero entries behind after eviction
    if not by_method:
        del tally[target]


def _tallied(tally: Tally, method: str, target: str) -> int:
    by_method = tally.get(target)
    if by_method is None:
        return 0
    return sum(by_method.values()) if method == "ANY" else by_method.get(method, 0)


Listener = Callable[[ServeEvent], None]
Unsubscribe = Callable[[], None]


class JournalReader(Protocol):
    """What the admin API reads from a journal (``Namespace.journal``): no mutation."""

    @property
    def max_entries(self) -> int: ...

    @property
    def truncated(self) -> bool: ...

    @property
    def evicted(self) -> int: ...

    def __len__(self) -> int: ...

    def events(self) -> Iterator[ServeEvent]:
        """Newest first, as WireMock lists them."""
        ...

    def get(self, event_id: str) -> ServeEvent | None: ...

    def find(self, pattern: RequestPattern) -> list[ServeEvent]: ...

    def count(self, pattern: RequestPattern) -> int: ...

    def subscribe(self, listener: Listener) -> Unsubscribe:
        """Call ``listener`` for every event when it is recorded (its answer still ``PENDING``):
        what waits for a request to *arrive* needs (``POST /requests/wait``)."""
        ...

    def subscribe_completed(self, listener: Listener) -> Unsubscribe:
        """Call ``listener`` for every event once its exchange has completed (response and
        timings known): what metrics and event streams need."""
        ...


class Journal(JournalReader, Protocol):
    """A namespace's request journal: the reader, and what the namespace changes in it."""

    def record(self, event: ServeEvent) -> None: ...

    def complete(
        self,
        event: ServeEvent,
        response: ResponseRecord,
        processing_ms: float,
        total_ms: float,
        queued_ms: float = 0.0,
    ) -> None:
        """Finish ``event``: its answer and timings, set once; completed listeners are told."""
        ...

    def remove(self, predicate: Callable[[ServeEvent], bool]) -> list[ServeEvent]: ...

    def remove_id(self, event_id: str) -> bool: ...

    def clear(self) -> None: ...


def new_journal(
    max_entries: int = DEFAULT_JOURNAL_MAX, max_body_bytes_total: int = DEFAULT_JOURNAL_BODY_BYTES
) -> Journal:
    """The journal for ``--journal-max``: :class:`DisabledJournal` for 0, else in memory."""
    if max_entries <= 0:
        return DisabledJournal()
    return InMemoryJournal(max_entries, max_body_bytes_total)


class _Announcer:
    """Event ids and the two kinds of listeners, shared by both journals."""

    def __init__(self) -> None:
        token = secrets.token_hex(10)
        self._prefix = f"{token[:8]}-{token[8:12]}-4{token[13:16]}-8{token[17:20]}-"
        self._seq = itertools.count(1)
        self._listeners: list[Listener] = []
        self._completed: list[Listener] = []

    def complete(
        self,
        event: ServeEvent,
        response: ResponseRecord,
        processing_ms: float,
        total_ms: float,
        queued_ms: float = 0.0,
    ) -> None:
        event.response = response
        event.processing_ms = processing_ms
        event.total_ms = total_ms
        event.queued_ms = queued_ms
        if self._completed:
            for listener in tuple(self._completed):
                listener(event)

    def subscribe(self, listener: Listener) -> Unsubscribe:
        return _add(self._listeners, listener)

    def subscribe_completed(self, listener: Listener) -> Unsubscribe:
        return _add(self._completed, listener)


def _add(listeners: list[Listener], listener: Listener) -> Unsubscribe:
    listeners.append(listener)
    return lambda: listeners.remove(listener) if listener in listeners else None


class DisabledJournal(_Announcer):
    """``--journal-max 0``: keeps nothing, counts what it dropped; listeners still hear every
    event (a wait or an event stream works without a journal)."""

    max_entries = 0

    def __init__(self) -> None:
        super().__init__()
        self.evicted = 0

    def __len__(self) -> int:
        return 0

    @property
    def truncated(self) -> bool:
        return self.evicted > 0  # as the admin API has always said of a disabled journal

    def record(self, event: ServeEvent) -> None:
        event.seq = next(self._seq)
        event._prefix = self._prefix
        self.evicted += 1
        for listener in tuple(self._listeners):
            listener(event)

    def events(self) -> Iterator[ServeEvent]:
        return iter(())

    def get(self, event_id: str) -> ServeEvent | None:
        return None

    def find(self, pattern: RequestPattern) -> list[ServeEvent]:
        return []

    def count(self, pattern: RequestPattern) -> int:
        return 0

    def remove(self, predicate: Callable[[ServeEvent], bool]) -> list[ServeEvent]:
        return []

    def remove_id(self, event_id: str) -> bool:
        return False

    def clear(self) -> None:
        self.evicted = 0


class InMemoryJournal(_Announcer):
    """Appends in O(1) amortised. Bounded twice: by entries, and by the request body bytes all
    entries hold together (``max_body_bytes_total``; the newest entry is always kept).
    Evictions are counted."""

    def __init__(
        self,
        max_entries: int = DEFAULT_JOURNAL_MAX,
        max_body_bytes_total: int = DEFAULT_JOURNAL_BODY_BYTES,
    ) -> None:
        if max_entries <= 0:
            raise ValueError("an in-memory journal keeps at least one entry: see new_journal()")
        super().__init__()
        self.max_entries = max_entries
        self.max_body_bytes_total = max_body_bytes_total
        self.body_bytes = 0  # request body bytes held by the recorded events
        self._events: deque[ServeEvent] = deque()
        self._by_path: dict[str, deque[ServeEvent]] = {}
        self.evicted = 0
        # url -> method -> n, and path -> method -> n for requests with a query string: what a
        # method + URL count reads without a scan (see ``count``); no tuple keys on the hot path
        self._url_tally: Tally = {}
        self._path_tally: Tally = {}

    @property
    def truncated(self) -> bool:
        return self.evicted > 0

    def __len__(self) -> int:
        return len(self._events)

    def record(self, event: ServeEvent) -> None:
        event.seq = next(self._seq)
        event._prefix = self._prefix
        events = self._events
        events.append(event)
        request = event.request
        bucket = self._by_path.get(request.path)
        if bucket is None:
            bucket = self._by_path[request.path] = deque((event,))
        else:
            bucket.append(event)
        if len(events) > self.max_entries and events[0].request is request:
            # the entry that leaves is this very request (a repeated request shares its
            # RecordedRequest): the tallies and body bytes stay as they are, and the oldest
            # of its path's bucket is the one leaving (both queues keep arrival order)
            events.popleft()
            bucket.popleft()
            self.evicted += 1
        else:
            self._tally(request, 1)
            self.body_bytes += len(request.body.raw)
            if len(events) > self.max_entries:
                self._evict_oldest()
            while self.body_bytes > self.max_body_bytes_total and len(events) > 1:
                self._evict_oldest()
        if self._listeners:
            for listener in tuple(self._listeners):
                listener(event)

    def _tally(self, request: RecordedRequest, delta: int) -> None:
        _bump(self._url_tally, request.method, request.url, delta)
        if request.url is not request.path and request.url != request.path:
            _bump(self._path_tally, request.method, request.path, delta)

    def _evict_oldest(self) -> None:
        old = self._events.popleft()
        self._tally(old.request, -1)
        self.body_bytes -= len(old.request.body.raw)
        bucket = self._by_path[old.request.path]
        bucket.popleft()  # events enter both queues in the same order
        if not bucket:
            del self._by_path[old.request.path]
        self.evicted += 1

    def events(self) -> Iterator[ServeEvent]:
        """Newest first, as WireMock lists them."""
        return reversed(self._events)

    def _seq_of(self, event_id: str) -> int | None:
        if not event_id.startswith(self._prefix):
            return None
        try:
            return int(event_id[len(self._prefix) :], 16)
        except ValueError:
            return None

    def get(self, event_id: str) -> ServeEvent | None:
        seq = self._seq_of(event_id)
        if seq is None or not self._events or seq < self._events[0].seq:
            return None
        return next((e for e in reversed(self._events) if e.seq == seq), None)

    def _scope(self, pattern: RequestPattern) -> Iterable[ServeEvent]:
        path = pattern.url.literal_path
        if path is None:
            return self._events
        return self._by_path.get(path, ())

    def find(self, pattern: RequestPattern) -> list[ServeEvent]:
        """Matching events in arrival order."""
        return [e for e in self._scope(pattern) if pattern.matches(e.request)]

    def count(self, pattern: RequestPattern) -> int:
        """Method + literal URL patterns are answered from tallies; others scan their path."""
        simple = pattern.simple_url
        if simple is not None:
            method, target = pattern.method, simple[1]
            if simple[0] == "url":
                return _tallied(self._url_tally, method, target)
            if "?" in target:  # a path never holds a '?': the URL tally would count its query
                return 0
            return _tallied(self._url_tally, method, target) + _tallied(
                self._path_tally, method, target
            )
        return sum(1 for e in self._scope(pattern) if pattern.matches(e.request))

    def remove(self, predicate: Callable[[ServeEvent], bool]) -> list[ServeEvent]:
        removed = [e for e in self._events if predicate(e)]
        if removed:
            self._rebuild([e for e in self._events if not predicate(e)])
        return removed

    def remove_id(self, event_id: str) -> bool:
        target = self.get(event_id)
        return target is not None and bool(self.remove(lambda e: e is target))

    def clear(self) -> None:
        self._rebuild([])
        self.evicted = 0

    def _rebuild(self, events: list[ServeEvent]) -> None:
        self._events = deque(events)
        self._by_path = {}
        self._url_tally = {}
        self._path_tally = {}
        self.body_bytes = 0
        for e in events:
            self._by_path.setdefault(e.request.path, deque()).append(e)
            self._tally(e.request, 1)
            self.body_bytes += len(e.request.body.raw)
