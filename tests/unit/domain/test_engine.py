"""mockbdd.domain.engine: the set of namespaces, and what it refuses."""

from __future__ import annotations

import pytest

from mockbdd.domain.engine import DEFAULT_NAMESPACE, Engine, NamespaceExists
from mockbdd.domain.errors import InvalidInput, NotFound
from mockbdd.domain.journal import DisabledJournal, InMemoryJournal


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


def test_engine_namespace_rules() -> None:
    now = [0.0]
    engine = Engine(clock=lambda: now[0])
    ns = engine.create("a", ttl_seconds=10)
    with pytest.raises(NamespaceExists):
        engine.create("a")
    with pytest.raises(InvalidInput):
        engine.create("bad name")
    with pytest.raises(InvalidInput):
        engine.delete("default")
    with pytest.raises(NotFound):
        engine.delete("missing")
    now[0] = 9.0
    assert engine.expire() == []
    now[0] = 10.5
    assert [n.name for n in engine.expire()] == [ns.name]
    assert engine.get("a") is None


def test_default_always_exists_and_cannot_be_deleted() -> None:
    engine = Engine()
    assert engine.get(DEFAULT_NAMESPACE) is engine.default
    assert list(engine) == [engine.default]
    assert len(engine) == 1
    with pytest.raises(InvalidInput, match="cannot be deleted"):
        engine.delete(DEFAULT_NAMESPACE)


def test_created_namespaces_are_listed_found_and_deleted_by_name() -> None:
    engine = Engine()
    one = engine.create("one")
    generated = engine.create()
    assert generated.name.startswith("ns-")
    assert generated is not one
    assert [ns.name for ns in engine] == [DEFAULT_NAMESPACE, "one", generated.name]
    assert engine.get("one") is one
    for ns in engine:  # iterating a copy: deleting while listing is safe
        if ns is not engine.default:
            engine.delete(ns.name)
    assert len(engine) == 1
    assert engine.get("one") is None
    with pytest.raises(NotFound, match="'one' does not exist"):
        engine.delete("one")


def test_bad_names_ttls_and_duplicates_are_refused_without_creating_anything() -> None:
    engine = Engine()
    engine.create("taken")
    with pytest.raises(NamespaceExists, match="'taken' already exists"):
        engine.create("taken")
    with pytest.raises(InvalidInput, match="invalid namespace name"):
        engine.create("..")
    with pytest.raises(InvalidInput, match="positive number of seconds"):
        engine.create("brief", ttl_seconds=0)
    assert [ns.name for ns in engine] == [DEFAULT_NAMESPACE, "taken"]


def test_expire_removes_only_idle_namespaces_past_their_ttl() -> None:
    now = [0.0]
    engine = Engine(clock=lambda: now[0])
    short, long, forever = (
        engine.create("short", 5),
        engine.create("long", 50),
        engine.create("forever"),
    )
    now[0] = 4.0
    assert engine.expire() == []
    long.touch()
    now[0] = 5.0
    assert engine.expire() == [short]
    now[0] = 54.0
    assert engine.expire() == [long]
    assert engine.get("forever") is forever
    assert engine.get("short") is None


def test_every_namespace_gets_the_engines_journal_settings() -> None:
    off = Engine(journal_max=0)
    assert isinstance(off.default.journal, DisabledJournal)
    assert isinstance(off.create("x").journal, DisabledJournal)
    small = Engine(journal_max=2, journal_max_body_bytes=100)
    journal = small.create("x").journal
    assert isinstance(journal, InMemoryJournal)
    assert (journal.max_entries, journal.max_body_bytes_total) == (2, 100)
