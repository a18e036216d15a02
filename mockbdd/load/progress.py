"""Progress while a run goes: a rich progress bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from mockbdd.load.runner import LoadRun, Progress

PLAIN_EVERY_S = 5.0


def _status(p: Progress) -> str:
    return (
        f"stage {p.stage + 1}: sent {p.sent}, answered {p.completed}, failed {p.failed}, "
        f"dropped {p.dropped}, in flight {p.in_flight}"
    )


async def show_progress(run: LoadRun, stream: TextIO | None = None) -> None:
    """Until cancelled: redraw the bar 4 times a second on a terminal, else a line every 5 s."""
    out = stream or sys.stderr
    if out.isatty():
        await _rich(run, out)
    else:
        await _plain(run, out)


async def _plain(run: LoadRun, out: TextIO) -> None:
    while True:
        await asyncio.sleep(PLAIN_EVERY_S)
        p = run.progress()
        print(
            f"mockbdd load: {p.elapsed:.0f}s of {p.duration:.0f}s, {_status(p)}",
            file=out,
            flush=True,
        )


async def _rich(run: LoadRun, out: TextIO) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    bar = Bar(
        TextColumn("[bold]load"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[status]}"),
        console=Console(file=out, force_terminal=True),
        transient=True,
    )
    with bar:
        task = bar.add_task("load", total=run.script.duration, status="")
        try:
            while True:
                p = run.progress()
                bar.update(task, completed=min(p.elapsed, p.duration), status=_status(p))
                await asyncio.sleep(0.25)
        except asyncio.CancelledError:
            pass
