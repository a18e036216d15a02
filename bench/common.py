"""Shared helpers for the benchmarks: free ports, pinned servers, RSS, waiting for readiness."""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
SHARED_BENCH = ROOT.parent / "shared" / "bench"
SERVER_CPU = os.environ.get("SERVER_CPU", "0")
LOAD_CPU = os.environ.get("LOAD_CPU", "1")
USER = {"id": 1, "name": "Ada"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wait_ready(url: str, timeout: float = 20.0) -> float:
    """Poll until ``url`` answers 200; returns the seconds it took."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            if httpx.get(url, timeout=0.5).status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.002)
    raise TimeoutError(f"{url} not ready after {timeout}s")


def write_stub_files(folder: Path, total: int = 100) -> None:
    """``total`` stubs: GET /api/users/1 plus literal and regex neighbours (the issue's load)."""
    folder.mkdir(parents=True, exist_ok=True)
    maps = [
        {
            "request": {"method": "GET", "url": "/api/users/1"},
            "response": {
                "status": 200,
                "headers": {"Content-Type": "application/json"},
                "jsonBody": USER,
            },
        }
    ]
    for i in range(total - 11):
        maps.append(
            {
                "request": {"method": "GET", "urlPath": f"/api/items/{i}"},
                "response": {"jsonBody": {"i": i}},
            }
        )
    for i in range(10):
        maps.append(
            {
                "request": {"method": "ANY", "urlPathPattern": f"/api/orders/{i}/[a-z]+"},
                "response": {"status": 201},
            }
        )
    (folder / "stubs.json").write_text(json.dumps({"mappings": maps}))


@contextmanager
def pinned(cmd: list[str], cpu: str = SERVER_CPU) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        ["taskset", "-c", cpu, *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        yield proc
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate, and kill what does not stop within 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def mockbdd_cmd(port: int, *args: str) -> list[str]:
    return [sys.executable, "-m", "mockbdd", "serve", "--port", str(port), *args]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process ``pid`` has used."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk_cpu(url: str, seconds: int, pid: int) -> tuple[float, float]:
    """wrk -c50 on $LOAD_CPU: requests per second, and the server's CPU µs per request."""
    before = cpu_seconds(pid)
    out = subprocess.run(
        ["taskset", "-c", LOAD_CPU, "wrk", "-t1", "-c50", f"-d{seconds}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    used = cpu_seconds(pid) - before
    total = int(out.split(" requests in")[0].split()[-1])
    return float(out.split("Requests/sec:")[1].split()[0]), used / max(total, 1) * 1e6


Case = tuple[dict[str, Any], dict[str, Any]]  # namespace settings, fields of the stub's response
USER_STUB: dict[str, Any] = {
    "request": {"method": "GET", "url": "/api/users/1"},
    "response": {"status": 200, "jsonBody": USER},
}


def compare_configured(
    doc: str, cases: dict[str, Case], check: Callable[[httpx.Response, Case], None] | None = None
) -> None:
    """One ``mockbdd serve``, each case configured in turn (rotated per round) and loaded with
    wrk; prints req/s and server CPU per request as ratios to the case ``none``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    figures: dict[str, list[float]] = {name: [] for name in cases}
    ratios: dict[str, list[float]] = {name: [] for name in cases}
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    with pinned(mockbdd_cmd(port, "--journal-max", "10000")) as proc:
        wait_ready(f"{base}/__admin/health")
        names = list(cases)
        for round_ in range(args.rounds):
            measured: dict[str, float] = {}
            costs: dict[str, float] = {}
            order = names[round_ % len(names) :] + names[: round_ % len(names)]  # rotated
            for name in order:
                settings, response = cases[name]
                httpx.post(f"{base}/__admin/reset").raise_for_status()
                stub = {**USER_STUB, "response": {**USER_STUB["response"], **response}}
                httpx.post(f"{base}/__admin/mappings", json=stub).raise_for_status()
                httpx.post(f"{base}/__admin/settings", json=settings).raise_for_status()
                answer = httpx.get(f"{base}/api/users/1")
                assert answer.status_code == 200, answer
                if check is not None:
                    check(answer, cases[name])
                measured[name], costs[name] = wrk_cpu(f"{base}/api/users/1", args.seconds, proc.pid)
            for name, value in measured.items():
                figures[name].append(value)
                ratios[name].append(value / measured["none"])
                cpu[name].append(costs["none"] / costs[name])
    print(f"{'case':<16} {'req/s (median)':>15} {'x none':>8} {'CPU/request x none':>19}")
    for name in cases:
        print(
            f"{name:<16} {statistics.median(figures[name]):>15,.0f}"
            f" {statistics.median(ratios[name]):>8.2f} {statistics.median(cpu[name]):>19.2f}"
        )


def reading_listener(base: str, counted: list[int], stop: threading.Event) -> threading.Thread:
    """A ``/__admin/events`` client of the server at ``base`` reading every serve event in a
    thread of this process (``counted[0]`` of them) until ``stop``; returned once connected."""
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    ws_url = base.replace("http://", "ws://") + "/__admin/events?type=serve"
    connected = threading.Event()

    def run() -> None:
        with connect(ws_url) as ws:
            connected.set()
            while not stop.is_set():
                try:
                    ws.recv(timeout=0.2)
                    counted[0] += 1
                except TimeoutError:
                    continue
                except ConnectionClosed:
                    return

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    if not connected.wait(10):
        sys.exit(f"no events listener connected to {ws_url}")
    return thread
