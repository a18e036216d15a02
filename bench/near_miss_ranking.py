#!/usr/bin/env python3
"""Near-miss ranking: how long one unmatched request takes to rank every stub, and how exact
the string distance is on long bodies.

Two loads, at 1,000 and 10,000 stubs, each stub with an ``equalTo`` body of a few KB:

- ``spread``: every stub on its own path (``POST /api/orders/{i}``), the request on one of them
  with a body three small edits away: the usual case, most stubs differ in the URL already;
- ``one path``: every stub on ``POST /graphql``, bodies all different: the worst case, every
  stub's body is compared with the request's.

Prints the median and best of ``--runs`` calls of ``Namespace.near_misses`` (what the 404 of an
unmatched request and the admin near-miss routes compute), and the distance of a 508-character
JSON body with three small edits (exact normalised Levenshtein: 9 / 508 = 0.018).
Run: ``python bench/near_miss_ranking.py [--runs 5] [--sizes 1000,10000]``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from typing import Any

from mockbdd.domain.matching import levenshtein_distance
from mockbdd.domain.namespace import Namespace
from mockbdd.domain.requests import Body, RecordedRequest
from mockbdd.wire.mappings import parse_stub_mapping


def order_body(rng: random.Random, lines: int) -> str:
    """A JSON order of ``lines`` items (about 105 characters per item)."""
    items = [
        {
            "sku": f"SKU-{rng.randrange(10**6):06d}",
            "name": rng.choice(["chair", "table", "lamp", "desk", "shelf"])
            + f" {rng.randrange(99)}",
            "quantity": rng.randrange(1, 9),
            "price": round(rng.uniform(1, 500), 2),
        }
        for _ in range(lines)
    ]
    return json.dumps({"customer": f"C{rng.randrange(10**5)}", "currency": "EUR", "items": items})


def three_edits(text: str, width: int = 1) -> str:
    """Three small field changes spread over the text: ``width`` digits replaced at each."""
    chars = list(text)
    for at in (len(text) // 5, len(text) // 2, 4 * len(text) // 5):
        while not "".join(chars[at : at + width]).isdigit():
            at += 1
        for i in range(at, at + width):
            chars[i] = "7" if chars[i] != "7" else "3"
    return "".join(chars)


def request(url: str, body: str) -> RecordedRequest:
    return RecordedRequest(
        method="POST",
        url=url,
        path=url,
        query={},
        headers={"content-type": ["application/json"]},
        body=Body(body.encode()),
    )


def namespace(stubs: list[dict[str, Any]]) -> Namespace:
    ns = Namespace("bench")
    for s in stubs:
        ns.add_stub(parse_stub_mapping(s))
    return ns


def stub(name: str, url: str, body: str) -> dict[str, Any]:
    return {
        "name": name,
        "request": {
            "method": "POST",
            "urlPath": url,
            "headers": {"Content-Type": {"equalTo": "application/json"}},
            "bodyPatterns": [{"equalTo": body}],
        },
        "response": {"status": 200},
    }


def loads(size: int, rng: random.Random) -> dict[str, tuple[Namespace, RecordedRequest]]:
    bodies = [order_body(rng, rng.randrange(20, 40)) for _ in range(size)]  # 2-4 KB each
    target = size // 2
    spread = namespace([stub(f"s{i}", f"/api/orders/{i}", b) for i, b in enumerate(bodies)])
    one_path = namespace([stub(f"s{i}", "/graphql", b) for i, b in enumerate(bodies)])
    return {
        "spread": (spread, request(f"/api/orders/{target}", three_edits(bodies[target]))),
        "one path": (one_path, request("/graphql", three_edits(bodies[target]))),
    }


def timed(ns: Namespace, req: RecordedRequest, runs: int) -> tuple[float, float, str]:
    times = []
    best = ""
    for _ in range(runs):
        started = time.perf_counter()
        misses = ns.near_misses(req)
        times.append((time.perf_counter() - started) * 1000)
        best = (misses[0].stub.name or "-") if misses and misses[0].stub is not None else "-"
    return statistics.median(times), min(times), best


def accuracy() -> None:
    order = order_body(random.Random(3), 4)
    body = '{"note": "' + "n" * (508 - len(order) - 12) + '", ' + order[1:]  # 508 characters
    edited = three_edits(body, width=3)
    print(f"\n{len(body)}-character JSON body, three 3-digit field changes:")
    print(f"levenshtein_distance = {levenshtein_distance(body, edited):.4f} (exact: {9 / 508:.4f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1000,10000")
    args = parser.parse_args()
    print("## Near-miss ranking: Namespace.near_misses for one unmatched request\n")
    print("| load | stubs | median ms | best ms | closest stub |")
    print("|---|---:|---:|---:|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        for name, (ns, req) in loads(size, random.Random(size)).items():
            median, best, closest = timed(ns, req, args.runs)
            print(
                f"| {name} | {size} | {median:.1f} | {best:.1f} | {closest} (want s{size // 2}) |"
            )
    accuracy()


if __name__ == "__main__":
    main()
