#!/usr/bin/env python3
"""Near misses never block other traffic: 10,000 stubs in one namespace, unmatched requests
there back to back (each one's 404 report ranks every stub), and the latency of another
namespace's requests at the same moment, against the same load with no unmatched requests.

    python bench/near_miss_isolation.py [--source DIR] [--stubs N] [--seconds S] [--conn C]

``--source DIR`` serves from another source tree (``git archive <commit> | tar -x -C DIR``) for
a before/after comparison in one session. The server is pinned to CPU $SERVER_CPU (0), wrk and
the unmatched sender to $LOAD_CPU (1). Needs wrk.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from common import LOAD_CPU, SERVER_CPU, free_port, stop, wait_ready


@contextmanager
def server(port: int, source: Path | None) -> Iterator[str]:
    env = dict(os.environ)
    cwd = None
    if source is not None:  # that tree's mockbdd first on the path (``-m`` also adds the cwd)
        env["PYTHONPATH"] = str(source)
        cwd = str(source)
    cmd = [sys.executable, "-m", "mockbdd", "serve", "--port", str(port)]
    proc = subprocess.Popen(
        ["taskset", "-c", SERVER_CPU, *cmd],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(f"{base}/__admin/health")
        yield base
    finally:
        stop(proc)


def crowd(base: str, stubs: int) -> None:
    """``stubs`` stubs in ``crowded`` (one path each, a header and a query parameter to compare),
    one in ``quiet``."""
    mappings = [
        {
            "request": {
                "method": "GET",
                "urlPath": f"/api/items/{i}",
                "headers": {"Accept": {"equalTo": "application/json"}},
                "queryParameters": {"view": {"equalTo": "full"}},
            },
            "response": {"jsonBody": {"id": i}},
        }
        for i in range(stubs)
    ]
    with httpx.Client(base_url=base, timeout=120) as admin:
        for name, maps in (
            ("crowded", mappings),
            ("quiet", [{"request": {"url": "/ping"}, "response": {"body": "pong"}}]),
        ):
            admin.post(
                "/__admin/namespaces", json={"name": name, "mappings": maps}
            ).raise_for_status()


def wrk(url: str, seconds: int, conn: int) -> dict[str, float]:
    # a long timeout: a request held up behind a report counts with its latency, not as one of
    # wrk's timeouts (2 s by default), which its percentiles leave out
    cmd = ["wrk", "-t1", f"-c{conn}", f"-d{seconds}s", "--timeout", "60s", "--latency", url]
    out = subprocess.run(
        ["taskset", "-c", LOAD_CPU, *cmd],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def grab(pattern: str) -> str:
        found = re.search(pattern, out)
        assert found is not None, f"no {pattern!r} in wrk's output:\n{out}"
        return found.group(1)

    def ms(value: str) -> float:
        number, unit = float(value.rstrip("usm")), value.lstrip("0123456789.")
        return number * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]

    return {
        "rps": float(grab(r"Requests/sec:\s+([\d.]+)")),
        "p50": ms(grab(r"\n\s+50%\s+(\S+)")),
        "p99": ms(grab(r"\n\s+99%\s+(\S+)")),
        "max": ms(grab(r"Latency\s+\S+\s+\S+\s+(\S+)")),
    }


def unmatched_sender(base: str, stop_flag: threading.Event, took: list[float]) -> None:
    os.sched_setaffinity(0, {int(LOAD_CPU)})
    with httpx.Client(base_url=base, timeout=120) as lost:
        while not stop_flag.is_set():
            started = time.perf_counter()
            answer = lost.get(
                "/__ns/crowded/api/items/none?view=brief", headers={"Accept": "text/plain"}
            )
            assert answer.status_code == 404, answer.status_code
            took.append((time.perf_counter() - started) * 1000)


def measure(base: str, seconds: int, conn: int) -> None:
    url = f"{base}/__ns/quiet/ping"
    wrk(url, 2, conn)  # warm up
    alone = wrk(url, seconds, conn)
    took: list[float] = []
    stop_flag = threading.Event()
    sender = threading.Thread(target=unmatched_sender, args=(base, stop_flag, took))
    sender.start()
    time.sleep(0.5)  # the first report under way
    try:
        crowded = wrk(url, seconds, conn)
    finally:
        stop_flag.set()
        sender.join()
    print(f"| quiet namespace, wrk -c{conn} | req/s | p50 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    for label, row in (("alone", alone), ("while unmatched requests run", crowded)):
        print(
            f"| {label} | {row['rps']:,.0f} | {row['p50']:.2f} | {row['p99']:.2f} | {row['max']:.1f} |"
        )
    mean = statistics.mean(took) if took else float("nan")
    print(f"\nunmatched requests answered meanwhile: {len(took)}, {mean:.0f} ms each on average")
    print(f"quiet p99 while unmatched / alone: {crowded['p99'] / alone['p99']:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, help="serve from this source tree")
    parser.add_argument("--stubs", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--conn", type=int, default=4)
    args = parser.parse_args()
    port = free_port()
    with server(port, args.source) as base:
        crowd(base, args.stubs)
        print(f"\n## Near misses and other traffic: {args.stubs:,} stubs, ", end="")
        print(f"source {args.source or 'this tree'}\n")
        measure(base, args.seconds, args.conn)


if __name__ == "__main__":
    main()
