"""What the transport derives from a response definition, computed once per definition.

Entries are keyed by the definition's id and checked against a fingerprint of the fields they
derive from (status, message, headers, body length, and the stub's id and name, which WireMock
sends back as ``Matched-Stub-Id``/``Matched-Stub-Name``), so an id reused after a stub is
deleted can never serve a stale head; entries do not keep definitions (and their bodies) alive,
except the last one got, which a request for the same answer finds by identity. Only small
bodies (``MAX_SHARED_BODY``) are held, inside the shared journal record; a larger body is
referenced by a fresh record per request instead.
"""

from __future__ import annotations

from typing import cast

from multidict import CIMultiDict

from mockbdd.domain.journal import ResponseRecord
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.domain.stubs import StubMapping
from mockbdd.records import record
from mockbdd.server import prepared

MAX_ENTRIES = 4096
MAX_SHARED_BODY = 1024
# the transport frames the body itself: a recorded mapping's own framing headers would lie
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})
_UNSAFE_IN_VALUE = ("\r", "\n", "\x00")


def closes(name: str, value: str) -> bool:
    """``Connection: close`` in a stub's headers: real WireMock 3.13.2 sends it and closes the
    connection after the answer (a way to test a client's reconnects), so mockbdd does too."""
    return name.lower() == "connection" and value.strip().lower() == "close"


def matched_stub_headers(stub: StubMapping) -> tuple[tuple[str, str], ...]:
    """What WireMock adds to every answer a stub gives: its id, and its name when it has one
    (left out when it could not be sent as a header value)."""
    if stub.name is None or any(c in stub.name for c in _UNSAFE_IN_VALUE):
        return (("Matched-Stub-Id", stub.id),)
    return (("Matched-Stub-Id", stub.id), ("Matched-Stub-Name", stub.name))


@record
class CachedResponse:
    status: int
    status_message: str | None
    headers_sent: tuple[tuple[str, str], ...]  # as the definition has them (the fingerprint)
    body_length: int
    stub_id: str | None  # None: not a stub's answer (an admit stage's)
    stub_name: str | None
    reason: str  # the status line's reason phrase
    close: bool  # the stub says ``Connection: close``: sent, and the connection closed after
    head: bytes | None  # pre-serialised status line + headers, None when not preparable
    multidict: CIMultiDict[str]  # for aiohttp's own path (copy it per response)
    shared_record: ResponseRecord | None  # the journal's record, shared (small bodies only)

    def record(self, definition: ResponseDefinition) -> ResponseRecord:
        """The journal's record of this answer."""
        if self.shared_record is not None:
            return self.shared_record
        return ResponseRecord(definition.status, definition.headers, definition.body)

    def headers(self) -> CIMultiDict[str]:
        """A fresh copy of the headers aiohttp may send (framing headers removed)."""
        copied: CIMultiDict[str] = self.multidict.copy()
        return copied


class ResponseCache:
    """``prepared=False`` (``--no-prepared``) builds no pre-serialised head, so every static
    answer goes through aiohttp's public ``web.Response``; the data plane needs no branch."""

    def __init__(self, prepared: bool = True) -> None:
        self._entries: dict[int, CachedResponse] = {}
        self._prepared = prepared
        # the last answer got, with its definition and stub: the one definition kept alive
        # (a definition is never None: the placeholder is never returned)
        self._last: tuple[object, object, CachedResponse] = (None, None, cast(CachedResponse, None))

    def get(self, definition: ResponseDefinition, stub: StubMapping | None) -> CachedResponse:
        last = self._last  # the answer before, again (under load, mostly): no fingerprint
        if last[0] is definition and last[1] is stub:
            return last[2]
        entry = self._entries.get(id(definition))
        stub_id, stub_name = (None, None) if stub is None else (stub.id, stub.name)
        if (
            entry is not None
            and entry.stub_id == stub_id
            and entry.stub_name == stub_name
            and entry.status == definition.status
            and entry.body_length == len(definition.body)
            and entry.headers_sent == definition.headers
            and entry.status_message == definition.status_message
        ):
            self._last = (definition, stub, entry)
            return entry
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        entry = self.build(definition, stub)
        self._entries[id(definition)] = entry
        self._last = (definition, stub, entry)
        return entry

    def build(self, definition: ResponseDefinition, stub: StubMapping | None) -> CachedResponse:
        """What :meth:`get` derives, for a definition made for one answer (a transformer's),
        which is not kept: per-request definitions would only churn the cache."""
        stub_id, stub_name = (None, None) if stub is None else (stub.id, stub.name)
        close = any(closes(n, v) for n, v in definition.headers)
        headers = (
            *(
                (n, v)
                for n, v in definition.headers
                if n.lower() not in FRAMING_HEADERS or closes(n, v)
            ),
            *(matched_stub_headers(stub) if stub is not None else ()),
        )
        body = definition.body
        return CachedResponse(
            definition.status,
            definition.status_message,
            definition.headers,
            len(body),
            stub_id,
            stub_name,
            prepared.reason_phrase(definition.status, definition.status_message),
            close,
            prepared.serialise_head(definition, headers) if self._prepared else None,
            CIMultiDict(headers),
            ResponseRecord(definition.status, definition.headers, body)
            if len(body) <= MAX_SHARED_BODY
            else None,
        )
