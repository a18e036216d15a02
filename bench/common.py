"""Shared helpers for the benchmarks: free ports, pinned servers, RSS, waiting for readiness."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
