#!/usr/bin/env python3
"""Where the idle RSS of ``mockbdd serve`` goes, layer by layer, in one fresh process.

Loads what ``mockbdd serve`` loads, in dependency order, and prints the resident set after each
layer; then starts the real server, creates one mapping and serves one request (what the idle
figure in ``bench/run.py rss`` measures). Run it on its own (``python bench/rss_layers.py``):
it must be the only thing in its process, so it is started as a subprocess by ``run.py``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    layers: list[tuple[str, float]] = [("python + asyncio", rss_mib())]

    import aiohttp.web  # noqa: F401
    import uvloop  # noqa: F401

    layers.append(("aiohttp.web + uvloop", rss_mib()))

    from pydantic import BaseModel

    class _First(BaseModel):  # the first model loads pydantic's schema builder and plugins
        x: int

    layers.append(("pydantic (one model built)", rss_mib()))

    import prometheus_client  # noqa: F401

    layers.append(("prometheus-client (metrics are on by default)", rss_mib()))

    import mockbdd.wire.models

    layers.append(("mockbdd's wire models (pydantic)", rss_mib()))

    import mockbdd.cli  # noqa: F401
    from mockbdd.config import ServerConfig
    from mockbdd.server.embedded import new_event_loop
    from mockbdd.server.runner import MockHttpServer

    layers.append(("the rest of mockbdd's modules", rss_mib()))

    # as mockbdd serve does; pydantic-settings is imported only when MOCKBDD_* or .env is set
    server = MockHttpServer(ServerConfig.from_environment(port=0))
    loop = new_event_loop()

    async def exercise() -> None:
        await server.start()
        port = int(server.origin().rsplit(":", 1)[1])

        async def send(raw: bytes) -> None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(raw)
            await reader.read()
            writer.close()

        body = b'{"request":{"url":"/api/users/1"},"response":{"jsonBody":{"id":1}}}'
        await send(
            b"POST /__admin/mappings HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        await send(b"GET /api/users/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        layers.append(("serving: 1 mapping, 1 request", rss_mib()))
        await server.stop()

    loop.run_until_complete(exercise())
    loop.close()

    print("| layer | RSS after, MiB | added, MiB |")
    print("|---|---:|---:|")
    previous = 0.0
    for name, value in layers:
        print(f"| {name} | {value:.1f} | {value - previous:+.1f} |")
        previous = value


if __name__ == "__main__":
    main()
