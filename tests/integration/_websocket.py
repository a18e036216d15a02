"""What the WebSocket tests share (their ``mock`` server is conftest's fixture): URLs, stub
creation, and a raw client for what no client library would do (broken frames, never reading)."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
from typing import Any
from urllib.parse import urlsplit

import httpx

from mockbdd.server.embedded import MockServer


def ws_url(server: MockServer, path: str) -> str:
    return server.url.replace("http://", "ws://") + path


async def create(server: MockServer, mapping: dict[str, Any]) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url) as http:
        return await http.post("/__admin/mappings", json=mapping)


async def upgrade(
    base_url: str, path: str, *, rcvbuf: int | None = None
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A raw connection upgraded at ``path`` (``rcvbuf``: its socket's receive buffer, set
    before it connects, so a client that does not read stops the server's sending soon)."""
    url = urlsplit(base_url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, (url.hostname, url.port))
    reader, writer = await asyncio.open_connection(sock=sock)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        .encode()
    )  # fmt: skip
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101"), head
    return reader, writer


def frame(payload: bytes, opcode: int = 1, *, length: int | None = None) -> bytes:
    """One masked frame from the client; ``length``: the payload length its header claims."""
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    n = len(payload) if length is None else length
    if n < 126:
        head = bytes([0x80 | opcode, 0x80 | n])
    elif n < 1 << 16:
        head = bytes([0x80 | opcode, 0x80 | 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([0x80 | opcode, 0x80 | 127]) + n.to_bytes(8, "big")
    return head + mask + masked


async def close_frame(reader: asyncio.StreamReader) -> tuple[int, str, int]:
    """The server's close frame (code, reason), and how many bytes of frames came before it."""
    before = 0
    while True:
        first, length = await reader.readexactly(2)
        size = 2
        if length == 126:
            length = int.from_bytes(await reader.readexactly(2), "big")
            size += 2
        elif length == 127:
            length = int.from_bytes(await reader.readexactly(8), "big")
            size += 8
        payload = await reader.readexactly(length)
        if first & 0x0F == 0x8:
            return int.from_bytes(payload[:2], "big"), payload[2:].decode(), before
        before += size + length


async def read_to_the_end(reader: asyncio.StreamReader) -> int:
    """How many bytes came before the server ended the connection (closed or cut)."""
    got = 0
    try:
        while chunk := await reader.read(65536):
            got += len(chunk)
    except ConnectionResetError:
        pass
    return got


def kernel_send_buffer_max() -> int:
    """The most a server socket's kernel buffer takes for a client that does not read (Linux
    grows it up to ``tcp_wmem``'s maximum); 4 MiB where that cannot be read."""
    try:
        with open("/proc/sys/net/ipv4/tcp_wmem") as f:
            return int(f.read().split()[2])
    except (OSError, IndexError, ValueError):
        return 4 * 1024 * 1024


async def until_steady(count: Any, every: float = 0.3, timeout: float = 30.0) -> int:
    """Poll ``count()`` (an awaitable count) until it is above 0 and the same twice running:
    the server stopped sending. Its last value."""
    last = -1
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        now = await count()
        if now and now == last:
            return int(now)
        last = now
        await asyncio.sleep(every)
    raise AssertionError(f"the server kept sending for {timeout} s (last count {last})")
