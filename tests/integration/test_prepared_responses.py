"""The pre-serialised fast path answers exactly like aiohttp's path: pipelining, HEAD, HTTP/1.0."""

from __future__ import annotations

import socket

import httpx

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
