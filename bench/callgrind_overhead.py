"""Instructions per request of a whole ``mockbdd serve`` process with limits or simulation
configured but never triggered, against none: the deterministic twin of ``limits_overhead.py``
and ``chaos_overhead.py`` (goal of issue 8: >= 0.9x).

    .venv/bin/python bench/callgrind_overhead.py [--cases limits|chaos|servers] [--requests 2000]

``--cases servers`` is instead the twin of ``bench/run.py dataplane``: plain aiohttp + uvloop,
``mockbdd serve`` with the defaults (metrics and the event history on), with ``--no-metrics``
and with ``--no-metrics --event-history 0``, each its own process with the 100 stub files, warmed
up past the journal's 10,000 entries (so every measured request evicts one, as under wrk);
``--cache-sim`` adds callgrind's cache model (last-level misses: the memory a request touches
cold). Instructions leave out what the kernel does and what the CPU's caches and branch
predictors make of them: a ratio of 1.0 here came with about 0.95-0.98x under wrk.

wrk's req/s and CPU per request move with everything else the machine runs; instructions do
not. One server runs under ``valgrind --tool=callgrind`` with instrumentation off; for each
case in turn (rotated per round): reset, configure, warm up, then instrumentation on for
``--requests`` requests and off again, and callgrind's total is divided by the requests. The
requests come over 20 keep-alive connections in lock-step batches (about what wrk -c50 brings
in one loop turn), so every case pays the loop's and the kernel's share of a request as well
as aiohttp's and mockbdd's: the ratio is one of whole requests. The best of ``--rounds`` is
kept (a garbage collection falling into one case's window adds 1-3 %). About a minute per
round of the five limits cases. Needs valgrind (callgrind_control).
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from chaos_overhead import CASES as SIM_CASES
from common import (
    SHARED_BENCH,
    USER_STUB,
    Case,
    free_port,
    mockbdd_cmd,
    wait_ready,
    write_stub_files,
)
from limits_overhead import CASES as LIMIT_CASES

CONNECTIONS = 20
WARM_UP = 400


def batches(conns: list[socket.socket], request: bytes, count: int) -> None:
    """``count`` requests, a request on every connection and then every answer, in turn."""
    done = 0
    while done < count:
        for conn in conns:
            conn.sendall(request)
        for conn in conns:
            buf = b""
            while True:
                buf += conn.recv(65536)
                end = buf.find(b"\r\n\r\n")
                if end < 0:
                    continue
                head = buf[:end].lower()
                at = head.find(b"content-length:")
                length = int(head[at + 15 :].split(b"\r\n")[0])
                if len(buf) >= end + 4 + length:
                    break
        done += len(conns)


def wait_dumped(folder: Path, pid: int, count: int, timeout: float = 60.0) -> None:
    """Until callgrind has written its ``count``-th dump of ``pid``."""
    deadline = time.monotonic() + timeout
    while len(list(folder.glob(f"cg.{pid}.*"))) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"callgrind wrote no dump of {pid} in {timeout:g} s")
        time.sleep(0.05)
    time.sleep(0.2)  # the file may be named before callgrind has finished writing it


def total_instructions(folder: Path, pid: int) -> int:
    """The total of callgrind's newest dump of ``pid``."""
    dumps = sorted(folder.glob(f"cg.{pid}.*"), key=lambda p: int(p.suffix[1:]))
    for line in dumps[-1].read_text().splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {dumps[-1]}")


SERVERS: dict[str, tuple[str, ...]] = {  # mockbdd serve's options (the first: plain aiohttp)
    "aiohttp + uvloop": (),
    "mockbdd defaults": ("--journal-max", "10000"),
    "--no-metrics": ("--journal-max", "10000", "--no-metrics"),
    "both off": ("--journal-max", "10000", "--no-metrics", "--event-history", "0"),
}
SERVERS_WARM_UP = 12_000  # past the journal's 10,000 entries


def servers(requests: int, cache_sim: bool) -> None:
    """``--cases servers``: each server of :data:`SERVERS` in its own process under callgrind."""
    tmp = Path(tempfile.mkdtemp(prefix="mockbdd-callgrind-"))
    write_stub_files(tmp / "maps")
    rows: list[tuple[str, float, float]] = []
    for name, options in SERVERS.items():
        port = free_port()
        if name.startswith("aiohttp"):
            cmd = [sys.executable, str(SHARED_BENCH / "servers" / "aiohttp_baseline.py"), str(port), "--uvloop"]  # fmt: skip
        else:
            cmd = [*mockbdd_cmd(port, "--mappings", str(tmp / "maps"), *options)]
        folder = tmp / name.replace(" ", "_").replace("+", "")
        folder.mkdir()
        extra = ["--cache-sim=yes"] if cache_sim else []
        server = subprocess.Popen(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no", *extra,
             f"--callgrind-out-file={folder}/cg.%p", *cmd],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp,
        )  # fmt: skip
        try:
            wait_ready(f"http://127.0.0.1:{port}/api/users/1", timeout=120)
            request = f"GET /api/users/1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
            conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(CONNECTIONS)]
            try:
                batches(conns, request, SERVERS_WARM_UP)
                for option in ("--zero", "--instr=on"):
                    subprocess.run(["callgrind_control", option, str(server.pid)], check=True, capture_output=True)  # fmt: skip
                batches(conns, request, requests)
                subprocess.run(["callgrind_control", "--instr=off", str(server.pid)], check=True, capture_output=True)  # fmt: skip
                dumped = len(list(folder.glob(f"cg.{server.pid}.*")))
                subprocess.run(["callgrind_control", "--dump", str(server.pid)], check=True, capture_output=True)  # fmt: skip
                wait_dumped(folder, server.pid, dumped + 1)
            finally:
                for conn in conns:
                    conn.close()
            totals = dump_totals(folder, server.pid)
            misses = sum(totals.get(e, 0) for e in ("DLmr", "DLmw", "ILmr")) / requests
            rows.append((name, totals["Ir"] / requests, misses))
        finally:
            server.terminate()
            server.wait(timeout=60)
    base = rows[0][1]
    print(f"{'server':<18} {'instructions/request':>21} {'x aiohttp':>10}" + ("  LL misses/request" if cache_sim else ""))  # fmt: skip
    for name, instructions, misses in rows:
        line = f"{name:<18} {instructions:>21,.0f} {base / instructions:>10.3f}"
        print(line + (f"  {misses:>17.1f}" if cache_sim else ""))


def dump_totals(folder: Path, pid: int) -> dict[str, int]:
    """Every event's total in callgrind's newest dump of ``pid`` (Ir, and with the cache model
    D1mr ... DLmw)."""
    dumps = sorted(folder.glob(f"cg.{pid}.*"), key=lambda p: int(p.suffix[1:]))
    events: list[str] = []
    for line in dumps[-1].read_text().splitlines():
        if line.startswith("events:"):
            events = line.split()[1:]
        if line.startswith("totals:"):
            return dict(zip(events, map(int, line.split()[1:]), strict=False))
    raise RuntimeError(f"no totals in {dumps[-1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", choices=("limits", "chaos", "servers"), default="limits")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cache-sim", action="store_true", help="servers: the cache model too")
    args = parser.parse_args()
    if args.cases == "servers":
        servers(args.requests, args.cache_sim)
        return
    cases: dict[str, Case] = LIMIT_CASES if args.cases == "limits" else SIM_CASES
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="mockbdd-callgrind-"))
    server = subprocess.Popen(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no",
         f"--callgrind-out-file={folder}/cg.%p", sys.executable, "-m", "mockbdd", "serve",
         "--port", str(port), "--journal-max", "10000"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip

    def control(*options: str) -> None:
        subprocess.run(["callgrind_control", *options, str(server.pid)], check=True, capture_output=True)  # fmt: skip

    base = f"http://127.0.0.1:{port}"
    request = f"GET /api/users/1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    per_request: dict[str, list[float]] = {name: [] for name in cases}
    try:
        wait_ready(f"{base}/__admin/health", timeout=120)
        names = list(cases)
        for round_ in range(args.rounds):
            for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
                settings, response = cases[name]
                httpx.post(f"{base}/__admin/reset", timeout=60).raise_for_status()
                stub = {**USER_STUB, "response": {**USER_STUB["response"], **response}}
                httpx.post(f"{base}/__admin/mappings", json=stub, timeout=60).raise_for_status()
                httpx.post(f"{base}/__admin/settings", json=settings, timeout=60).raise_for_status()
                conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(CONNECTIONS)]
                try:
                    batches(conns, request, WARM_UP)
                    control("--zero")
                    control("--instr=on")
                    batches(conns, request, args.requests)
                    control("--instr=off")
                    dumped = len(list(folder.glob(f"cg.{server.pid}.*")))
                    control("--dump")
                    wait_dumped(folder, server.pid, dumped + 1)
                finally:
                    for conn in conns:
                        conn.close()
                per_request[name].append(total_instructions(folder, server.pid) / args.requests)
    finally:
        server.terminate()
        server.wait(timeout=60)
    none = min(per_request["none"])
    print(f"{'case':<16} {'instructions/request':>21} {'x none':>7}")
    for name, values in per_request.items():
        best = min(values)
        print(f"{name:<16} {best:>21,.0f} {none / best:>7.3f}")


if __name__ == "__main__":
    main()
