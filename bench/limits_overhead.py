"""The data plane with limits configured but never triggered, against none (goal >= 0.9x).

    .venv/bin/python bench/limits_overhead.py [--seconds 4] [--rounds 2]

One ``mockbdd serve`` pinned to $SERVER_CPU (0), wrk -t1 -c50 pinned to $LOAD_CPU (1), one
static stub (GET /api/users/1). Each round measures, on the same server, in turn:

- ``none``: no limit (the unstaged fast path);
- ``rateLimit``: a namespace rate limit no load reaches (``requests`` 1e9 per ms): every answer
  carries the five rate-limit headers;
- ``concurrency``: ``maxInFlight`` 1e6 (a slot taken and given back per request);
- ``both``: the two together;
- ``stub rateLimit``: the same rate limit on the stub instead (a dry-run match per request).

The order of the cases rotates from round to round, so no case always follows another.

Each figure is requests per second, with its ratio to ``none`` of the same round, and the
server's CPU time per request as a throughput ratio (``none``'s CPU per request over the
case's: what the ratio would be with the server's core to itself; steadier than req/s on a
busy machine). About
``5 x seconds x rounds`` plus start-up (24 s with the defaults). Needs wrk. For figures that
other processes do not move: ``callgrind_overhead.py`` (instructions per whole request).
"""

from __future__ import annotations

import httpx
from common import Case, compare_configured

UNREACHED_RATE = {"requests": 1_000_000_000, "periodMs": 1}
UNREACHED_CONCURRENCY = {"maxInFlight": 1_000_000}
CASES: dict[str, Case] = {  # settings, response fields
    "none": ({}, {}),
    "rateLimit": ({"rateLimit": UNREACHED_RATE}, {}),
    "concurrency": ({"concurrency": UNREACHED_CONCURRENCY}, {}),
    "both": ({"rateLimit": UNREACHED_RATE, "concurrency": UNREACHED_CONCURRENCY}, {}),
    "stub rateLimit": ({}, {"rateLimit": UNREACHED_RATE}),
}


def has_rate_headers(answer: httpx.Response, case: Case) -> None:
    settings, response = case
    assert ("X-RateLimit-Limit" in answer.headers) == ("rateLimit" in {**settings, **response})


def main() -> None:
    compare_configured(__doc__ or "", CASES, has_rate_headers)


if __name__ == "__main__":
    main()
