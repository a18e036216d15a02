"""``Stages.for_namespace``: a pipeline per namespace, asked again when the namespace's
revision moves, and forgotten with the namespace."""

from __future__ import annotations

import gc

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
