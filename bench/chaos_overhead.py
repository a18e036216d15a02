"""The data plane with simulation configured but never triggered, against none (goal >= 0.9x).

    .venv/bin/python bench/chaos_overhead.py [--seconds 4] [--rounds 2]

One ``mockbdd serve`` pinned to $SERVER_CPU (0), wrk -t1 -c50 pinned to $LOAD_CPU (1), one
static stub (GET /api/users/1). Each round measures, on the same server, in turn:

- ``none``: nothing configured (the unstaged fast path);
- ``chaos``: a namespace chaos setting that draws for every request and never fires
  (``errorRate`` and ``dropRate`` 1e-12);
- ``stub chaos``: the same on the stub;
- ``network``: a namespace network setting with no latency and 1e-12 loss;
- ``timeline``: chaos, and a timeline whose only step is a day away (the values in force are
  looked up per request);
- ``degradation``: ``perInFlightMs`` 0 (the load meter kept, nothing added).

The order rotates from round to round. Each figure is requests per second with its ratio to
``none`` of the same round, and the server's CPU time per request as a throughput ratio
(steadier than req/s on a busy machine). About ``6 x seconds x rounds`` plus start-up. Needs wrk.
"""

from __future__ import annotations

from common import Case, compare_configured

NEVER = {"errorRate": 1e-12, "dropRate": 1e-12}
DAY_MS = 86_400_000
CASES: dict[str, Case] = {  # settings, response fields
    "none": ({}, {}),
    "chaos": ({"chaos": NEVER}, {}),
    "stub chaos": ({}, {"chaos": NEVER}),
    "network": ({"network": {"packetLossRate": 1e-12}}, {}),
    "timeline": (
        {"chaos": NEVER, "timeline": [{"atMs": DAY_MS, "settings": {"chaos": {"errorRate": 1}}}]},
        {},
    ),
    "degradation": ({"degradation": {"perInFlightMs": 0}}, {}),
}


def main() -> None:
    compare_configured(__doc__ or "", CASES)


if __name__ == "__main__":
    main()
