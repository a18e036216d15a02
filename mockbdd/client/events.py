"""``Client.events()`` and ``AsyncClient.events()``: the ``/__admin/events`` WebSocket as an
iterator of event dicts (``{"seq", "type", "namespace", ...}``), over the ``websockets`` client.

A stream closed for falling behind (code 4000) reconnects with ``?since=`` the last event it
got, so nothing is missed while the server still holds it (``resume=False`` raises
:class:`EventStreamClosed` instead); a stream whose namespace was deleted, or that the server
closed normally, ends. A refused handshake (a bad filter, a wrong token) is an ``AdminError``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

from websockets.asyncio.client import ClientConnection as AsyncConnection
from websockets.asyncio.client import connect as async_connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from mockbdd.admin import spec
from mockbdd.client.errors import AdminError

CLOSE_SLOW = 4000  # as mockbdd.admin.events: the server closed it for falling behind
ENDED = frozenset({1000, 1001, 4001})  # normal, going away, namespace deleted
Json = dict[str, Any]


class EventStreamClosed(Exception):
    """The server closed the stream: ``code``, ``reason`` and the last ``seq`` received."""

    def __init__(self, code: int, reason: str, last_seq: int | None) -> None:
        self.code, self.reason, self.last_seq = code, reason, last_seq
        super().__init__(f"mockbdd event stream closed ({code}): {reason or 'no reason given'}")


def events_url(admin_url: str, filters: Mapping[str, str | None]) -> str:
    """The WebSocket URL of ``admin_url``'s event stream with the given filters."""
    base = admin_url.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
    query = urlencode({k: v for k, v in filters.items() if v is not None})
    return base + spec.EVENTS.path() + (f"?{query}" if query else "")


def filters(
    since: int | None,
    types: tuple[str, ...] | None,
    service: str | None,
    method: str | None,
    path: str | None,
    matched: bool | None,
) -> dict[str, str | None]:
    return {
        "since": None if since is None else str(since),
        "type": None if not types else ",".join(types),
        "service": service,
        "method": method,
        "path": path,
        "matched": None if matched is None else str(matched).lower(),
    }


class _Stream:
    """What both streams share: the URL, headers, where to resume and what a close means."""

    def __init__(
        self, admin_url: str, headers: Mapping[str, str], query: dict[str, str | None], *,
        resume: bool, timeout: float,
    ) -> None:  # fmt: skip
        self._admin_url = admin_url
        self._headers = dict(headers)
        self._query = query
        self.resume = resume
        self.timeout = timeout
        since = query.get("since")
        self.last_seq: int | None = int(since) if since is not None else None
        self.resumed = 0  # times it reconnected after falling behind

    def _url(self) -> str:
        query = dict(self._query)
        if self.last_seq is not None:
            query["since"] = str(self.last_seq)
        return events_url(self._admin_url, query)

    def _event(self, text: str | bytes) -> Json:
        event: Json = json.loads(text)
        seq = event.get("seq")
        if isinstance(seq, int):
            self.last_seq = seq
        return event

    def _closed(self, closed: ConnectionClosed) -> bool:
        """True to reconnect, False when the stream has ended; :class:`EventStreamClosed` for
        any other close."""
        received = closed.rcvd
        code = received.code if received is not None else 1006
        reason = received.reason if received is not None else ""
        if code == CLOSE_SLOW and self.resume:
            if self.last_seq is None and "since=" in reason:  # closed before its first event
                self.last_seq = int(reason.rsplit("since=", 1)[1])
            self.resumed += 1
            return True
        if code in ENDED:
            return False
        raise EventStreamClosed(code, reason, self.last_seq) from None


def _refused(failure: InvalidStatus) -> AdminError:
    response = failure.response
    body: Any = response.body.decode("utf-8", "replace") if response.body else ""
    try:
        body = json.loads(body)
    except ValueError:
        pass
    return AdminError.from_body(response.status_code, body)


class EventStream(_Stream):
    """A blocking iterator of events; a context manager that closes the connection."""

    _ws: ClientConnection | None = None

    def __iter__(self) -> EventStream:
        return self

    def open(self) -> ClientConnection:
        """Connect now (``with`` does): events from then on are kept for this stream."""
        if self._ws is None:
            try:
                opening = connect(
                    self._url(), additional_headers=self._headers, open_timeout=self.timeout
                )
            except InvalidStatus as failure:
                raise _refused(failure) from None
            self._ws = opening.__enter__()  # as ``with``; close() is its __exit__
        return self._ws

    def __next__(self) -> Json:
        while True:
            ws = self.open()
            try:
                return self._event(ws.recv())
            except ConnectionClosed as closed:
                self._ws = None
                if not self._closed(closed):
                    raise StopIteration from None

    def close(self) -> None:
        if self._ws is not None:
            self._ws.close()
            self._ws = None

    def __enter__(self) -> EventStream:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncEventStream(_Stream):
    """An async iterator of events; an async context manager that closes the connection."""

    _ws: AsyncConnection | None = None

    def __aiter__(self) -> AsyncEventStream:
        return self

    async def open(self) -> AsyncConnection:
        """Connect now (``async with`` does): events from then on are kept for this stream."""
        if self._ws is None:
            try:
                self._ws = await async_connect(
                    self._url(), additional_headers=self._headers, open_timeout=self.timeout
                )
            except InvalidStatus as failure:
                raise _refused(failure) from None
        return self._ws

    async def __anext__(self) -> Json:
        while True:
            ws = await self.open()
            try:
                return self._event(await ws.recv())
            except ConnectionClosed as closed:
                self._ws = None
                if not self._closed(closed):
                    raise StopAsyncIteration from None

    async def aclose(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    async def __aenter__(self) -> AsyncEventStream:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
