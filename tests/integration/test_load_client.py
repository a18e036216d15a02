"""mockbdd.load's HTTP/1.1 client against a raw server that frames its answers every way HTTP
allows (and some ways it does not): each ends where it should, keep-alive is kept only when the
answer allows it, and broken answers count as errors by kind."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from mockbdd.load.client import MAX_CONNECTING, Connection, Pool
from mockbdd.load.report import build_report
from mockbdd.load.runner import LoadRun
from mockbdd.load.script import parse_script

ANSWERS: dict[bytes, list[bytes] | None] = {
    b"/length": [b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"],
    b"/split": [b"HTTP/1.1 200 OK\r\nCont", b"ent-Length: 11\r\n\r\nhel", b"lo world"],
    b"/chunked": [
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
        b"lo\r\n0\r\n\r\n",
    ],
    b"/close": [b"HTTP/1.1 201 Created\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"],
    b"/eof": [b"HTTP/1.0 200 OK\r\n\r\nuntil the end"],
    b"/continue": [
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"
    ],
    b"/empty": [b"HTTP/1.1 204 No Content\r\n\r\n"],
    b"/head": [b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"],  # HEAD: no body follows
    b"/error": [b"HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n"],
    b"/garbage": [b"SMTP ready\r\n\r\n"],
    b"/extra": [b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nsurprise"],
    b"/hangup": None,  # the server closes without answering
}
CLOSES = {b"/close", b"/eof", b"/hangup"}


class RawServer:
    def __init__(self) -> None:
        self.connections = 0
        self.port = 0
        self.writers: set[asyncio.StreamWriter] = set()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.add(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ")[1]
                answer = ANSWERS[path]
                if answer is None:
                    break
                for piece in answer:
                    writer.write(piece)
                    await writer.drain()
                    await asyncio.sleep(0.005)
                if path in CLOSES:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:  # cancelled at the fixture's end too: no socket is left to the GC
            self.writers.discard(writer)
            writer.close()


@pytest.fixture
async def raw() -> AsyncIterator[RawServer]:
    raw = RawServer()
    server = await asyncio.start_server(raw.handle, "127.0.0.1", 0)
    raw.port = server.sockets[0].getsockname()[1]
    async with server:
        yield raw
    for writer in list(raw.writers):  # connections the test left open (a pool not drained)
        writer.close()


async def run(raw: RawServer, path: str, method: str = "GET") -> dict[str, Any]:
    script = {
        "target": f"http://127.0.0.1:{raw.port}",
        "arrivals": "uniform",
        "timeout": "1s",
        "maxInFlight": 1,  # one connection at a time, however slow the machine
        "requests": [{"method": method, "path": path}],
        "stages": [{"kind": "constant", "rate": 20, "duration": "0.25s"}],  # 5 arrivals
    }
    load = LoadRun(parse_script(script))
    await load.run()
    total: dict[str, Any] = build_report(load)["total"]
    return total


@pytest.mark.parametrize(
    ("path", "method", "status", "connections"),
    [
        ("/length", "GET", "200", 1),
        ("/split", "GET", "200", 1),
        ("/chunked", "GET", "200", 1),
        ("/continue", "GET", "202", 1),
        ("/empty", "GET", "204", 1),
        ("/head", "HEAD", "200", 1),
        ("/error", "GET", "500", 1),
        ("/close", "GET", "201", 5),  # Connection: close is honoured
        ("/eof", "GET", "200", 5),  # HTTP/1.0 without a length: the body ends at the close
    ],
)
async def test_each_framing_ends_the_answer_where_it_ends(
    raw: RawServer, path: str, method: str, status: str, connections: int
) -> None:
    total = await run(raw, path, method)
    answered = total["completed"]  # an arrival while the one connection is busy is dropped
    assert answered >= 1
    assert answered + total["dropped"] == 5
    assert total["statusCodes"] == {status: answered}
    assert raw.connections == (answered if connections > 1 else 1)


@pytest.mark.parametrize(
    ("path", "kind"),
    [("/garbage", "protocol"), ("/extra", "protocol"), ("/hangup", "closed")],
)
async def test_broken_answers_count_as_errors_by_kind(raw: RawServer, path: str, kind: str) -> None:
    total = await run(raw, path)
    ended = total["sent"]
    assert ended + total["dropped"] == 5
    assert ended >= 1
    if path == "/extra":  # the answer itself was whole; the bytes after it spoil the connection
        assert total["statusCodes"] == {"200": ended}
        assert total["failed"] == 0
        assert raw.connections == ended
    else:
        assert total["errors"] == {kind: ended}
        assert total["failed"] == ended


async def test_the_pool_opens_at_most_max_connecting_connections_at_once(raw: RawServer) -> None:
    """A burst of arrivals with no idle connection opens MAX_CONNECTING connections and no more
    at once (past a target's listen backlog the kernel drops SYNs, retried only after 1 s); the
    others wait for the first connection free, and every request is answered."""
    outcomes: list[int | str] = []
    everything = asyncio.get_running_loop().create_future()

    def done(conn: Connection, outcome: int | str) -> None:
        outcomes.append(outcome)
        if len(outcomes) == 300:
            everything.set_result(None)

    pool = Pool("127.0.0.1", raw.port, 300, done)
    payload = b"GET /length HTTP/1.1\r\nHost: x\r\n\r\n"
    most = 0
    for _ in range(300):
        assert pool.send(payload, False, 0.0, 0) is not None
        most = max(most, pool.connecting)
    assert most == MAX_CONNECTING < 300
    await asyncio.wait_for(everything, 60)
    assert outcomes == [200] * 300
    assert MAX_CONNECTING < raw.connections < 300  # connections freed took waiting requests
    assert pool.connecting == 0
    pool.close()


async def test_a_request_that_times_out_waiting_for_its_connection_sends_nothing(
    raw: RawServer,
) -> None:
    """A request aborted (its timeout) while its connection waits to be opened is failed once,
    and its connection is never opened."""
    outcomes: list[int | str] = []
    pool = Pool("127.0.0.1", raw.port, MAX_CONNECTING + 1, lambda c, o: outcomes.append(o))
    payload = b"GET /length HTTP/1.1\r\nHost: x\r\n\r\n"
    for _ in range(MAX_CONNECTING):
        assert pool.send(payload, False, 0.0, 0) is not None
    last = pool.send(payload, False, 0.0, 0)
    assert last is not None
    last.abort("timeout")
    assert outcomes == ["timeout"]
    for _ in range(600):
        if len(outcomes) == MAX_CONNECTING + 1:
            break
        await asyncio.sleep(0.05)
    assert sorted(map(str, outcomes)) == ["200"] * MAX_CONNECTING + ["timeout"]
    assert raw.connections == MAX_CONNECTING
    assert pool.connecting == 0
    assert last not in pool.open
    pool.close()
