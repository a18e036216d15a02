"""mockbdd load on one core: the highest open-model rate it holds with ≤ 1 % rate error (and
locust FastHttpUser's ceiling on the same core), its rate error at 1,000 req/s, its p50
against a 50 ms fixed-delay stub beside wrk's (with 1, 10 and 50 connections: see
``part_wrk`` for why the count matters), and the CPU each generator spends per request.

    .venv/bin/python bench/load_generator.py                 # all four parts, ~100 s
    .venv/bin/python bench/load_generator.py --only rate      # or: locust, wrk, cpu
    DUR=10 RATES=2000,4000,6000,8000,10000 .venv/bin/python bench/load_generator.py

The server (mockbdd serve, 100 stubs, no journal) runs on CPU $SERVER_CPU (0), every load generator on
CPU $LOAD_CPU (1). A rate "holds" when the report's rateError (the share of the scheduled
requests not sent within the stage) is ≤ 1 % with nothing dropped or failed. Uniform arrivals,
so the schedule has exactly rate × duration requests.

The ``cpu`` part is the steadiest on a busy machine, where the rates measure the other
processes as much as the generators: each generator's CPU time (user + system, from
``getrusage`` of its process) per request, with start-up taken out by running it for DUR and
for 2 × DUR and dividing the difference in CPU by the difference in requests. mockbdd load
runs open-model at $CPU_RATE (3000) req/s, locust closed-model as fast as it goes.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
from common import LOAD_CPU, free_port, mockbdd_cmd, pinned, wait_ready, write_stub_files

DUR = float(os.environ.get("DUR", "3"))
RATES = [int(r) for r in os.environ.get("RATES", "1000,2000,3000,4000,5000,6000,8000").split(",")]
LOCUST_USERS = int(os.environ.get("LOCUST_USERS", "50"))
CPU_RATE = int(os.environ.get("CPU_RATE", "3000"))
WRK_CONNECTIONS = [int(c) for c in os.environ.get("WRK_CONNECTIONS", "1,10,50").split(",")]
TMP = Path(tempfile.mkdtemp(prefix="mockbdd-load-bench-"))


def child_cpu() -> float:
    """CPU seconds (user + system) of the children waited for so far."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run_load(
    url: str, rate: float, path: str = "/api/users/1", duration: float = DUR
) -> dict[str, Any]:
    script = TMP / "script.json"
    report = TMP / "report.json"
    script.write_text(
        json.dumps(
            {
                "target": url,
                "seed": 1,
                "arrivals": "uniform",
                "maxInFlight": 1000,
                "requests": [{"method": "GET", "path": path}],
                "stages": [{"kind": "constant", "rate": rate, "duration": f"{duration}s"}],
            }
        )
    )
    cmd = ["taskset", "-c", LOAD_CPU, sys.executable, "-m", "mockbdd", "load", str(script)]
    subprocess.run([*cmd, "--quiet", "--report", str(report)], check=True, capture_output=True)
    data: dict[str, Any] = json.loads(report.read_text())
    return data


def holds(report: dict[str, Any]) -> bool:
    total = report["total"]
    return bool(total["rateError"] <= 0.01 and total["dropped"] == 0 and total["failed"] == 0)


def part_rate(url: str) -> None:
    print(f"## mockbdd load, open model, uniform arrivals, {DUR:g} s per rate, CPU {LOAD_CPU}")
    print(
        "| target req/s | achieved req/s | rateError | send lag p99 ms | p50 ms | p99 ms | holds |"
    )
    print("|---:|---:|---:|---:|---:|---:|:--|")
    best = 0
    for rate in RATES:
        report = run_load(url, rate)
        total = report["total"]
        ok = holds(report)
        best = rate if ok else best
        print(
            f"| {rate} | {total['achievedRate']:.0f} | {total['rateError'] * 100:.2f} % | "
            f"{report['sendLagMs']['p99']} | {total['latencyMs']['p50']} | "
            f"{total['latencyMs']['p99']} | {'yes' if ok else 'no'} |",
            flush=True,
        )
    print(f"\nhighest rate held with ≤ 1 % rate error: {best} req/s")
    at_1000 = run_load(url, 1000)["total"]
    print(f"rate error at 1,000 req/s: {at_1000['rateError'] * 100:.3f} % "
          f"(achieved {at_1000['achievedRate']:.1f} req/s)")  # fmt: skip


def run_locust(url: str, seconds: int) -> dict[str, str]:
    """One headless locust run; its aggregated row of the stats CSV."""
    locust = str(Path(sys.executable).parent / "locust")
    locustfile = Path(__file__).with_name("locust_fast.py")
    prefix = TMP / "locust"
    cmd = [
        "taskset", "-c", LOAD_CPU, locust, "-f", str(locustfile), "--headless",
        "-u", str(LOCUST_USERS), "-r", str(LOCUST_USERS), "-t", f"{seconds}s",
        "--host", url, "--only-summary", "--csv", str(prefix), "--loglevel", "ERROR",
    ]  # fmt: skip
    subprocess.run(cmd, check=False, capture_output=True, timeout=120)
    with open(f"{prefix}_stats.csv", newline="") as f:
        rows = {r["Name"]: r for r in csv.DictReader(f)}
    return rows["Aggregated"]


def has_locust() -> bool:
    if shutil.which("locust") is None and not (Path(sys.executable).parent / "locust").exists():
        print("locust is not installed (pip install -e '.[dev]')")
        return False
    return True


def part_locust(url: str) -> None:
    if not has_locust():
        return
    agg = run_locust(url, int(DUR) + 1)
    print(
        f"## locust FastHttpUser, {LOCUST_USERS} users, no wait (its ceiling, closed model), "
        f"CPU {LOAD_CPU}: {float(agg['Requests/s']):.0f} req/s, "
        f"p50 {agg['50%']} ms, failures {agg['Failure Count']}"
    )


def wrk_p50(url: str, connections: int) -> tuple[float, float]:
    """wrk's p50 (ms) and its rate (req/s) with ``connections`` connections."""
    out = subprocess.run(
        ["taskset", "-c", LOAD_CPU, "wrk", "-t1", f"-c{connections}", f"-d{int(DUR)}s",
         "--latency", url],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    value, unit = re.search(r"\n\s+50%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], rate


def part_wrk(url: str) -> None:
    """p50 against a 50 ms fixed-delay stub: wrk (closed model) with WRK_CONNECTIONS (1, 10,
    50) connections, then mockbdd load open-model at the rate wrk reached, in turn.

    wrk's connections run in lock-step: all of them send at once, and with a fixed delay the
    answers come back at once, so every 50 ms the server reads a burst of ``c`` requests one
    after another and the last of them is read (and its delay starts) up to ``c`` x the
    server's time per request after it was sent: with -c50 about 1.5 ms, 0.7 ms at the
    median. mockbdd load's arrivals are spread evenly, so none waits behind another: its p50
    is the stub's delay plus one round trip at any of these rates. The two agree where wrk's
    bursts are short (few connections); the -c50 row shows wrk's own queueing."""
    if shutil.which("wrk") is None:
        print("wrk is not installed (bash ../shared/bench/peers.sh install)")
        return
    base = url
    stub = {
        "request": {"method": "GET", "url": "/slow"},
        "response": {"status": 200, "body": "slow", "fixedDelayMilliseconds": 50},
    }
    httpx.post(f"{base}/__admin/mappings", json=stub).raise_for_status()
    print("## p50 against a 50 ms fixed-delay stub: wrk, then mockbdd load at wrk's rate (open)")
    print(
        "| wrk connections | wrk req/s | wrk p50 ms | mockbdd load p50 ms | difference ms"
        " | mockbdd load send lag p50 ms |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for connections in WRK_CONNECTIONS:
        theirs, rate = wrk_p50(f"{base}/slow", connections)
        report = run_load(base, round(rate), "/slow")
        ours, lag = report["total"]["latencyMs"]["p50"], report["sendLagMs"]["p50"]
        print(
            f"| {connections} | {rate:.0f} | {theirs:.2f} | {ours:.2f} | {ours - theirs:+.2f}"
            f" | {lag:.2f} |",
            flush=True,
        )


def part_cpu(url: str) -> None:
    """CPU µs per request of each generator, start-up taken out (see the module's notes)."""
    ours = []
    for duration in (DUR, 2 * DUR):
        before = child_cpu()
        total = run_load(url, CPU_RATE, duration=duration)["total"]
        ours.append((child_cpu() - before, total["completed"]))
    mine = (ours[1][0] - ours[0][0]) / max(ours[1][1] - ours[0][1], 1) * 1e6
    print(f"## CPU per request on CPU {LOAD_CPU} (start-up taken out)")
    print(f"mockbdd load, open model at {CPU_RATE} req/s: {mine:.1f} µs")
    if not has_locust():
        return
    theirs = []
    for seconds in (int(DUR) + 1, 2 * (int(DUR) + 1)):
        before = child_cpu()
        agg = run_locust(url, seconds)
        theirs.append((child_cpu() - before, int(agg["Request Count"])))
    locust = (theirs[1][0] - theirs[0][0]) / max(theirs[1][1] - theirs[0][1], 1) * 1e6
    print(f"locust FastHttpUser, {LOCUST_USERS} users, closed model: {locust:.1f} µs")
    print(f"locust's CPU per request over mockbdd load's: {locust / mine:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("rate", "locust", "wrk", "cpu"))
    args = parser.parse_args()
    port = free_port()
    stubs = TMP / "mappings"
    write_stub_files(stubs)
    with pinned(mockbdd_cmd(port, "--mappings", str(stubs), "--journal-max", "0")):
        url = f"http://127.0.0.1:{port}/api/users/1"
        wait_ready(url)
        parts = (("rate", part_rate), ("locust", part_locust), ("wrk", part_wrk), ("cpu", part_cpu))
        for name, part in parts:
            if args.only in (None, name):
                part(f"http://127.0.0.1:{port}")
                print()
    shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
