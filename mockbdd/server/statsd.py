"""``--statsd HOST:PORT``: counters and timings pushed over UDP, never waiting for the receiver.

Counters are summed between flushes (one line per key), timings sent one per answer up to
:data:`MAX_TIMINGS_PER_FLUSH` (then sampled, with StatsD's ``@rate``). Lines are packed into
datagrams of at most :data:`MAX_DATAGRAM` bytes and written with a non-blocking ``sendto``: a
datagram the kernel will not take now is dropped and counted, never retried.
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket

from mockbdd.domain.journal import ServeEvent

log = logging.getLogger("mockbdd.statsd")
FLUSH_S = 1.0
MAX_DATAGRAM = 1432  # fits an Ethernet MTU with IP and UDP headers
MAX_TIMINGS_PER_FLUSH = 2000
PREFIX = "mockbdd"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def _safe(part: str) -> str:
    """A label value as one StatsD name segment (dots, colons and pipes would break a line)."""
    return _UNSAFE.sub("_", part) or "_"


class StatsdPusher:
    """A metrics sink (``Metrics.sinks``): ``push`` is called per completed event."""

    def __init__(self, host: str, port: int, *, flush_s: float = FLUSH_S) -> None:
        self.address = (host, port)
        self.flush_s = flush_s
        self.dropped = 0  # datagrams the socket refused
        self._counters: dict[str, int] = {}
        self._timings: list[str] = []
        self._skipped = 0
        self._names: dict[tuple[str, str], str] = {}
        self._sock: socket.socket | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(*self.address, type=socket.SOCK_DGRAM)
        family, _, _, _, address = infos[0]
        sock = socket.socket(family, socket.SOCK_DGRAM)
        sock.setblocking(False)
        sock.connect(address)  # a fixed peer: sendto needs no address, errors come back as such
        self._sock = sock
        self._task = loop.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        self.flush()
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def push(self, namespace: str, stub: str, status: str, event: ServeEvent) -> None:
        base = self._names.get((namespace, stub))
        if base is None:
            base = self._names[(namespace, stub)] = f"{PREFIX}.{_safe(namespace)}.{_safe(stub)}"
        counters = self._counters
        for key in (f"{base}.requests", f"{base}.status.{status}"):
            counters[key] = counters.get(key, 0) + 1
        if len(self._timings) < MAX_TIMINGS_PER_FLUSH:
            self._timings.append(f"{base}.duration:{event.total_ms:.3f}|ms")
        else:
            self._skipped += 1

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.flush_s)
            self.flush()

    def flush(self) -> None:
        """Send what was gathered since the last flush (a no-op when nothing was)."""
        lines = [f"{key}:{n}|c" for key, n in self._counters.items()]
        timings, skipped = self._timings, self._skipped
        if skipped and timings:  # each sent timing stands for this many answers
            rate = len(timings) / (len(timings) + skipped)
            timings = [f"{line}|@{rate:.4f}" for line in timings]
        lines.extend(timings)
        self._counters, self._timings, self._skipped = {}, [], 0
        if self._sock is None or not lines:
            return
        for datagram in _pack(lines):
            try:
                self._sock.send(datagram)
            except (BlockingIOError, InterruptedError):
                self.dropped += 1
            except OSError as exc:  # nobody listening (ICMP refused) and the like: keep serving
                self.dropped += 1
                log.debug("mockbdd: statsd datagram to %s dropped: %s", self.address, exc)


def _pack(lines: list[str]) -> list[bytes]:
    datagrams: list[bytes] = []
    current: list[bytes] = []
    size = 0
    for line in lines:
        encoded = line.encode()
        if current and size + 1 + len(encoded) > MAX_DATAGRAM:
            datagrams.append(b"\n".join(current))
            current, size = [], 0
        current.append(encoded)
        size += len(encoded) + (1 if size else 0)
    if current:
        datagrams.append(b"\n".join(current))
    return datagrams
