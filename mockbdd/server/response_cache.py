"""What the transport derives from a response definition, computed once per definition.

Entries are keyed by the definition's id and checked against a fingerprint of the fields they
derive from (status, message, headers, body length), so an id reused after a stub is deleted can
never serve a stale head. Only small bodies (``MAX_SHARED_BODY``) are held, inside the shared
journal record; a larger body is referenced by a fresh record per request instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from multidict import CIMultiDict

from mockbdd.domain.journal import ResponseRecord
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.server import prepared

MAX_ENTRIES = 4096
MAX_SHARED_BODY = 1024
# the transport frames the body itself: a recorded mapping's own framing headers would lie
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})


@dataclass(frozen=True, slots=True)
class _Entry:
    status: int
    status_message: str | None
    headers: tuple[tuple[str, str], ...]
    body_length: int
    head: bytes | None  # pre-serialised status line + headers, None when not preparable
    multidict: CIMultiDict[str]  # for aiohttp's own path (copied per response)
    record: ResponseRecord | None  # the journal's record, shared (small bodies only)


class ResponseCache:
    def __init__(self) -> None:
        self._entries: dict[int, _Entry] = {}

    def _entry(self, definition: ResponseDefinition) -> _Entry:
        entry = self._entries.get(id(definition))
        if (
            entry is None
            or entry.status != definition.status
            or entry.body_length != len(definition.body)
            or entry.headers != definition.headers
            or entry.status_message != definition.status_message
        ):
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            headers = tuple(
                (n, v) for n, v in definition.headers if n.lower() not in FRAMING_HEADERS
            )
            entry = _Entry(
                definition.status,
                definition.status_message,
                definition.headers,
                len(definition.body),
                prepared.serialise_head(definition, headers),
                CIMultiDict(headers),
                ResponseRecord(definition.status, definition.headers, definition.body)
                if len(definition.body) <= MAX_SHARED_BODY
                else None,
            )
            self._entries[id(definition)] = entry
        return entry

    def head(self, definition: ResponseDefinition) -> bytes | None:
        return self._entry(definition).head

    def record(self, definition: ResponseDefinition) -> ResponseRecord:
        shared = self._entry(definition).record
        if shared is not None:
            return shared
        return ResponseRecord(definition.status, definition.headers, definition.body)

    def headers(self, definition: ResponseDefinition) -> CIMultiDict[str]:
        """A fresh copy of the headers aiohttp may send (framing headers removed)."""
        copied: CIMultiDict[str] = self._entry(definition).multidict.copy()
        return copied
