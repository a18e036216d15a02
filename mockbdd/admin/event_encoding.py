"""Serve events and stubs as the JSON of the event stream (``/__admin/events``), encoded once
per event when a listener first needs it: imported with the first listener or the first event
encoded, so a server nobody listens to holds none of it (idle RSS).

A serve event like the one before it (the same request, response, stub and namespace: under
load, most of them) is written from a template of its JSON, only its number, id, date and
timings filled in; a loop turn's alike events a batch at a time.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable
from itertools import repeat
from operator import attrgetter, floordiv, mul, sub
from typing import TYPE_CHECKING, Any

from mockbdd.domain.journal import ServeEvent

if TYPE_CHECKING:
    from mockbdd.admin.events import Entry

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
