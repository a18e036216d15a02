"""The pre-serialised fast path answers exactly like aiohttp's path: pipelining, HEAD, HTTP/1.0."""

from __future__ import annotations

import socket

import httpx
import pytest
from aiohttp import web

from mockbdd.server import prepared
from mockbdd.server.embedded import MockServer


def raw(port: int, payload: bytes, expect_responses: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(payload)
        data = b""
        while data.count(b"HTTP/1.") < expect_responses or not data.endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return data


def test_pipelined_requests_come_back_in_order(server: MockServer, http: httpx.Client) -> None:
    for i in range(3):
        http.post(
            "/__admin/mappings",
            json={"request": {"url": f"/p{i}"}, "response": {"jsonBody": {"n": i}}},
        )
    payload = b"".join(f"GET /p{i} HTTP/1.1\r\nHost: x\r\n\r\n".encode() for i in range(3))
    data = raw(server.port, payload, 3)
    assert data.count(b"HTTP/1.1 200 OK") == 3
    assert data.index(b'{"n":0}') < data.index(b'{"n":1}') < data.index(b'{"n":2}')
    assert data.count(b"Content-Length: 7") == 3


def test_head_and_http10_take_the_general_path(server: MockServer, http: httpx.Client) -> None:
    http.post("/__admin/mappings", json={"request": {"url": "/h"}, "response": {"body": "hello"}})
    head = http.head("/h")
    assert head.status_code == 200
    assert head.content == b""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"GET /h HTTP/1.0\r\n\r\n")
        reply = b""
        while chunk := sock.recv(4096):
            reply += chunk
    assert reply.startswith(b"HTTP/1.0 200")
    assert reply.endswith(b"hello")


def test_status_message_and_no_content(http: httpx.Client) -> None:
    http.post(
        "/__admin/mappings",
        json={
            "request": {"url": "/m"},
            "response": {"status": 418, "statusMessage": "Short and stout"},
        },
    )
    http.post("/__admin/mappings", json={"request": {"url": "/n"}, "response": {"status": 204}})
    teapot = http.get("/m")
    assert (teapot.status_code, teapot.reason_phrase) == (418, "Short and stout")
    empty = http.get("/n")
    assert empty.status_code == 204
    assert "content-length" not in empty.headers


# ------------------------------------------------------------------ the --no-prepared switch

SWITCH_STUBS = [
    {"request": {"url": "/json"}, "response": {"jsonBody": {"a": [1, 2]}}},
    {"request": {"url": "/plain"}, "response": {"status": 201, "body": "made"}},
    {
        "request": {"url": "/headers"},
        "response": {
            "status": 418,
            "statusMessage": "Short and stout",
            "headers": {"X-One": "1", "Set-Cookie": ["a=1", "b=2"], "Content-Type": "text/x"},
            "body": "tea",
        },
    },
    {"request": {"url": "/named"}, "name": "a named stub", "response": {"status": 404}},
    {"request": {"url": "/empty"}, "response": {"status": 200}},
    {"request": {"url": "/unicode"}, "response": {"body": "caf\u00e9 \u2603"}},
]


def answer_parts(port: int, path: str) -> tuple[bytes, list[tuple[bytes, bytes]], bytes]:
    """Status line, headers (Date left out; in order per name) and body of one answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data or len(data.partition(b"\r\n\r\n")[2]) < length(data):
            chunk = sock.recv(65536)
            assert chunk, data
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status, *lines = head.split(b"\r\n")
    headers = [tuple(line.split(b": ", 1)) for line in lines]
    kept = sorted((h for h in headers if h[0].lower() != b"date"), key=lambda h: h[0].lower())
    return status, kept, body  # type: ignore[return-value]


def length(data: bytes) -> int:
    for line in data.partition(b"\r\n\r\n")[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 0


def test_no_prepared_answers_the_same_bytes_through_web_response(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    written: list[int] = []

    class Counted(prepared.PreparedResponse):
        async def prepare(self, request: web.BaseRequest) -> None:
            written.append(self.status)
            await super().prepare(request)

    monkeypatch.setattr(prepared, "PreparedResponse", Counted)
    answers: dict[bool, list[tuple[bytes, list[tuple[bytes, bytes]], bytes]]] = {}
    for fast in (True, False):
        with MockServer(prepared=fast) as server:
            for i, stub in enumerate(SWITCH_STUBS):
                stub = {**stub, "id": f"00000000-0000-0000-0000-00000000000{i}"}
                httpx.post(f"{server.url}/__admin/mappings", json=stub).raise_for_status()
            before = len(written)
            answers[fast] = [answer_parts(server.port, s["request"]["url"]) for s in SWITCH_STUBS]
            taken = len(written) - before
        assert taken == (len(SWITCH_STUBS) if fast else 0)  # the switch decides the path
    assert answers[True] == answers[False]
    status, headers, body = answers[False][2]
    assert status == b"HTTP/1.1 418 Short and stout"
    assert (b"Set-Cookie", b"a=1") in headers
    assert headers.index((b"Set-Cookie", b"a=1")) < headers.index((b"Set-Cookie", b"b=2"))
    assert body == b"tea"
