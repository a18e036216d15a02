#!/usr/bin/env python3
"""Exchange market data (#11.4): ``binance_spot`` klines per second vs a static stub answering
a body of the same size, from the same server in the same run.

    python bench/exchanges.py [--seconds S] [--rounds R]

One ``mockbdd serve`` pinned to CPU $SERVER_CPU (0), wrk -c50 on $LOAD_CPU (1); for each
``limit`` the klines route and its static twin are loaded in turn (the order rotated per round).
The weight limit is raised out of the way: this measures serving, not refusing. Figures are
ratios; the machine's absolute numbers vary.
"""

from __future__ import annotations

import argparse
import statistics

import httpx
from common import free_port, mockbdd_cmd, pinned, wait_ready, wrk_cpu

PAIRS = [{"symbol": "BTCUSDT", "interval": "1m", "initialPrice": 50000.0}]
LIMITS = (100, 500)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    rows: list[tuple[str, int, float, float, float]] = []
    with pinned(mockbdd_cmd(port, "--journal-max", "10000")) as proc:
        wait_ready(f"{base}/__admin/health")
        config = {"tradingPairs": PAIRS, "seed": 7, "weightLimit": 10**9}
        mount = {"service": "market", "config": config}
        httpx.post(f"{base}/__admin/plugins/binance_spot/mount", json=mount).raise_for_status()
        for limit in LIMITS:
            url = f"{base}/market/api/v3/klines?symbol=BTCUSDT&interval=1m&limit={limit}"
            answer = httpx.get(url)
            assert answer.status_code == 200, answer.text
            body = answer.content
            stub = {
                "request": {"method": "GET", "urlPath": f"/static/{limit}"},
                "response": {"status": 200, "body": body.decode(),
                             "headers": {"Content-Type": "application/json;charset=UTF-8"}},
            }  # fmt: skip
            httpx.post(f"{base}/__admin/mappings", json=stub).raise_for_status()
            static = f"{base}/static/{limit}"
            assert httpx.get(static).content == body
            targets = {"klines": url, "static": static}
            rate: dict[str, list[float]] = {"klines": [], "static": []}
            cost: dict[str, list[float]] = {"klines": [], "static": []}
            for round_ in range(args.rounds):
                order = list(targets) if round_ % 2 == 0 else list(reversed(targets))
                for name in order:
                    httpx.delete(f"{base}/__admin/requests")
                    per_s, cpu_us = wrk_cpu(targets[name], args.seconds, proc.pid)
                    rate[name].append(per_s)
                    cost[name].append(cpu_us)
            k, s = statistics.median(rate["klines"]), statistics.median(rate["static"])
            kc, sc = statistics.median(cost["klines"]), statistics.median(cost["static"])
            rows.append((f"limit={limit}", len(body), k, s, k / s))
            print(
                f"limit={limit}: server CPU per request {kc:,.0f} µs (klines) vs {sc:,.0f} µs (static)"
            )
    print(f"{'klines':<11} {'body B':>8} {'klines req/s':>13} {'static req/s':>13} {'x static':>9}")
    for name, size, k, s, ratio in rows:
        print(f"{name:<11} {size:>8,} {k:>13,.0f} {s:>13,.0f} {ratio:>9.2f}")


if __name__ == "__main__":
    main()
