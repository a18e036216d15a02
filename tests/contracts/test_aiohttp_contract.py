"""What mockbdd relies on in aiohttp beyond its documented API (``server/aiohttp_internals.py``),
pinned over real sockets so an aiohttp upgrade that breaks it fails here, by name."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from aiohttp import web
from aiohttp.http import RawRequestMessage
from yarl import URL

from mockbdd.server.aiohttp_internals import PreparedResponse, request_message

Handler = Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def serving(handler: Handler, access_log: logging.Logger | None = None) -> AsyncIterator[int]:
    """``handler`` behind aiohttp's low-level server, as ``server/runner.py`` serves."""
    server = web.Server(handler, access_log=access_log)
    runner = web.ServerRunner(server, handle_signals=False, access_log=access_log)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    site = web.SockSite(runner, sock)
    await site.start()
    try:
        yield sock.getsockname()[1]
    finally:
        await runner.cleanup()


async def exchange(port: int, payload: bytes, until: Callable[[bytes], bool]) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(payload)
    data = b""
    while not until(data):
        chunk = await asyncio.wait_for(reader.read(65536), 5)
        if not chunk:
            break
        data += chunk
    writer.close()
    return data


# ------------------------------------------------------------------ request._message


@pytest.mark.parametrize(
    ("target", "path"),
    [
        ("/a%2Fb/%7Euser?q=%20x&q=2", "/a%2Fb/%7Euser?q=%20x&q=2"),  # percent-encoding kept
        ("/caf%C3%A9/%zz?", "/caf%C3%A9/%zz?"),  # even a malformed escape
        ("http://example.com:81/p%2F?x=1", "http://example.com:81/p%2F?x=1"),  # absolute form
    ],
)
async def test_request_message_is_the_request_line_as_sent(target: str, path: str) -> None:
    seen: list[RawRequestMessage] = []

    async def handler(request: web.BaseRequest) -> web.StreamResponse:
        seen.append(request_message(request))
        return web.Response(text="ok")

    async with serving(handler) as port:
        request = f"PATCH {target} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
        await exchange(port, request.encode(), lambda d: d.endswith(b"ok"))
    (message,) = seen
    assert isinstance(message, RawRequestMessage)
    assert message.path == path
    assert message.method == "PATCH"
    assert isinstance(message.url, URL)
    if "q=" in target:
        assert message.url.query.getall("q") == [" x", "2"]


# ------------------------------------------------------------------ PreparedResponse


class Recording(PreparedResponse):
    """Records every attribute aiohttp reads on the response after the handler returns."""

    read: set[str]

    def __getattribute__(self, name: str) -> object:
        if name != "read" and (
            not name.startswith(("_mockbdd", "__")) or name == "__http_exception__"
        ):
            object.__getattribute__(self, "read").add(name)
        return object.__getattribute__(self, name)


HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nServer: t"
DATE = b"\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\n"
ANSWER = HEAD + DATE + b"hello"


def prepared_handler(responses: list[Recording]) -> Handler:
    async def handler(request: web.BaseRequest) -> web.StreamResponse:
        response = Recording(HEAD, DATE, b"hello", 200)
        object.__setattr__(response, "read", set())
        responses.append(response)
        return response

    return handler


async def test_prepared_bytes_go_out_as_given_and_the_connection_stays_open() -> None:
    responses: list[Recording] = []
    async with serving(prepared_handler(responses)) as port:
        pipelined = b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\n" * 3
        data = await exchange(port, pipelined, lambda d: d.count(b"hello") == 3)
    assert data == ANSWER * 3  # three answers on one kept-alive connection, nothing added
    assert len(responses) == 3


async def test_aiohttp_reads_only_what_prepared_response_implements() -> None:
    """The members of a returned response aiohttp's request handler uses. PreparedResponse
    overrides each of them; a new one here means aiohttp now reads something it does not."""
    responses: list[Recording] = []
    async with serving(prepared_handler(responses)) as port:
        await exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", lambda d: d.endswith(b"hello"))
    (response,) = responses
    assert response.read <= {"prepare", "write_eof", "keep_alive", "__http_exception__"}
    assert {"prepare", "keep_alive"} <= response.read


async def test_the_access_log_reads_status_and_length(caplog: pytest.LogCaptureFixture) -> None:
    responses: list[Recording] = []
    log = logging.getLogger("contract.access")
    with caplog.at_level(logging.INFO, "contract.access"):
        async with serving(prepared_handler(responses), access_log=log) as port:
            await exchange(
                port, b"GET /x HTTP/1.1\r\nHost: x\r\n\r\n", lambda d: d.endswith(b"hello")
            )
            await asyncio.sleep(0.05)  # the access line is written after the answer
    (response,) = responses
    assert {"status", "body_length"} <= response.read
    assert response.read <= {
        *("prepare", "write_eof", "keep_alive", "__http_exception__"),
        *("status", "body_length", "headers"),
    }
    assert any('"GET /x HTTP/1.1" 200 5' in r.getMessage() for r in caplog.records)


async def test_a_client_gone_before_prepare_is_a_premature_disconnect() -> None:
    """``prepare`` raises ConnectionResetError when the transport is closing: aiohttp takes it
    as the client's disconnect (no error logged, the server keeps serving)."""
    gone = asyncio.Event()

    async def handler(request: web.BaseRequest) -> web.StreamResponse:
        if request.path == "/late":
            assert request.transport is not None
            request.transport.close()  # as when the client hung up during a stub's delay
            gone.set()
        return PreparedResponse(HEAD, DATE, b"hello", 200)

    async with serving(handler) as port:
        await exchange(port, b"GET /late HTTP/1.1\r\nHost: x\r\n\r\n", lambda d: False)
        await asyncio.wait_for(gone.wait(), 5)
        data = await exchange(
            port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", lambda d: d.endswith(b"hello")
        )
    assert data == ANSWER


def test_prepared_response_is_a_stream_response_aiohttp_accepts() -> None:
    response = PreparedResponse(HEAD, DATE, b"hello", 201)
    assert isinstance(response, web.StreamResponse)
    assert (response.status, response.keep_alive, response.body_length) == (201, True, 5)
    assert response.prepared is False
    assert getattr(response, "__http_exception__", False) is False
