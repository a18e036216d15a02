"""Decoding cost of typical mappings through the wire codecs (µs of CPU per mapping, best of 5).

    .venv/bin/python bench/wire_decode.py [N]

Compare two checkouts by running it with ``PYTHONPATH`` pointing at the other one's tree.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from mockbdd.wire.mappings import parse_stub_mapping

CASES: dict[str, dict[str, Any]] = {
    "url only": {
        "request": {"method": "GET", "url": "/api/users/1"},
        "response": {"status": 200, "body": "ok"},
    },
    "patterns": {
        "request": {
            "method": "POST",
            "urlPath": "/orders",
            "headers": {"Accept": {"contains": "json"}},
            "queryParameters": {"q": {"equalTo": "1"}},
            "bodyPatterns": [
                {"equalToJson": {"a": 1}, "ignoreExtraElements": True},
                {"matchesJsonPath": "$.a"},
            ],
        },
        "response": {"status": 201, "jsonBody": {"id": 1}, "headers": {"X": "y"}},
    },
    "delay": {
        "request": {"url": "/d"},
        "response": {"delayDistribution": {"type": "lognormal", "median": 10, "sigma": 0.1}},
    },
    "fault": {"request": {"url": "/f"}, "response": {"fault": "EMPTY_RESPONSE"}},
}


def cost_us(mapping: dict[str, Any], n: int) -> float:
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        for _ in range(n):
            parse_stub_mapping(mapping)
        best = min(best, time.process_time() - started)
    return best / n * 1e6


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    for name, mapping in CASES.items():
        print(f"{name:10s} {cost_us(mapping, n):7.1f} µs")


if __name__ == "__main__":
    main()
