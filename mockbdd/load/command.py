"""``mockbdd load SCRIPT``: exit 0 when every threshold holds, 1 when one is crossed, 2 for a
bad script (the field and the reason), 130 when interrupted."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from pathlib import Path
from typing import Any

from mockbdd.domain.errors import InvalidInput
from mockbdd.load.plot import PLOT_HINT, plot_available, write_plot
from mockbdd.load.progress import show_progress
from mockbdd.load.report import build_report, summary_text
from mockbdd.load.runner import LoadRun
from mockbdd.load.script import LoadScript, load_script_text, parse_script


def read_script(path: Path, target: str | None) -> LoadScript:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput("", f"cannot read the script: {exc.strerror or exc}") from None
    script = parse_script(load_script_text(text), default_target=target)
    return script.with_target(target) if target is not None else script


async def execute(script: LoadScript, progress: bool = True) -> dict[str, Any]:
    run = LoadRun(script)
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, run.cancel)
    shown = loop.create_task(show_progress(run)) if progress else None
    try:
        await run.run()
    finally:
        if shown is not None:
            shown.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await shown
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)
    return build_report(run)


def run_load(
    script_path: Path,
    *,
    target: str | None = None,
    report_path: Path | None = None,
    plot_path: Path | None = None,
    quiet: bool = False,
) -> int:
    try:
        script = read_script(script_path, target)
    except InvalidInput as exc:
        where = f" {exc.pointer}:" if exc.pointer else ""
        print(f"mockbdd load: {script_path}:{where} {exc.reason}", file=sys.stderr)
        return 2
    if plot_path is not None and not plot_available():
        print(f"mockbdd load: {PLOT_HINT}", file=sys.stderr)
        return 2
    loop = _new_loop()
    try:
        report = loop.run_until_complete(execute(script, progress=not quiet))
    finally:
        loop.close()
    print(summary_text(report), flush=True)
    if report_path is not None:
        report_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if plot_path is not None:
        write_plot(report, plot_path)
    if report["state"] == "cancelled":
        return 130
    return 0 if report["passed"] else 1


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop
