"""Resource pressure (DESIGN §11, ``/__admin/pressure``): real memory held by the server process
and real CPU burnt by child processes, for a while, within the server's caps.

- Memory is allocated in a worker thread, 16 MiB at a time, every page written, so it shows in
  the server's resident set; the loop keeps serving while it is filled. It is given back (each
  chunk is its own mapping, returned to the system when freed) when the pressure ends.
- CPU is burnt by ``ceil(cpuPercent / 100)`` child Python processes, each busy for its share of
  every 100 ms: the server's own threads (and its GIL) are left alone. A child also ends on its
  own at the deadline, or when the server that started it is gone.

Pressure belongs to the namespace it was applied in: applying again replaces it, and it ends
at ``durationMs``, on ``DELETE /__admin/pressure``, on that namespace's reset or deletion, and
when the server stops. The caps count every namespace's pressure together.
"""

from __future__ import annotations

import asyncio
import math
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from mockbdd.domain.errors import InvalidInput

CHUNK = 16 * 1024 * 1024
PAGE = 4096
_TOUCH = b"\x01" * (CHUNK // PAGE)
_BURN = """
import os, sys, time
share, end, parent = float(sys.argv[1]) / 100, time.monotonic() + float(sys.argv[2]), os.getppid()
while time.monotonic() < end and os.getppid() == parent:
    busy = time.monotonic() + 0.1 * share
    while time.monotonic() < busy:
        pass
    time.sleep(max(0.0, 0.1 * (1 - share)))
"""


def rss_mb() -> float:
    """The resident set of this process in MiB (Linux ``/proc``; 0 where there is none)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


@dataclass(eq=False)
class _Load:
    memory_mb: int
    cpu_percent: int
    duration_ms: int
    started: float
    chunks: list[bytearray] = field(default_factory=list)
    burners: list[subprocess.Popen[bytes]] = field(default_factory=list)
    released: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    timer: asyncio.TimerHandle | None = None

    @property
    def held_mb(self) -> int:
        return len(self.chunks) * CHUNK // (1024 * 1024)

    def fill(self) -> None:
        """In a worker thread: allocate and write ``memory_mb``, a chunk at a time."""
        left = self.memory_mb * 1024 * 1024
        while left > 0:
            size = min(CHUNK, left)
            chunk = bytearray(size)
            chunk[::PAGE] = _TOUCH[: len(range(0, size, PAGE))]
            with self.lock:
                if self.released:
                    return
                self.chunks.append(chunk)
            left -= size

    def burn(self) -> None:
        """In a worker thread: start the children that burn ``cpu_percent``."""
        processes = math.ceil(self.cpu_percent / 100)
        share, seconds = self.cpu_percent / processes, str(self.duration_ms / 1000)
        for _ in range(processes):
            burner = subprocess.Popen(
                [sys.executable, "-c", _BURN, str(share), seconds],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            with self.lock:
                self.burners.append(burner)
                if self.released:  # ended while starting: this one goes too
                    burner.kill()
                    return

    def release(self) -> None:
        with self.lock:
            self.released = True
            self.chunks.clear()
        if self.timer is not None:
            self.timer.cancel()
        for burner in self.burners:
            if burner.poll() is None:
                burner.kill()
        for burner in self.burners:
            try:
                burner.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover - a killed child always ends
                pass


class Pressure:
    """Every namespace's pressure on one server, within ``max_memory_mb`` and
    ``max_cpu_percent`` all together."""

    def __init__(self, max_memory_mb: int, max_cpu_percent: int) -> None:
        self.max_memory_mb = max_memory_mb
        self.max_cpu_percent = max_cpu_percent
        self._loads: dict[str, _Load] = {}

    def _others(self, namespace: str) -> tuple[int, int]:
        loads = [load for name, load in self._loads.items() if name != namespace]
        return sum(x.memory_mb for x in loads), sum(x.cpu_percent for x in loads)

    def check(self, namespace: str, memory_mb: int, cpu_percent: int) -> None:
        """Raise ``InvalidInput`` when ``namespace`` asking for this would go over a cap
        (its own current pressure is replaced, so it does not count)."""
        memory, cpu = self._others(namespace)
        for pointer, asked, held, cap, flag, unit in (
            ("/memoryMb", memory_mb, memory, self.max_memory_mb, "memory-mb", "MB"),
            ("/cpuPercent", cpu_percent, cpu, self.max_cpu_percent, "cpu-percent", "%"),
        ):
            if asked > cap - held:
                others = f", {held} {unit} held by other namespaces" if held else ""
                raise InvalidInput(
                    pointer,
                    f"{asked} {unit} is over this server's cap of {cap} {unit}{others}"
                    f" (--pressure-max-{flag}); valid: 0..{max(0, cap - held)}",
                )

    async def apply(
        self, namespace: str, memory_mb: int, cpu_percent: int, duration_ms: int
    ) -> dict[str, Any]:
        """Replace ``namespace``'s pressure with this one; answers once the memory is held and
        the burners run (the loop serves meanwhile)."""
        self.check(namespace, memory_mb, cpu_percent)
        await self.release(namespace)
        load = _Load(memory_mb, cpu_percent, duration_ms, time.time())
        self._loads[namespace] = load
        if cpu_percent:
            await asyncio.to_thread(load.burn)
        if memory_mb:
            await asyncio.to_thread(load.fill)
        if self._loads.get(namespace) is load:  # the duration counts once it is all in force
            load.started = time.time()
            loop = asyncio.get_running_loop()
            load.timer = loop.call_later(duration_ms / 1000, self._expire, namespace, load)
        return self.report(namespace)

    def _expire(self, namespace: str, load: _Load) -> None:
        if self._loads.get(namespace) is load:
            self.drop(namespace)

    def drop(self, namespace: str) -> None:
        """End ``namespace``'s pressure from synchronous code (a namespace deleted or expired):
        the children are reaped in a worker thread."""
        load = self._loads.pop(namespace, None)
        if load is not None:
            with load.lock:
                load.released = True
                load.chunks.clear()  # the memory goes back now, the children a moment later
            asyncio.get_running_loop().run_in_executor(None, load.release)

    async def release(self, namespace: str) -> bool:
        """End ``namespace``'s pressure; False when it had none."""
        load = self._loads.pop(namespace, None)
        if load is None:
            return False
        await asyncio.to_thread(load.release)
        return True

    async def release_all(self) -> None:
        for namespace in list(self._loads):
            await self.release(namespace)

    def report(self, namespace: str) -> dict[str, Any]:
        load = self._loads.get(namespace)
        caps = {"memoryMb": self.max_memory_mb, "cpuPercent": self.max_cpu_percent}
        base: dict[str, Any] = {"caps": caps, "rssMb": round(rss_mb(), 1)}
        if load is None:
            return {"active": False, **base}
        ends = load.started + load.duration_ms / 1000
        return {
            "active": True,
            "memoryMb": load.memory_mb,
            "heldMemoryMb": load.held_mb,
            "cpuPercent": load.cpu_percent,
            "cpuProcesses": [b.pid for b in load.burners if b.poll() is None],
            "durationMs": load.duration_ms,
            "remainingMs": max(0, round((ends - time.time()) * 1000)),
            **base,
        }
