"""``Metrics.observe_many``: the route cache is keyed by the namespace object, so a namespace
deleted while its last events were still queued must not be kept alive by it."""

from __future__ import annotations

import gc
import weakref

from mockbdd.domain.engine import Engine
from mockbdd.domain.journal import ResponseRecord, ServeEvent
from mockbdd.domain.requests import Body, RecordedRequest
from mockbdd.server.metrics import Metrics


def _served(engine: Engine, name: str) -> ServeEvent:
    ns = engine.get(name)
    assert ns is not None
    plan = ns.serve(RecordedRequest("GET", "/x", "/x", {}, {}, Body(b"")))
    ns.complete(plan.event, ResponseRecord(404), 0.1, 0.2)
    return plan.event


def test_a_namespace_deleted_before_its_events_were_counted_is_counted_and_let_go() -> None:
    engine = Engine()
    metrics = Metrics(engine, lambda: 0)
    ns = engine.create("gone")
    events = [(ns, _served(engine, "gone")) for _ in range(3)]
    metrics.observe_many(events[:1])  # counted while the namespace is there: its route kept
    engine.delete("gone")
    metrics.forget_namespace("gone")
    metrics.observe_many(events[1:])  # late: counted, the route not kept
    assert any(s.count == 2 for s in metrics._series.values())
    ref = weakref.ref(ns)
    del ns, events
    gc.collect()
    assert ref() is None
