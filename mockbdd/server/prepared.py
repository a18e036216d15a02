"""Static answers written as pre-serialised bytes.

A stub's status line, headers and body do not change between requests, so they are serialised
once per response definition; per request only the ``Date`` line is added. This skips aiohttp's
per-request header assembly, the largest cost left on the data plane. Anything unusual (HEAD,
HTTP/1.0, ``Connection: close``, large bodies, headers the transport owns) takes aiohttp's path,
and so does everything with ``--no-prepared``. The response class itself, which leans on how
aiohttp's request handler treats a returned response, lives in ``aiohttp_internals``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from email.utils import formatdate
from types import MappingProxyType

from aiohttp import web
from aiohttp.http import SERVER_SOFTWARE

from mockbdd.domain.responses import ResponseDefinition
from mockbdd.server.aiohttp_internals import PreparedResponse

__all__ = ["PreparedResponse", "can_prepare", "reason_phrase", "serialise_head"]

MAX_PREPARED_BODY = 64 * 1024  # larger bodies go through aiohttp's flow-controlled writer
_NO_BODY_STATUSES = frozenset({*range(100, 200), 204, 304})
MAX_WRITE_BUFFER = 256 * 1024  # a client that does not read gets aiohttp's back-pressure instead
_TRANSPORT_OWNED = frozenset(
    {"content-length", "transfer-encoding", "connection", "date", "server"}
)

# Reason phrases as real WireMock 3.13.2 (Jetty) sends them; they differ from Python's in places
# (500 "Server Error", 451, 413, 414, 416, 203, 420), and a status Jetty has no phrase for gets
# its own number as the phrase (599 -> "599").
JETTY_REASONS: Mapping[int, str] = MappingProxyType(
    {
        100: "Continue",
        101: "Switching Protocols",
        102: "Processing",
        103: "Early Hint",
        200: "OK",
        201: "Created",
        202: "Accepted",
        203: "Non Authoritative Information",
        204: "No Content",
        205: "Reset Content",
        206: "Partial Content",
        207: "Multi-Status",
        300: "Multiple Choices",
        301: "Moved Permanently",
        302: "Found",
        303: "See Other",
        304: "Not Modified",
        305: "Use Proxy",
        307: "Temporary Redirect",
        308: "Permanent Redirect",
        400: "Bad Request",
        401: "Unauthorized",
        402: "Payment Required",
        403: "Forbidden",
        404: "Not Found",
        405: "Method Not Allowed",
        406: "Not Acceptable",
        407: "Proxy Authentication Required",
        408: "Request Timeout",
        409: "Conflict",
        410: "Gone",
        411: "Length Required",
        412: "Precondition Failed",
        413: "Payload Too Large",
        414: "URI Too Long",
        415: "Unsupported Media Type",
        416: "Range Not Satisfiable",
        417: "Expectation Failed",
        418: "I'm a Teapot",
        420: "Enhance your Calm",
        421: "Misdirected Request",
        422: "Unprocessable Entity",
        423: "Locked",
        424: "Failed Dependency",
        426: "Upgrade Required",
        428: "Precondition Required",
        429: "Too Many Requests",
        431: "Request Header Fields Too Large",
        451: "Unavailable for Legal Reason",
        500: "Server Error",
        501: "Not Implemented",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
        505: "HTTP Version Not Supported",
        507: "Insufficient Storage",
        508: "Loop Detected",
        510: "Not Extended",
        511: "Network Authentication Required",
    }
)


def reason_phrase(status: int, message: str | None) -> str:
    """The reason phrase of the status line: the stub's ``statusMessage``, else Jetty's."""
    if message is not None:
        return message
    return JETTY_REASONS.get(status) or str(status)


def serialise_head(
    definition: ResponseDefinition, headers: tuple[tuple[str, str], ...]
) -> bytes | None:
    """Status line and ``headers`` (framing headers already removed) without Date and the blank
    line; None when not preparable."""
    if len(definition.body) > MAX_PREPARED_BODY or definition.status in _NO_BODY_STATUSES:
        return None
    if any(name.lower() in _TRANSPORT_OWNED for name, _ in headers):
        return None
    reason = reason_phrase(definition.status, definition.status_message)
    lines = [f"HTTP/1.1 {definition.status} {reason}"]
    lines += [f"{name}: {value}" for name, value in headers]
    if definition.body and not any(n.lower() == "content-type" for n, _ in headers):
        lines.append("Content-Type: application/octet-stream")
    lines.append(f"Content-Length: {len(definition.body)}")
    lines.append(f"Server: {SERVER_SOFTWARE}")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def header_lines(headers: tuple[tuple[str, str], ...]) -> bytes:
    """``headers`` as lines to add to a prepared head (names and values the server made)."""
    return "".join([f"{name}: {value}\r\n" for name, value in headers]).encode("utf-8")


class DateLine:
    """``Date: ...\\r\\n\\r\\n`` for the current second, formatted once per second."""

    __slots__ = ("_line", "_second")

    def __init__(self) -> None:
        self._second = -1
        self._line = b""

    def __call__(self) -> bytes:
        now = int(time.time())
        if now != self._second:
            self._second = now
            self._line = f"Date: {formatdate(now, usegmt=True)}\r\n\r\n".encode()
        return self._line


def can_prepare(request: web.BaseRequest) -> bool:
    """Plain HTTP/1.1 keep-alive GET/POST/...: the only case the prepared bytes are right for."""
    transport = request.transport
    return (
        request.version == (1, 1)
        and request.method != "HEAD"
        and request.keep_alive
        and transport is not None
        and transport.get_write_buffer_size() < MAX_WRITE_BUFFER
    )
