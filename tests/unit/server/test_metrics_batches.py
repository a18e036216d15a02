"""``Metrics.observe_many`` gets a loop turn's completed events at once: whatever the batch, the
Prometheus text and the JSON windows are exactly what counting the same events one by one gives
(batches of one route, mixed batches, faults, errors and rate-limited answers), and concurrent
traffic over real HTTP is counted once per request."""

from __future__ import annotations

import asyncio
import random

import httpx
from prometheus_client.parser import text_string_to_metric_families

from mockbdd import MockServer
from mockbdd.domain.engine import Engine
from mockbdd.domain.journal import ResponseRecord
from mockbdd.domain.namespace import Namespace
from mockbdd.domain.requests import Body, RecordedRequest
from mockbdd.server.metrics import Metrics
from mockbdd.server.stages import Observed
from mockbdd.wire.mappings import parse_stub_mapping

NOW = 1_764_806_400.0


def _engine() -> tuple[Engine, Namespace]:
    engine = Engine()
    ns = engine.default
    for name, url in (("users", "/users"), ("orders", "/orders")):
        ns.add_stub(parse_stub_mapping({"name": name, "request": {"url": url}, "response": {}}))
    return engine, ns


def _event(ns: Namespace, path: str, record: ResponseRecord, total: float, held: float) -> Observed:
    plan = ns.serve(RecordedRequest("GET", path, path, {}, {}, Body(b"")))
    ns.complete(plan.event, record, total - held, total)
    return ns, plan.event


def _timings(rng: random.Random) -> tuple[float, float]:
    """A total from 0 to ~12 s and its held part, in eighths of a millisecond (sums exact)."""
    total = rng.choice((rng.randint(0, 16), rng.randint(0, 4000), rng.randint(0, 100_000))) / 8
    held = rng.choice((0.0, total, rng.randint(0, int(total * 8)) / 8))
    return total, held


def _metrics(engine: Engine) -> Metrics:
    return Metrics(engine, lambda: 0, clock=lambda: NOW)


def _same_counts(batches: list[list[Observed]], engine: Engine) -> None:
    batched, one_by_one = _metrics(engine), _metrics(engine)
    for batch in batches:
        batched.observe_many(batch)
        for observed in batch:
            one_by_one.observe_many([observed])
    assert batched.text() == one_by_one.text()
    assert batched.snapshot() == one_by_one.snapshot()


def test_a_batch_of_one_route_counts_as_its_events_one_by_one() -> None:
    engine, ns = _engine()
    rng = random.Random(20261204)
    ok = ResponseRecord(200, (), b"")
    batches = [
        [_event(ns, "/users", ok, *_timings(rng)) for _ in range(size)] for size in (4, 20, 50, 7)
    ]
    _same_counts(batches, engine)
    text = _metrics(engine)
    for batch in batches:
        text.observe_many(batch)
    samples = {
        (s.name, s.labels.get("status"), s.labels.get("le")): s.value
        for family in text_string_to_metric_families(text.text())
        for s in family.samples
        if s.labels.get("stub") == "users"
    }
    assert samples[("mockbdd_requests_total", "200", None)] == 81
    assert samples[("mockbdd_request_duration_seconds_count", None, None)] == 81
    assert samples[("mockbdd_request_duration_seconds_bucket", None, "+Inf")] == 81


def test_mixed_batches_errors_faults_and_rate_limits_count_as_one_by_one() -> None:
    engine, ns = _engine()
    rng = random.Random(7)
    answers = [
        ("/users", ResponseRecord(200)),
        ("/users", ResponseRecord(503)),
        ("/orders", ResponseRecord(201)),
        ("/users", ResponseRecord(fault="CONNECTION_RESET_BY_PEER")),
        ("/none", ResponseRecord(429)),  # unmatched 429: a namespace limit's refusal
        ("/none", ResponseRecord(404)),
    ]
    mixed = [_event(ns, *rng.choice(answers), *_timings(rng)) for _ in range(60)]
    alike = [
        [_event(ns, path, record, *_timings(rng)) for _ in range(12)] for path, record in answers
    ]
    _same_counts([mixed, *alike, mixed[:3]], engine)
    counted = _metrics(engine)
    for batch in alike:
        counted.observe_many(batch)
    window = counted.snapshot()["windows"]["10s"]
    assert window["requests"] == 72
    assert window["errorsPerSecond"] == round(24 / 10, 3)  # the 503s and the faults


def test_concurrent_requests_over_http_are_each_counted_once() -> None:
    async def burst(url: str) -> list[int]:
        limits = httpx.Limits(max_connections=50)
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
            answers = await asyncio.gather(*(client.get("/users") for _ in range(400)))
        return [a.status_code for a in answers]

    with MockServer() as server, httpx.Client(base_url=server.url) as admin:
        admin.post(
            "/__admin/mappings",
            json={"name": "users", "request": {"url": "/users"}, "response": {"status": 200}},
        ).raise_for_status()
        assert asyncio.run(burst(server.url)) == [200] * 400
        for _ in range(500):
            text = admin.get("/__admin/metrics").text
            totals = {
                s.labels["stub"]: s.value
                for family in text_string_to_metric_families(text)
                for s in family.samples
                if s.name == "mockbdd_requests_total"
            }
            if totals.get("users") == 400:
                break
            asyncio.run(asyncio.sleep(0.01))
        assert totals == {"users": 400}
