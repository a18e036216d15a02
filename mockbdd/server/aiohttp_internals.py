"""Every use of aiohttp beyond its documented API, in one place (pinned by
``tests/contracts/test_aiohttp.py``; an aiohttp upgrade that breaks one fails there, by name).

1. ``request_message(request)`` is ``request._message``, the parsed request line. Its ``path``
   is the request target exactly as sent (percent-encoding kept: admin routes and stubs match
   on it), ``method`` the method, ``url`` a yarl URL of the target. ``request.raw_path``,
   ``method`` and ``rel_url`` say the same publicly, but they are ``reify`` properties, and
   their first read costs about 1 µs per request on the data plane; ``_message`` is a plain
   attribute, read through a C-level ``attrgetter``.
2. :class:`PreparedResponse` is a ``web.StreamResponse`` that skips ``StreamResponse.__init__``
   (header multidict, state dict, status/reason handling: the largest per-request cost left)
   and writes bytes serialised once per stub. It writes no private attribute: it overrides the
   public members aiohttp's request handler uses on a returned response (``prepare``,
   ``write_eof``, ``keep_alive``; ``status``, ``body_length`` and ``headers`` for the access
   log; ``prepared``). What it relies on is that the handler uses nothing else, which the
   contract test pins by recording every attribute aiohttp reads.

``mockbdd serve --no-prepared`` (``MockServer(prepared=False)``) turns use 2 off.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter

from aiohttp import web
from aiohttp.http import RawRequestMessage
from multidict import CIMultiDict, CIMultiDictProxy

request_message: Callable[[web.BaseRequest], RawRequestMessage] = attrgetter("_message")

_NO_HEADERS: CIMultiDictProxy[str] = CIMultiDictProxy(CIMultiDict())


class PreparedResponse(web.StreamResponse):
    """A response whose bytes are already known; ``prepare`` writes them in one call."""

    def __init__(self, head: bytes, date: bytes, body: bytes, status: int) -> None:
        # no StreamResponse.__init__: see the module docstring
        self._mockbdd_chunks = (head, date, body)
        self._mockbdd_status = status
        self._mockbdd_sent = False

    @property
    def status(self) -> int:
        return self._mockbdd_status

    @property
    def keep_alive(self) -> bool:
        return True  # only keep-alive requests get a prepared answer (prepared.can_prepare)

    @property
    def body_length(self) -> int:
        return len(self._mockbdd_chunks[2])

    @property
    def prepared(self) -> bool:
        return self._mockbdd_sent

    @property
    def headers(self) -> CIMultiDictProxy[str]:  # type: ignore[override]
        """Empty: the headers are inside the pre-serialised head (an access-log format that
        names a response header logs ``-``)."""
        return _NO_HEADERS

    async def prepare(self, request: web.BaseRequest) -> None:
        transport = request.transport
        if transport is None or transport.is_closing():
            raise ConnectionResetError("client disconnected")
        transport.writelines(self._mockbdd_chunks)
        self._mockbdd_sent = True

    async def write_eof(self, data: bytes = b"") -> None:
        return None
