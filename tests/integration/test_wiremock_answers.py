"""Stub answers pinned to what real WireMock 3.13.2 sends, found by
``bench/wiremock_diff_responses.py`` (the same response definitions served by WireMock and by
mockbdd, read by httpx and by raw sockets)."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest

from mockbdd.server.embedded import MockServer


def stub(http: httpx.Client, url: str, response: dict[str, Any]) -> None:
    resp = http.post("/__admin/mappings", json={"request": {"url": url}, "response": response})
    assert resp.status_code == 201, resp.text


def raw(port: int, request: bytes) -> tuple[bytes, bool]:
    """What the server sends for ``request``, and whether it closed the connection after."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        sock.settimeout(1.0)
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except TimeoutError:
            return data, False
        return data, True


@pytest.mark.parametrize(
    ("status", "message", "reason"),
    [
        # Jetty's phrases where they differ from Python's, and the number for an unknown status
        (500, None, "Server Error"),
        (451, None, "Unavailable for Legal Reason"),
        (413, None, "Payload Too Large"),
        (203, None, "Non Authoritative Information"),
        (420, None, "Enhance your Calm"),
        (599, None, "599"),
        (418, None, "I'm a Teapot"),
        (200, "Fine Thanks", "Fine Thanks"),
        (500, "", ""),
    ],
)
def test_reason_phrase_is_jettys(
    http: httpx.Client, status: int, message: str | None, reason: str
) -> None:
    # real WireMock 3.13.2 sends "HTTP/1.1 500 Server Error", "HTTP/1.1 599 599", ...
    response: dict[str, Any] = {"status": status, "body": "x"}
    if message is not None:
        response["statusMessage"] = message
    stub(http, "/r", response)
    assert http.get("/r").reason_phrase == reason  # the pre-serialised path
    assert http.head("/r").reason_phrase == reason  # aiohttp's path
    response["chunkedDribbleDelay"] = {"numberOfChunks": 1, "totalDuration": 1}
    stub(http, "/dribble", response)
    assert http.get("/dribble").reason_phrase == reason  # the non-static path


@pytest.mark.parametrize(
    "extra", [{}, {"chunkedDribbleDelay": {"numberOfChunks": 2, "totalDuration": 10}}]
)
def test_connection_close_in_a_stub_closes_the_connection(
    server: MockServer, http: httpx.Client, extra: dict[str, Any]
) -> None:
    # real WireMock 3.13.2 sends a stub's "Connection: close" and closes the connection after
    # the answer, on HTTP/1.1 and HTTP/1.0 alike
    stub(http, "/close", {"headers": {"Connection": "close"}, "body": "bye", **extra})
    for version in ("1.1", "1.0"):
        data, closed = raw(server.port, f"GET /close HTTP/{version}\r\nHost: x\r\n\r\n".encode())
        assert b"\r\nConnection: close\r\n" in data
        assert data.endswith(b"bye")
        assert closed
    stub(http, "/open", {"body": "stay"})
    _, closed = raw(server.port, b"GET /open HTTP/1.1\r\nHost: x\r\n\r\n")
    assert not closed


def test_malformed_response_chunk_and_random_data_are_wiremocks_bytes(
    server: MockServer, http: httpx.Client
) -> None:
    # real WireMock 3.13.2 writes a chunked 200 head then this garbage (no CRLF after it) for
    # MALFORMED_RESPONSE_CHUNK, and the garbage alone for RANDOM_DATA_THEN_CLOSE
    garbage = b"lskdu018973t09sylgasjkfg1][]'./.sdlv"
    stub(http, "/m", {"fault": "MALFORMED_RESPONSE_CHUNK"})
    stub(http, "/r", {"fault": "RANDOM_DATA_THEN_CLOSE"})
    data, _ = raw(server.port, b"GET /m HTTP/1.1\r\nHost: x\r\n\r\n")
    assert data == b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + garbage
    assert raw(server.port, b"GET /r HTTP/1.1\r\nHost: x\r\n\r\n") == (garbage, True)


def test_json_body_is_written_as_jackson_writes_it(http: httpx.Client) -> None:
    # real WireMock 3.13.2 escapes characters beyond the BMP as surrogate pairs, writes
    # fractional numbers in plain notation and has no negative zero
    mapping = (
        '{"request": {"url": "/j"}, "response": {"jsonBody": '
        '{"s": "\\ud834\\udd1e é\\u0001\\b", "e": 1e20, "small": 1e-7, "z": -0.0, "f": 1.0,'
        ' "i": 12345678901234567890, "n": null}}}'
    )
    assert http.post("/__admin/mappings", content=mapping).status_code == 201
    assert http.get("/j").content == (
        b'{"s":"\\uD834\\uDD1E \xc3\xa9\\u0001\\b","e":100000000000000000000,'
        b'"small":0.0000001,"z":0.0,"f":1.0,"i":12345678901234567890,"n":null}'
    )
