"""Why mockbdd load has its own HTTP client: requests per second one core gets through with
aiohttp's client and with mockbdd.load.client's Pool, both closed-loop with 50 connections
against the same mockbdd server (on CPU $SERVER_CPU; the clients on CPU $LOAD_CPU).

    .venv/bin/python bench/load_client.py        # DUR=3 seconds per client, ~10 s in all
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import LOAD_CPU, free_port, mockbdd_cmd, pinned, wait_ready, write_stub_files

DUR = float(os.environ.get("DUR", "3"))
CONNS = 50


async def with_aiohttp(port: int) -> float:
    import aiohttp

    done = 0
    deadline = time.perf_counter() + DUR
    url = f"http://127.0.0.1:{port}/api/users/1"
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONNS)) as session:

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                async with session.get(url) as resp:
                    await resp.read()
                done += 1

        await asyncio.gather(*(worker() for _ in range(CONNS)))
    return done / DUR


async def with_pool(port: int) -> float:
    from mockbdd.load.client import Connection, Pool

    done = 0
    deadline = time.perf_counter() + DUR
    payload = f"GET /api/users/1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    finished = asyncio.get_running_loop().create_future()

    def again(conn: Connection, outcome: int | str) -> None:
        nonlocal done
        done += 1
        if time.perf_counter() < deadline:
            pool.send(payload, False, 0.0, 0)
        elif pool.in_flight == 0 and not finished.done():
            finished.set_result(None)

    pool = Pool("127.0.0.1", port, CONNS, again)
    for _ in range(CONNS):
        pool.send(payload, False, 0.0, 0)
    await finished
    pool.close()
    return done / DUR


def child(which: str, port: int) -> None:
    import uvloop

    rate = uvloop.run(with_aiohttp(port) if which == "aiohttp" else with_pool(port))
    print(f"{rate:.0f}")


def main() -> None:
    port = free_port()
    stubs = Path(tempfile.mkdtemp()) / "mappings"
    write_stub_files(stubs)
    with pinned(mockbdd_cmd(port, "--mappings", str(stubs), "--journal-max", "0")):
        wait_ready(f"http://127.0.0.1:{port}/api/users/1")
        print(f"| client (uvloop, {CONNS} connections, closed loop, CPU {LOAD_CPU}) | req/s |")
        print("|---|---:|")
        for which in ("aiohttp", "pool"):
            cmd = ["taskset", "-c", LOAD_CPU, sys.executable, __file__, which, str(port)]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()
            name = "aiohttp ClientSession" if which == "aiohttp" else "mockbdd.load.client.Pool"
            print(f"| {name} | {out} |", flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 3:
        child(sys.argv[1], int(sys.argv[2]))
    else:
        main()
