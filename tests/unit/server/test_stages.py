"""``Stages.for_namespace``: a pipeline per namespace, asked again when the namespace's
revision moves, and forgotten with the namespace."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from mockbdd.domain.namespace import Namespace
from mockbdd.server.stages import Hooks, Stages


def test_the_pipeline_follows_the_revision_and_goes_with_the_namespace() -> None:
    asked: list[str] = []

    def active(ns: Namespace) -> bool:
        asked.append(ns.name)
        return ns.name == "slow" or ns.revision > 0

    stages = Stages((("limits", Hooks(observe=lambda ns, event: None, active=active)),))
    slow, fast = Namespace("slow"), Namespace("fast")
    assert stages.for_namespace(slow) is not None
    assert stages.for_namespace(fast) is None  # the unstaged fast path
    assert stages.for_namespace(slow) is not None
    assert stages.for_namespace(fast) is None
    assert asked == ["slow", "fast"]  # once per namespace and revision, not per request

    fast.mark_changed()
    assert stages.for_namespace(fast) is not None
    assert asked == ["slow", "fast", "fast"]

    del slow
    gc.collect()
    assert len(stages._cache) == 1  # the deleted namespace's entry went with it


def test_pipelines_with_the_same_observers_share_them_and_observe_hooks_get_batches(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An ``observe`` hook is called per event of a batch (one that raises costs that event
    only), an ``observe_many`` hook once per batch; two namespaces whose pipelines differ in
    other stages hand their events to the same observers tuple, so the data plane batches
    their events together."""
    one_by_one: list[object] = []
    batches: list[list[object]] = []

    def observe(ns: Namespace, event: Any) -> None:
        if event == "bad":
            raise RuntimeError("observer bug")
        one_by_one.append(event)

    stages = Stages(
        (
            ("each", Hooks(observe=observe)),
            ("many", Hooks(observe_many=lambda batch: batches.append([e for _, e in batch]))),
            ("shaping", Hooks(shape=lambda ns, plan: plan, active=lambda ns: ns.name == "a")),
        )
    )
    a, b = Namespace("a"), Namespace("b")
    pa, pb = stages.for_namespace(a), stages.for_namespace(b)
    assert pa is not None
    assert pb is not None
    assert pa.shape
    assert not pb.shape
    assert pa.observe is pb.observe  # the same tuple: one run for both namespaces' events
    batch: list[Any] = [(a, "first"), (b, "bad"), (a, "last")]
    for hook in pa.observe:
        hook(batch)
    assert one_by_one == ["first", "last"]
    assert batches == [["first", "bad", "last"]]
    assert "observer bug" in caplog.text
