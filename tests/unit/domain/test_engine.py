"""mockbdd.domain.engine: the set of namespaces, and what it refuses."""

from __future__ import annotations

import pytest

from mockbdd.domain.engine import Engine
from mockbdd.domain.errors import InvalidInput


def test_the_engine_counts_its_namespaces_default_included() -> None:
    engine = Engine()
    assert len(engine) == 1
    engine.create("a")
    engine.create()
    assert len(engine) == 3
    engine.delete("a")
    assert len(engine) == 2
    assert sorted(ns.name for ns in engine)[0] == "default"


@pytest.mark.parametrize("ttl", [0, -1, -0.5])
def test_a_namespace_ttl_must_be_positive_and_nothing_is_created(ttl: float) -> None:
    engine = Engine()
    with pytest.raises(InvalidInput) as refused:
        engine.create("a", ttl_seconds=ttl)
    assert (refused.value.pointer, refused.value.reason) == (
        "/ttlSeconds",
        "must be a positive number of seconds",
    )
    assert engine.get("a") is None
    assert len(engine) == 1
