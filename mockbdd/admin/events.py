"""The event stream behind ``/__admin/events`` (DESIGN §12), free of any transport.

:class:`EventHub` numbers every event of the server (serve events once answered, stubs created,
updated and removed, namespaces created and deleted), keeps the last ``history`` of them for
``?since=<seq>`` and hands each to the listeners whose scope and :class:`EventFilter` admit it.
Publishing never waits: a listener holds at most its buffer of pending events, and one that
falls further behind is closed with a reason saying where to resume. Events are encoded to JSON
once, when a listener first needs them.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import count, islice, repeat
from operator import attrgetter, floordiv, mul, sub
from typing import TYPE_CHECKING, Any

from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.journal import ServeEvent
from mockbdd.domain.stubs import StubMapping
from mockbdd.records import record

if TYPE_CHECKING:
    from mockbdd.domain.namespace import Namespace

_UNLOADED: Any = object()
# mockbdd[speed]: the same JSON for a fraction of the CPU (the stream encodes every event);
# imported at the first event encoded or the first listener (idle RSS: an idle server has none)
orjson: Any = _UNLOADED


def speedups() -> Any:
    """orjson, imported now if it is not yet; None when it is not installed (json then)."""
    global orjson
    if orjson is _UNLOADED:
        try:
            import orjson as module
        except ImportError:  # pragma: no cover - the dev install has it; the fallback is json
            orjson = None
        else:
            orjson = module
    return orjson


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
                self.encoded = encode(self.json())
            else:
                self.encoded = encoder.encode(self)
        return self.encoded


def encode(data: dict[str, Any]) -> bytes:
    """Compact JSON as UTF-8: orjson when installed, else the standard library's."""
    if orjson is _UNLOADED:
        speedups()
    if orjson is not None:
        try:
            return _dumps(data)
        except TypeError:  # what orjson refuses (an int beyond 64 bits) json still writes
            pass
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def _dumps(data: Any) -> bytes:
    # a copy: orjson's own bytes keep its whole (16 KiB) buffer, and the history holds 10,000
    # of them; istr header names need OPT_NON_STR_KEYS
    return bytes(memoryview(orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)))


TEMPLATES = 512  # serve-event templates kept per hub; then they start over
_MARK = "@@mockbdd-event-{}@@"
# the values that change from one alike serve event to the next, in the order of the JSON, as
# the template's format writes them: a JSON number (its quotes replaced too) or, for the id and
# the date's text, a string (its quotes kept)
# the id and the date's text, a string (its quotes kept); a timing is written rounded to the
# millisecond by the format itself (``%.0f`` rounds half to even, as ``round`` does)
_NUMBER, _ID, _DATE, _MS = b"%d", b"%012x", b"%s.%03dZ", b"%.0f"
_VARYING = (_NUMBER, _ID, _NUMBER, _DATE, _MS, _MS, _MS, _MS, _MS)
_ALIKE_BATCH = 4  # from this many events alike, they are encoded a batch at a time
_PAYLOAD, _ENCODED, _NAMESPACE = (
    attrgetter("payload"),
    attrgetter("encoded"),
    attrgetter("namespace"),
)
_SEQ, _REQUEST, _RESPONSE, _STUB = (
    attrgetter("seq"),
    attrgetter("request"),
    attrgetter("response"),
    attrgetter("stub"),
)
_LOGGED_AT, _SUB_EVENTS = attrgetter("logged_at"), attrgetter("sub_events")
_ADDED, _PROCESSING = attrgetter("added_delay_ms"), attrgetter("processing_ms")
_TOTAL, _QUEUED = attrgetter("total_ms"), attrgetter("queued_ms")


class EventEncoder:
    """Encodes a hub's events. With orjson (mockbdd[speed]), a serve event like one before it
    (the same request headers, URL and client, answered by the same stub with the same shared
    record, no body, no sub-events) is its template's format filled with the sequence number,
    id, time and timing (one ``bytes % tuple``): under load most events are alike, and building
    each one's JSON afresh cost the server more than serving the request. The template is the
    generic JSON of the second such event with markers in place of those values, so the shape
    is defined once (:func:`mockbdd.wire.journal.serve_event_json`)."""

    def __init__(self) -> None:
        self._templates: dict[tuple[object, ...], tuple[object, object, bytes]] = {}
        # id of a request -> (it, the record, the stub, namespace, id prefix, the template)
        self._known: dict[int, tuple[Any, ...]] = {}
        self._seen: set[tuple[object, ...]] = set()
        self._alike = speedups() is not None
        from mockbdd.wire.journal import iso_seconds  # with the first listener (idle RSS)

        self._iso_seconds = iso_seconds
        self._second = -1  # the whole second of the last date written, and its text
        self._second_text = b""

    def encode(self, entry: Entry) -> bytes:
        """``entry``'s JSON (:meth:`encode_many` of one)."""
        return self.encode_many((entry,))[0]

    def encode_many(self, entries: Iterable[Entry]) -> list[bytes]:
        """The JSON of each of ``entries``, also kept on each (``Entry.encoded``: a second
        listener sends the same bytes). A serve event whose request, stub and record are
        objects served before (a repeated request shares its RecordedRequest:
        ``server.recorded.Recorder``) finds its template by those objects, which the template
        holds (so their ids are not reused meanwhile), with no key of their contents to
        build; the template's varying values are filled in here, in one loop for the batch."""
        if not isinstance(entries, list):
            entries = list(entries)
        if len(entries) >= _ALIKE_BATCH and self._alike:
            alike = self._encode_alike(entries)
            if alike is not None:
                return alike
        out: list[bytes] = []
        second, second_text = self._second, self._second_text
        for entry in entries:
            data = entry.encoded
            if data is None:
                event = entry.payload
                if type(event) is not ServeEvent or event.sub_events or not self._alike:
                    data = encode(entry.json())
                else:
                    known = self._known_of(entry, event)
                    if known is None:
                        data = encode(entry.json())
                    else:
                        logged_at = event.logged_at
                        seconds = int(logged_at)  # the date's text as ``wire.journal.iso_time``
                        micros = round((logged_at - seconds) * 1e6)
                        if micros >= 1_000_000:
                            seconds, micros = seconds + 1, micros - 1_000_000
                        if seconds != second:
                            second, second_text = seconds, self._iso_seconds(seconds).encode()
                        data = known[5] % (
                            entry.seq,
                            event.seq,
                            int(logged_at * 1000),
                            second_text,
                            micros // 1000,
                            event.added_delay_ms,
                            event.processing_ms,
                            event.total_ms,
                            event.total_ms,
                            event.queued_ms,
                        )
                entry.encoded = data
            out.append(data)
        self._second, self._second_text = second, second_text
        return out

    def _encode_alike(self, entries: list[Entry]) -> list[bytes] | None:
        """:meth:`encode_many` for serve events of one request object, stub and record in one
        namespace, none encoded yet, none with sub-events, all in one second (under load, a
        loop turn's): each value read and computed by ``map`` over the batch and the template
        filled by ``bytes.__mod__``, with no Python code per event. None for any other batch."""
        first = entries[0]
        event = first.payload
        if type(event) is not ServeEvent:
            return None
        n = len(entries)
        try:
            events = list(map(_PAYLOAD, entries))
            if (
                list(map(_REQUEST, events)).count(event.request) != n
                or list(map(_STUB, events)).count(event.stub) != n
                or list(map(_RESPONSE, events)).count(event.response) != n
            ):
                return None
        except AttributeError:  # another kind of event among them
            return None
        namespaces = list(map(_NAMESPACE, entries))
        if (
            namespaces.count(first.namespace) != n
            or any(map(_SUB_EVENTS, events))
            or any(map(_ENCODED, entries))
        ):
            return None
        known = self._known_of(first, event)
        if known is None:
            return None
        logged = list(map(_LOGGED_AT, events))
        seconds = list(map(int, logged))
        second = seconds[0]
        micros = list(map(round, map(mul, map(sub, logged, seconds), repeat(1e6))))
        if seconds.count(second) != n or max(micros) >= 1_000_000:
            return None  # a second turns within the batch: event by event
        if second != self._second:
            self._second, self._second_text = second, self._iso_seconds(second).encode()
        values = zip(
            map(_SEQ, entries),
            map(_SEQ, events),
            map(int, map(mul, logged, repeat(1000))),
            repeat(self._second_text, n),
            map(floordiv, micros, repeat(1000)),
            map(_ADDED, events),
            map(_PROCESSING, events),
            map(_TOTAL, events),  # serveTime
            map(_TOTAL, events),  # totalTime
            map(_QUEUED, events),
            strict=True,
        )
        out = list(map(known[5].__mod__, values))
        deque(map(setattr, entries, repeat("encoded"), out), maxlen=0)
        return out

    def _known_of(self, entry: Entry, event: ServeEvent) -> tuple[Any, ...] | None:
        """The template of ``event``'s objects (request, record, stub, namespace, id prefix),
        kept by its request's id and made at need; None while it has none
        (:meth:`_template_of`)."""
        request = event.request
        known = self._known.get(id(request))
        if (
            known is not None
            and known[0] is request
            and known[1] is event.response
            and known[2] is event.stub
            and known[3] == entry.namespace
            and known[4] == event.id_prefix
        ):
            return known
        made = self._template_of(entry, event)
        if made is None:
            return None
        if len(self._known) >= TEMPLATES:
            self._known.clear()
        known = (event.request, event.response, event.stub, entry.namespace, event.id_prefix, made)
        self._known[id(event.request)] = known
        return known

    def _template_of(self, entry: Entry, event: ServeEvent) -> bytes | None:
        """The template of an event like ``event`` (found by what its JSON is made of: the
        same headers, URL, client, stub and shared record), made at the second such event;
        None for an event that has none (yet): it is encoded afresh."""
        stub, request, resp = event.stub, event.request, event.response
        signature = getattr(request.headers, "signature", None)
        if stub is None or request.body.raw or signature is None:
            return None
        key = (
            entry.namespace,
            event.id_prefix,
            signature(),
            request.method,
            request.raw_path,
            request.url,
            request.client_ip,
            request.scheme,
            request.authority,
            id(resp),
            id(stub),
        )
        template = self._templates.get(key)
        if template is None or template[0] is not resp or template[1] is not stub:
            if key not in self._seen:  # a one-off (a templated answer): no template for it
                if len(self._seen) >= TEMPLATES:
                    self._seen.clear()
                self._seen.add(key)
                return None
            if len(self._templates) >= TEMPLATES:
                self._templates.clear()
            made = _template(entry, event)
            if made is None:
                return None
            template = self._templates[key] = (resp, stub, made)
        return template[2]


def _template(entry: Entry, event: ServeEvent) -> bytes | None:
    """The entry's JSON as a ``bytes %`` format, :data:`_VARYING` where its varying values go;
    None if a marker is not found once each where it belongs (a request that happens to carry
    one)."""
    data = entry.json()
    marks = [_MARK.format(i) for i in range(len(_VARYING))]
    data["seq"], data["id"] = marks[0], marks[1]
    logged = data["request"]
    logged["loggedDate"], logged["loggedDateString"] = marks[2], marks[3]
    timing = data["timing"]
    timing["addedDelay"], timing["processTime"] = marks[4], marks[5]
    timing["serveTime"], timing["totalTime"], timing["queuedTime"] = marks[6], marks[7], marks[8]
    encoded = _dumps(data)
    parts: list[bytes] = []
    at = 0
    for mark, spec in zip(marks, _VARYING, strict=True):
        token = f'"{mark}"'.encode() if spec in (_NUMBER, _MS) else mark.encode()
        if encoded.count(token) != 1:
            return None
        found = encoded.find(token, at)
        if found < 0:
            return None
        parts.append(encoded[at:found].replace(b"%", b"%%"))
        # the id is the journal's prefix and the event's number (``ServeEvent.id``)
        parts.append(event.id_prefix.encode() + spec if spec is _ID else spec)
        at = found + len(token)
    parts.append(encoded[at:].replace(b"%", b"%%"))
    return b"".join(parts)


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
