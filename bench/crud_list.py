"""CRUD list with filter and sort on 10,000 items: latency percentiles (goal: p99 <= 5 ms).

    .venv/bin/python bench/crud_list.py [--items 10000] [--queries 2000] [--http 1000]

Three figures, each over the same seeded queries
(``team=<t>&age_gte=<n>&_sort=age&_order=desc&_page=<p>&_limit=20``):

- ``in-process``: the ``crud`` transformer's answer alone (query, page, JSON), as the data
  plane calls it;
- ``in-process, 1 write in 10``: the same with a create between every ten lists (each write
  drops the indexes, so the next list rebuilds the ones it needs);
- ``http``: sequential requests through a real socket (httpx to the embedded server), so the
  client's own cost is included.

About 10-20 s with the defaults; figures on a loaded machine are not worth much.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

import httpx

from mockbdd.crud.transformer import Crud
from mockbdd.domain.collections import CollectionSpec
from mockbdd.domain.namespace import InitialCollection, Namespace
from mockbdd.domain.requests import Body, RecordedRequest
from mockbdd.domain.responses import ResponseDefinition, TransformContext
from mockbdd.server.embedded import MockServer

TEAMS = ("eng", "ops", "sales", "design", "legal")
SEED = 20261202


def items(n: int, rng: random.Random) -> list[dict[str, object]]:
    return [
        {"id": i + 1, "name": f"user{i}", "team": rng.choice(TEAMS), "age": rng.randint(18, 80)}
        for i in range(n)
    ]


def queries(n: int, rng: random.Random) -> list[dict[str, list[str]]]:
    return [
        {
            "team": [rng.choice(TEAMS)],
            "age_gte": [str(rng.randint(18, 60))],
            "_sort": ["age"],
            "_order": ["desc"],
            "_page": [str(rng.randint(1, 10))],
            "_limit": ["20"],
        }
        for _ in range(n)
    ]


def percentiles(samples_ms: list[float]) -> str:
    ordered = sorted(samples_ms)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return (
        f"p50 {cut[49]:.3f} ms  p90 {cut[89]:.3f} ms  p99 {cut[98]:.3f} ms  "
        f"max {ordered[-1]:.3f} ms  (n={len(ordered)})"
    )


def request(query: dict[str, list[str]], method: str = "GET", body: bytes = b"") -> RecordedRequest:
    raw = "&".join(f"{k}={v[0]}" for k, v in query.items())
    return RecordedRequest(
        method, f"/users?{raw}", "/users", query, {"content-type": ["application/json"]}, Body(body)
    )


def in_process(
    data: list[dict[str, object]], qs: list[dict[str, list[str]]], write_every: int
) -> list[float]:
    ns = Namespace("bench")
    ns.define_collections((InitialCollection(CollectionSpec("users"), tuple(data)),))
    crud = Crud()
    context = TransformContext(ns)
    parameters = {"collection": "users"}
    base = ResponseDefinition(transformers=(("crud", parameters),))
    create = request({}, "POST", b'{"name": "new", "team": "eng", "age": 30}')
    call: Callable[[RecordedRequest], ResponseDefinition] = lambda r: crud.transform(  # noqa: E731
        base, r, parameters, context
    )
    call(request(qs[0]))  # indexes built once, as after the first request
    samples = []
    for i, q in enumerate(qs):
        if write_every and i % write_every == 0:
            call(create)
        req = request(q)
        started = time.perf_counter()
        answer = call(req)
        samples.append((time.perf_counter() - started) * 1000)
        assert answer.status == 200, answer.body
    return samples


def over_http(data: list[dict[str, object]], qs: list[dict[str, list[str]]]) -> list[float]:
    stub = {
        "request": {"urlPathPattern": "/users(/[^/]+)?"},
        "response": {"transformers": ["crud"], "transformerParameters": {"collection": "users"}},
    }
    samples = []
    with MockServer() as server, httpx.Client(base_url=server.url, timeout=10) as http:
        http.post("/__admin/mappings", json=stub).raise_for_status()
        http.put("/__admin/collections/users", json=data).raise_for_status()
        http.get("/users", params={"team": "eng", "_sort": "age"}).raise_for_status()
        for q in qs:
            params = {k: v[0] for k, v in q.items()}
            started = time.perf_counter()
            response = http.get("/users", params=params)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--http", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(SEED)
    data = items(args.items, rng)
    qs = queries(args.queries, rng)
    print(f"CRUD list with filter and sort, {args.items} items")
    print("  in-process:               ", percentiles(in_process(data, qs, 0)))
    print("  in-process, 1 write in 10:", percentiles(in_process(data, qs, 10)))
    print("  http (sequential):        ", percentiles(over_http(data, qs[: args.http])))


if __name__ == "__main__":
    main()
