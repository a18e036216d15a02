#!/usr/bin/env python3
"""mockbdd engine benchmarks (``make bench``): data plane vs plain aiohttp + uvloop in the same run,
admin latencies at 1k/10k journal entries, time to first served request, RSS idle (as a ratio to
plain aiohttp + uvloop: medians of $RSS_ROUNDS (3) fresh starts) and under load ($RSS_REQUESTS, 0
skips it).

    python bench/run.py [dataplane] [admin] [startup] [rss] [namespaces]   (default: all)

Servers are pinned to CPU $SERVER_CPU (0), load to $LOAD_CPU (1). Needs wrk (``apt-get install wrk``;
``../shared/bench/peers.sh install`` does it). Figures are printed as markdown.
"""

from __future__ import annotations

import compileall
import importlib.util
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    LOAD_CPU,
    ROOT,
    SHARED_BENCH,
    free_port,
    mockbdd_cmd,
    pinned,
    rss_mib,
    wait_ready,
    write_stub_files,
)

USER_STUB = {"request": {"url": "/api/users/1"}, "response": {"jsonBody": {"id": 1}}}


def dataplane(tmp: Path) -> None:
    write_stub_files(tmp / "maps")
    mine, base = free_port(), free_port()
    with pinned(mockbdd_cmd(mine, "--mappings", str(tmp / "maps"))), pinned(_baseline_cmd(base)):
        wait_ready(f"http://127.0.0.1:{mine}/api/users/1")
        wait_ready(f"http://127.0.0.1:{base}/api/users/1")
        env = {**os.environ, "OUT": str(tmp / "load"), "REPS": os.environ.get("REPS", "3")}
        print("## Data plane: 100 stubs, journal on (10k cap), wrk -c50\n", flush=True)
        subprocess.run(
            [
                "bash",
                str(SHARED_BENCH / "load.sh"),
                f"mockbdd=http://127.0.0.1:{mine}/api/users/1",
                f"aiohttp-uvloop=http://127.0.0.1:{base}/api/users/1",
            ],
            env=env,
            check=True,
        )


def admin(tmp: Path) -> None:
    port = free_port()
    with pinned(mockbdd_cmd(port)):
        wait_ready(f"http://127.0.0.1:{port}/__admin/health")
        print("\n## Admin latency (../shared/bench/admin_latency.py)\n", flush=True)
        subprocess.run(
            [
                "taskset",
                "-c",
                LOAD_CPU,
                sys.executable,
                str(SHARED_BENCH / "admin_latency.py"),
                f"http://127.0.0.1:{port}",
            ],
            check=True,
        )


def _spawn_to_first(cmd_for_port: object, path: str, rounds: int = 5) -> list[float]:
    times = []
    for _ in range(rounds):
        port = free_port()
        started = time.perf_counter()
        with pinned(cmd_for_port(port)):  # type: ignore[operator]
            wait_ready(f"http://127.0.0.1:{port}{path}")
            times.append((time.perf_counter() - started) * 1000)
    return times


def startup(tmp: Path) -> None:
    write_stub_files(tmp / "maps")
    mine = _spawn_to_first(
        lambda p: mockbdd_cmd(p, "--mappings", str(tmp / "maps")), "/api/users/1"
    )
    base = _spawn_to_first(_baseline_cmd, "/api/users/1")
    print("\n## Start-up: process spawn to first served request (medians of 5)\n")
    print(f"mockbdd serve, 100 stubs from files: {statistics.median(mine):.0f} ms")
    print(f"plain aiohttp + uvloop, one route:  {statistics.median(base):.0f} ms")
    print(f"ratio {statistics.median(mine) / statistics.median(base):.2f}x\n")
    code = (
        "import time,httpx;from mockbdd.server.embedded import MockServer;t=time.perf_counter();"
        "s=MockServer().start();httpx.post(s.url+'/__admin/mappings',json={'request':{'url':'/x'},'response':{}});"
        "httpx.get(s.url+'/x');print(f'embedded MockServer().start() to first served request: "
        "{(time.perf_counter()-t)*1000:.1f} ms (modules already imported, as in a test run)')"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _baseline_cmd(port: int) -> list[str]:
    return [
        sys.executable,
        str(SHARED_BENCH / "servers" / "aiohttp_baseline.py"),
        str(port),
        "--uvloop",
    ]


def _listening(port: int, timeout: float = 20.0) -> None:
    """Until ``port`` accepts a connection: ready, and nothing asked of it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {port} after {timeout}s") from None
            time.sleep(0.005)


def _idle_pair(cmd_for_port: Callable[[int], list[str]]) -> tuple[float, float, float, float]:
    """One round: RSS of ``mockbdd serve`` and of plain aiohttp + uvloop, each freshly started:
    first listening with nothing asked of them (mockbdd: no mapping, no admin call), then idle
    after serving one request (mockbdd: one mapping created first)."""
    port, base_port = free_port(), free_port()
    with pinned(cmd_for_port(port)) as proc, pinned(_baseline_cmd(base_port)) as base_proc:
        _listening(port)
        _listening(base_port)
        time.sleep(0.5)
        started = rss_mib(proc.pid), rss_mib(base_proc.pid)
        url = f"http://127.0.0.1:{port}"
        wait_ready(f"{url}/__admin/health")
        httpx.post(f"{url}/__admin/mappings", json=USER_STUB)
        wait_ready(f"{url}/api/users/1")
        wait_ready(f"http://127.0.0.1:{base_port}/api/users/1")
        time.sleep(0.5)  # let both settle (the first request allocates lazily)
        return (*started, rss_mib(proc.pid), rss_mib(base_proc.pid))


def installed_copy(tmp: Path) -> Path:
    """mockbdd as pip installs it: a copy of the package with its bytecode compiled, as
    aiohttp's and pydantic's is in site-packages. The checkout has none when it is an editable
    install run with PYTHONDONTWRITEBYTECODE (as here), so every start compiles each module
    from source, and the compiler's freed memory stays in the process."""
    site = tmp / "installed"
    if not site.exists():  # the package python -m mockbdd runs (PYTHONPATH may name another)
        spec = importlib.util.find_spec("mockbdd")
        source = Path(spec.origin).parent if spec and spec.origin else ROOT / "mockbdd"
        shutil.copytree(source, site / "mockbdd")
        compileall.compile_dir(site / "mockbdd", quiet=1)
    return site


def _installed_cmd(site: Path) -> Callable[[int], list[str]]:
    code = (
        f"import sys; sys.path.insert(0, {str(site)!r}); "
        "from mockbdd.cli import main; raise SystemExit(main())"
    )
    return lambda port: [sys.executable, "-c", code, "serve", "--port", str(port)]


def idle_rss(rounds: int, tmp: Path) -> float:
    """Idle RSS as a ratio to plain aiohttp + uvloop in the same run (the target is <= 1.35x):
    just started, and after one mapping and one request (the ratio returned), for the checkout
    as run here and for a copy with its bytecode compiled."""
    ratio = 0.0
    runs = (
        ("", mockbdd_cmd),
        (" (bytecode compiled)", _installed_cmd(installed_copy(tmp))),
    )
    for kind, cmd in runs:
        rows = [_idle_pair(cmd) for _ in range(rounds)]
        for label, at in (("just started, nothing asked", 0), ("after 1 mapping, 1 request", 2)):
            mine = statistics.median(r[at] for r in rows)
            base = statistics.median(r[at + 1] for r in rows)
            each = ", ".join(f"{r[at]:.1f}/{r[at + 1]:.1f}" for r in rows)
            print(f"{label}{kind}, medians of {rounds} fresh starts (mockbdd/aiohttp MiB: {each}):")
            print(f"  mockbdd serve {mine:.1f} MiB, plain aiohttp + uvloop {base:.1f} MiB")
            print(f"  idle RSS ratio {mine / base:.2f}x (target <= 1.35x)")
            if not kind and at == 2:
                ratio = mine / base
    return ratio


def rss(tmp: Path) -> None:
    total = int(os.environ.get("RSS_REQUESTS", "1000000"))
    print("\n## RSS (journal capped at 10,000 entries)\n")
    idle_rss(int(os.environ.get("RSS_ROUNDS", "3")), tmp)
    print("\nwhere the idle figure goes (bench/rss_layers.py, a fresh process):\n", flush=True)
    subprocess.run([sys.executable, str(Path(__file__).with_name("rss_layers.py"))], check=True)
    print(flush=True)
    if total <= 0:
        return
    port = free_port()
    with pinned(mockbdd_cmd(port)) as proc:
        url = f"http://127.0.0.1:{port}"
        wait_ready(f"{url}/__admin/health")
        httpx.post(f"{url}/__admin/mappings", json=USER_STUB)
        served = 0
        while served < total:  # bounded: 10 s chunks until the total is reached
            out = subprocess.run(
                ["taskset", "-c", LOAD_CPU, "wrk", "-t1", "-c50", "-d10s", f"{url}/api/users/1"],
                capture_output=True,
                text=True,
            )
            served += int(out.stdout.split(" requests in")[0].split()[-1])
            journal = httpx.get(f"{url}/__admin/requests?limit=1").json()
            print(
                f"after {served:>9,} requests: {rss_mib(proc.pid):.1f} MiB "
                f"(journal keeps {journal['meta']['total']}, evicted {journal['journalEvicted']:,})",
                flush=True,
            )


def namespaces(tmp: Path) -> None:
    from namespaces_bench import run

    run()


STEPS = {
    "dataplane": dataplane,
    "admin": admin,
    "startup": startup,
    "rss": rss,
    "namespaces": namespaces,
}

if __name__ == "__main__":
    chosen = sys.argv[1:] or list(STEPS)
    with tempfile.TemporaryDirectory() as tmp:
        for name in chosen:
            STEPS[name](Path(tmp))
