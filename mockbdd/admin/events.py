"""The event stream behind ``/__admin/events`` (DESIGN §12), free of any transport.

:class:`EventHub` numbers every event of the server (serve events once answered, stubs created,
updated and removed, namespaces created and deleted), keeps the last ``history`` of them for
``?since=<seq>`` and hands each to the listeners whose scope and :class:`EventFilter` admit it.
Publishing never waits: a listener holds at most its buffer of pending events, and one that
falls further behind is closed with a reason saying where to resume. Events are encoded to JSON
once, when a listener first needs them (:mod:`mockbdd.admin.event_encoding`, imported then).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import count, islice, repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.journal import ServeEvent
from mockbdd.domain.stubs import StubMapping
from mockbdd.records import record

if TYPE_CHECKING:
    from mockbdd.admin.event_encoding import EventEncoder
    from mockbdd.domain.namespace import Namespace

SERVE = "serve"
EVENT_TYPES = (
    SERVE,
    "stub.created",
    "stub.updated",
    "stub.removed",
    "namespace.created",
    "namespace.deleted",
)
FILTERS = ("type", "service", "method", "path", "matched", "since")
DEFAULT_HISTORY = 10_000
DEFAULT_BUFFER = 1_000
CLOSE_SLOW = 4000  # a listener that fell behind: reconnect with ?since=
CLOSE_GONE = 4001  # the namespace the listener watched was deleted


class Entry:
    """One numbered event; ``payload`` is the serve event or the stub, None for a namespace."""

    __slots__ = ("encoded", "namespace", "payload", "seq", "type")

    def __init__(
        self, seq: int, kind: str, namespace: str, payload: ServeEvent | StubMapping | None
    ) -> None:
        self.seq = seq
        self.type = kind
        self.namespace = namespace
        self.payload = payload
        self.encoded: bytes | None = None  # :meth:`data`, once made

    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"seq": self.seq, "type": self.type, "namespace": self.namespace}
        payload = self.payload
        if isinstance(payload, ServeEvent):
            from mockbdd.wire.journal import serve_event_json  # the first event encoded

            data.update(serve_event_json(payload))
        elif isinstance(payload, StubMapping):
            data["stub"] = {"id": payload.id, **dict(payload.source)}
        return data

    def data(self, encoder: EventEncoder | None = None) -> bytes:
        """The event's JSON as UTF-8, encoded once (the first listener that needs it)."""
        if self.encoded is None:
            if encoder is None:
                from mockbdd.admin.event_encoding import encode

                self.encoded = encode(self.json())
            else:
                self.encoded = encoder.encode(self)
        return self.encoded


def _bool(name: str, raw: str) -> bool:
    lowered = raw.lower()
    if lowered not in ("true", "false"):
        raise InvalidInput(f"?{name}", f"must be true or false, got {raw!r}")
    return lowered == "true"


@record
class EventFilter:
    """Which events a listener wants. ``service``, ``method``, ``path`` and ``matched`` select
    serve events (other types pass them); ``type`` selects types (comma-separated)."""

    types: frozenset[str] | None = None
    service: str | None = None
    method: str | None = None
    path: str | None = None  # the request path; a trailing ``*`` makes it a prefix
    matched: bool | None = None
    since: int | None = None

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> EventFilter:
        """From query parameters; a name or value it does not know is ``InvalidInput``."""
        unknown = sorted(set(query) - set(FILTERS))
        if unknown:
            raise InvalidInput(
                f"?{unknown[0]}",
                f"no event filter named {unknown[0]!r} (filters: {', '.join(FILTERS)})",
            )
        types = None
        if query.get("type"):
            types = frozenset(t.strip() for t in query["type"].split(",") if t.strip())
            wrong = sorted(types - set(EVENT_TYPES))
            if wrong:
                raise InvalidInput(
                    "?type", f"no event type {wrong[0]!r} (types: {', '.join(EVENT_TYPES)})"
                )
        since = None
        raw_since = query.get("since")
        if raw_since:
            if not raw_since.isdigit():
                raise InvalidInput(
                    "?since", f"must be an event sequence number (0 or more), got {raw_since!r}"
                )
            since = int(raw_since)
        matched = _bool("matched", query["matched"]) if query.get("matched") else None
        service = query.get("service") or None
        if service is not None and ("/" in service or service in (".", "..")):
            raise InvalidInput("?service", f"a service is one path segment, got {service!r}")
        method = query["method"].upper() if query.get("method") else None
        return cls(types, service, method, query.get("path") or None, matched, since)

    @property
    def every_serve(self) -> bool:
        """Whether every serve event passes (no serve filter; the types include serve)."""
        return (
            (self.types is None or SERVE in self.types)
            and self.service is None
            and self.method is None
            and self.path is None
            and self.matched is None
        )

    def admits(self, entry: Entry) -> bool:
        if self.types is not None and entry.type not in self.types:
            return False
        event = entry.payload
        if not isinstance(event, ServeEvent):
            return True
        request = event.request
        if self.method is not None and request.method != self.method:
            return False
        if self.matched is not None and event.was_matched != self.matched:
            return False
        path = request.path
        if self.service is not None:
            prefix = "/" + self.service
            if path != prefix and not path.startswith(prefix + "/"):
                return False
        if self.path is not None:
            wanted = self.path
            if wanted.endswith("*"):
                return path.startswith(wanted[:-1])
            return path == wanted
        return True


class Listener:
    """One connected stream: its scope (a namespace, or None for all), its filter and the
    events waiting to be sent. ``wake`` tells the transport there is something to do."""

    def __init__(
        self,
        scope: str | None,
        event_filter: EventFilter,
        buffer: int,
        wake: Callable[[], None],
        encoder: EventEncoder | None = None,
    ) -> None:
        self.scope = scope
        self.encoder = encoder
        self.filter = event_filter
        self.buffer = buffer
        self.pending: deque[Entry] = deque()
        self.limit = buffer
        self.last_sent = event_filter.since or 0
        self.closed: tuple[int, str] | None = None  # (close code, reason) once it must close
        self.abrupt = False  # closed without sending what is pending (it fell behind)
        self._wake = wake

    def offer(self, entry: Entry) -> None:
        if self.closed is not None:
            return
        if self.scope is not None and entry.namespace != self.scope:
            return
        if not self.filter.admits(entry):
            return
        if len(self.pending) >= self.limit:
            behind = len(self.pending)
            self.close(
                CLOSE_SLOW,
                f"slow listener: {behind} events behind; reconnect with ?since={self.last_sent}",
                abrupt=True,
            )
            return
        self.pending.append(entry)
        self._wake()

    def offer_many(self, entries: Sequence[Entry]) -> None:
        """:meth:`offer` for serve events published together (a loop turn's), woken once."""
        if self.closed is not None:
            return
        scope = self.scope
        if scope is None and self.filter.every_serve:
            wanted = entries
        else:
            admits = self.filter.admits
            wanted = [e for e in entries if (scope is None or e.namespace == scope) and admits(e)]
            if not wanted:
                return
        pending = self.pending
        if len(pending) + len(wanted) > self.limit:  # as ``offer``: full, then one more
            behind = max(len(pending), self.limit)
            self.close(
                CLOSE_SLOW,
                f"slow listener: {behind} events behind; reconnect with ?since={self.last_sent}",
                abrupt=True,
            )
            return
        pending.extend(wanted)
        self._wake()

    def close(self, code: int, reason: str, *, abrupt: bool = False) -> None:
        """Close after sending what is pending, or (``abrupt``) at once, dropping it."""
        if self.closed is None:
            self.closed = (code, reason)
            self.abrupt = abrupt
            if abrupt:
                self.pending.clear()
            self._wake()

    def sent(self, entry: Entry) -> None:
        self.last_sent = entry.seq


class EventHub:
    """The server's event numbering, history and listeners."""

    def __init__(self, history: int = DEFAULT_HISTORY, buffer: int = DEFAULT_BUFFER) -> None:
        self.seq = 0
        self.buffer = buffer
        # the last ``history`` events, numbered without a gap up to ``seq``: their types,
        # namespaces and payloads side by side, so keeping one costs three pointers and no
        # object of its own (a tuple per event, freed 10,000 events later, cost the data
        # plane a cold cache line or two per request); an Entry is made only for a replay
        kept = max(history, 1)
        self._kinds: deque[str] = deque(maxlen=kept)
        self._namespaces: deque[str] = deque(maxlen=kept)
        self._payloads: deque[ServeEvent | StubMapping | None] = deque(maxlen=kept)
        self._listeners: list[Listener] = []
        self._encoder: EventEncoder | None = None  # at the first listener (it loads orjson)

    @property
    def encoder(self) -> EventEncoder:
        """The hub's encoder, made for its first listener (one a hub)."""
        if self._encoder is None:
            from mockbdd.admin.event_encoding import EventEncoder

            self._encoder = EventEncoder()
        return self._encoder

    @property
    def listeners(self) -> int:
        return len(self._listeners)

    def publish(self, kind: str, namespace: str, payload: ServeEvent | StubMapping | None) -> None:
        self.seq += 1
        self._kinds.append(kind)
        self._namespaces.append(namespace)
        self._payloads.append(payload)
        if self._listeners:
            entry = Entry(self.seq, kind, namespace, payload)
            for listener in tuple(self._listeners):
                listener.offer(entry)

    def serve_many(self, batch: Sequence[tuple[Namespace, ServeEvent]]) -> None:
        """Serve events completed together (a loop turn's, in order), numbered in that order;
        each listener is offered them at once (and woken once)."""
        if not batch:
            return
        first = self.seq + 1
        self.seq += len(batch)
        numbers = range(first, self.seq + 1)
        namespaces, events = zip(*batch, strict=True)
        names = list(map(_NAME, namespaces))
        self._kinds.extend(repeat(SERVE, len(names)))
        self._namespaces.extend(names)
        self._payloads.extend(events)
        if self._listeners:
            entries = list(map(Entry, numbers, repeat(SERVE), names, events))
            for listener in tuple(self._listeners):
                listener.offer_many(entries)

    def stubs_of(self, namespace: str) -> Callable[[str, StubMapping], None]:
        """The stub listener for ``namespace`` (``Namespace.subscribe_stubs``)."""
        return lambda kind, stub: self.publish(kind, namespace, stub)

    def namespace_deleted(self, namespace: str) -> None:
        self.publish("namespace.deleted", namespace, None)
        for listener in tuple(self._listeners):
            if listener.scope == namespace:
                listener.close(CLOSE_GONE, f"namespace {namespace!r} was deleted")

    def listen(
        self, scope: str | None, event_filter: EventFilter, wake: Callable[[], None]
    ) -> Listener:
        """A new listener; with ``since``, first the kept events after it (and, if some were
        no longer kept, a ``gap`` message saying how many)."""
        listener = Listener(scope, event_filter, self.buffer, wake, self.encoder)
        if event_filter.since is not None:
            replay = [e for e in self._replay(event_filter.since) if _in_scope(listener, e)]
            listener.pending.extend(replay)
            listener.limit = self.buffer + len(replay)
        self._listeners.append(listener)
        if listener.pending:
            wake()
        return listener

    def gap(self, since: int) -> dict[str, Any] | None:
        """What a listener resuming after ``since`` missed for good, or None."""
        oldest = self._oldest()
        if since + 1 >= oldest or since >= self.seq:
            return None
        return {"type": "gap", "after": since, "resumedAt": oldest, "lost": oldest - since - 1}

    def _replay(self, since: int) -> Iterable[Entry]:
        oldest = self._oldest()
        skip = max(0, since + 1 - oldest)  # the kept events numbered ``since`` and before
        kept = zip(
            count(oldest + skip),
            islice(self._kinds, skip, None),
            islice(self._namespaces, skip, None),
            islice(self._payloads, skip, None),
        )
        return (Entry(*event) for event in kept)

    def _oldest(self) -> int:
        """The number of the oldest event kept (``seq + 1`` when none is)."""
        return self.seq - len(self._payloads) + 1

    def unlisten(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)


_NAME = attrgetter("name")


def _in_scope(listener: Listener, entry: Entry) -> bool:
    return (listener.scope is None or entry.namespace == listener.scope) and listener.filter.admits(
        entry
    )
