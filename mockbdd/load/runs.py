"""Load runs started over the admin API (``/__admin/load-runs``): a bounded registry of runs on
the server's own loop, each with its progress while it goes and its report when it ends."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from mockbdd.load.report import build_report
from mockbdd.load.runner import LoadRun
from mockbdd.load.script import LoadScript

MAX_RUNNING = 2
MAX_KEPT = 20  # finished runs kept for GET; the oldest is forgotten first


class TooManyRuns(Exception):
    """``MAX_RUNNING`` runs are going already."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(slots=True)
class _Entry:
    run: LoadRun
    task: asyncio.Task[None]
    report: dict[str, Any] | None = field(default=None)


class LoadRuns:
    def __init__(self) -> None:
        self._runs: OrderedDict[str, _Entry] = OrderedDict()

    def start(self, script: LoadScript) -> str:
        running = sum(1 for e in self._runs.values() if not e.task.done())
        if running >= MAX_RUNNING:
            raise TooManyRuns(
                f"{running} load runs are going already (at most {MAX_RUNNING}): "
                "wait for one to end or DELETE it"
            )
        run = LoadRun(script)
        run_id = uuid.uuid4().hex
        task = asyncio.get_running_loop().create_task(run.run())
        self._runs[run_id] = _Entry(run, task)
        self._forget_old()
        return run_id

    def _forget_old(self) -> None:
        finished = [k for k, e in self._runs.items() if e.task.done()]
        for run_id in finished[: max(len(self._runs) - MAX_KEPT, 0)]:
            del self._runs[run_id]

    def ids(self) -> list[str]:
        return list(self._runs)

    def describe(self, run_id: str) -> dict[str, Any] | None:
        """``{"id", "state", "progress"}``, and ``"report"`` once the run has ended."""
        entry = self._runs.get(run_id)
        if entry is None:
            return None
        out: dict[str, Any] = {"id": run_id, **entry.run.progress().json()}
        if entry.task.done():
            if entry.report is None:
                entry.report = build_report(entry.run)
            out["report"] = entry.report
        return out

    def cancel(self, run_id: str) -> bool:
        entry = self._runs.get(run_id)
        if entry is None:
            return False
        entry.run.cancel()
        return True

    async def close(self) -> None:
        for entry in self._runs.values():
            entry.run.cancel()
        for entry in self._runs.values():
            with contextlib.suppress(asyncio.CancelledError):
                await entry.task
