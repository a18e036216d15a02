#!/usr/bin/env python3
"""Where the idle RSS of ``mockbdd serve`` goes, layer by layer, in one fresh process.

Loads what ``mockbdd serve`` loads at start-up, in dependency order, and prints the resident
set after each layer; then starts the real server (no mapping), and only then asks the admin
API for its first time: one mapping created, one request served (the figures ``bench/run.py
rss`` measures as "just started" and "after 1 mapping, 1 request"). The admin route table and
the StubMapping models load at that first admin call, so they appear after start-up. Run it on
its own (``python bench/rss_layers.py``): it must be the only thing in its process, so it is
started as a subprocess by ``run.py``.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

# what a server loads only when asked for it: none of these may be in the start-up layers
ON_FIRST_USE = (
    "mockbdd.admin.routes",  # the first admin request
    "mockbdd.wire.models",  # with it (or a mapping file): the StubMapping models
    "mockbdd.wire.mappings",
    "mockbdd.exchanges",  # the first mount of an exchange mock
    "mockbdd.server.deadline",  # the first delayed answer (ctypes, a timerfd)
    "mockbdd.wire.delays",  # the first delay decoded (the delay types' pydantic models)
    "mockbdd.sim.distributions",  # with them (the samplers beyond WireMock's three)
    "mockbdd.wire.patterns",  # with the StubMapping models
    "mockbdd.wire.operators",  # the first content pattern decoded (bodyPatterns, headers)
    "mockbdd.wire.journal",  # the first admin call (journal tasks) or event encoded
    "mockbdd.admin.types",  # the first admin call
    "mockbdd.admin.spec",  # the first admin call (the route specs)
    "mockbdd.domain.websockets",  # the first webSocket stub decoded
    "mockbdd.server.websockets",  # the first webSocket session
    "mockbdd.server.pressure",  # the first pressure or reset call
    "mockbdd.templating.file_routes",  # the first stub of a tag map's templates: folder
    "mockbdd.server.tracing",  # only with --otel
    "mockbdd.server.statsd",  # only with --statsd
    "prometheus_client",  # the first /__admin/metrics scrape
    "orjson",  # the first event encoded (a listener of /__admin/events)
    "mockbdd.admin.event_encoding",  # with it
    "difflib",  # the first close name suggested in an error
    "mockbdd.webhooks.webhook",  # the first stub with a webhook
    "mockbdd.domain.collections",  # the first CRUD collection used
    "mockbdd.sim.timeline",  # the first admin call (settings tasks) or timeline
    "mockbdd.sim.token_bucket",  # the first rate limit
    "mockbdd.sim.degradation",  # the first degraded request
    "mockbdd.server.websocket_player",  # the first webSocket session
    "mockbdd.server.plugin_sockets",  # a service plugin's first WebSocket session
    "statistics",  # the first delay summary, or normal/percentiles delay
)


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

    from mockbdd.config import ServerConfig  # its first model is ServerConfig

    layers.append(("mockbdd.config (ServerConfig; the journal and stubs it names)", rss_mib()))

    import mockbdd.domain.engine

    layers.append(("the rest of the domain (engine, namespaces)", rss_mib()))

    import mockbdd.wire.builtins

    layers.append(("built-in extensions (delay types, operators, transformers)", rss_mib()))

    import mockbdd.cli  # noqa: F401
    from mockbdd.server.embedded import new_event_loop
    from mockbdd.server.runner import MockHttpServer

    layers.append(("the server (data plane, stages, metrics, events) and cli", rss_mib()))
    early = [name for name in ON_FIRST_USE if name in sys.modules]
    if early:  # a regression (tests/integration/test_cli_serve.py checks the first three)
        print(f"note: loaded at start-up, expected on first use: {', '.join(early)}\n")

    # as mockbdd serve does; pydantic-settings is imported only when MOCKBDD_* or .env is set
    server = MockHttpServer(ServerConfig.from_environment(port=0))
    loop = new_event_loop()

    async def exercise() -> None:
        await server.start()
        layers.append(("started: listening, nothing asked", rss_mib()))
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
        layers.append(("first admin call: route table, StubMapping models, 1 mapping", rss_mib()))
        await send(b"GET /api/users/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        layers.append(("serving: 1 request", rss_mib()))
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
