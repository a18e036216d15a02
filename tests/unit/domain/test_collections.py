"""CRUD collections in the domain: ids, schemas, indexes, relations; and their wire form."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import pytest

from mockbdd.domain import collections as c
from mockbdd.domain.collections import (
    Collection,
    CollectionError,
    CollectionSpec,
    CollectionStore,
    Relation,
)
from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.namespace import InitialCollection, Namespace
from mockbdd.wire.collections import collection_json, parse_collection, parse_collections

SCHEMA = {
    "type": "object",
    "properties": {"age": {"type": "integer"}, "tags": {"items": {"type": "string"}}},
}


def test_ids_are_assigned_after_the_highest_and_compare_as_text() -> None:
    users = Collection(CollectionSpec("users"), [{"id": 4}, {"id": 2}])
    assert users.insert({"name": "a"})["id"] == 5
    assert users.insert({"id": None})["id"] == 6
    assert users.get("4") == {"id": 4}
    assert users.get(4.0) == {"id": 4}
    assert c.id_key(True) == "true"
    assert c.id_key(False) == "false"
    with pytest.raises(CollectionError) as taken:
        users.insert({"id": "4"})
    assert (taken.value.status, taken.value.pointer) == (409, "/id")
    with pytest.raises(CollectionError, match="string or an integer"):
        users.insert({"id": [1]})
    with pytest.raises(CollectionError, match="string or an integer"):
        users.insert({"id": True})


def test_string_ids_give_string_ids_and_skip_taken_ones() -> None:
    tags = Collection(CollectionSpec("tags"), [{"id": "x"}, {"id": "2"}, {"id": "4"}])
    assert tags.insert({})["id"] == "5"
    tags._next = 2  # as if an id had been taken behind the counter's back
    assert tags.insert({})["id"] == "3"
    mixed = Collection(CollectionSpec("m"), [{"id": "3"}])
    mixed.insert({"id": 1})
    assert mixed.insert({})["id"] == "4"
    assert Collection(CollectionSpec("e")).insert({})["id"] == 1


def test_a_full_collection_refuses_more(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(c, "MAX_ITEMS", 2)
    small = Collection(CollectionSpec("s"), [{}, {}])
    with pytest.raises(CollectionError, match="holds 2 items"):
        small.insert({})


def test_schema_violations_name_the_deepest_first_pointer() -> None:
    spec = CollectionSpec("p", schema=MappingProxyType(SCHEMA))
    spec.check({"age": 3})
    with pytest.raises(CollectionError) as bad:
        spec.check({"age": "x", "tags": ["a", 7]})
    assert bad.value.pointer == "/age"
    assert bad.value.status == 400
    assert str(bad.value).startswith("/age: ")
    with pytest.raises(CollectionError) as whole:
        CollectionSpec("w", schema={"type": "array"}).check({})
    assert whole.value.pointer == "/"
    with pytest.raises(CollectionError) as escaped:
        CollectionSpec("e", schema={"properties": {"a/b": {"type": "string"}}}).check({"a/b": 1})
    assert escaped.value.pointer == "/a~1b"
    with pytest.raises(CollectionError) as seeded:
        Collection(spec, [{"age": 1}, {"age": "two"}])
    assert seeded.value.pointer == "/1/age"


def test_writes_replace_patch_delete_and_change_nothing_when_refused() -> None:
    spec = CollectionSpec("p", schema=SCHEMA)
    people = Collection(spec, [{"id": 1, "age": 3, "name": "a"}])
    assert people.replace("1", {"id": 9, "age": 4}) == {"id": 1, "age": 4}
    assert people.patch(1, {"name": "b"}) == {"id": 1, "age": 4, "name": "b"}
    with pytest.raises(CollectionError):
        people.patch(1, {"age": "old"})
    assert people.get(1) == {"id": 1, "age": 4, "name": "b"}
    with pytest.raises(CollectionError) as missing:
        people.delete(2)
    assert missing.value.status == 404
    assert people.delete(1) == {"id": 1, "age": 4, "name": "b"}
    assert len(people) == 0


def test_stored_items_are_copies() -> None:
    given: dict[str, Any] = {"id": 1, "tags": ["a"], "meta": MappingProxyType({"k": ("v",)})}
    kept = Collection(CollectionSpec("k"), [given])
    given["tags"].append("b")
    assert kept.get(1) == {"id": 1, "tags": ["a"], "meta": {"k": ["v"]}}
    copied = kept.items_copy()
    copied[0]["tags"].append("z")
    assert kept.get(1) == {"id": 1, "tags": ["a"], "meta": {"k": ["v"]}}


def test_indexes_are_built_on_use_and_dropped_by_a_write() -> None:
    rows = [
        {"id": 1, "team": "b", "tags": ["x", "y"], "on": True, "n": None, "o": {"a": 1}},
        {"id": 2, "team": "a", "tags": ["y"], "on": False, "n": 2},
        {"id": 3, "team": "b", "tags": [], "deep": {"k": [5, 6]}},
    ]
    items = Collection(CollectionSpec("i"), rows)
    assert items.equal_keys("team", "b") == ["1", "3"]
    assert items.equal_keys("tags", "y") == ["1", "2"]
    assert items.equal_keys("on", "true") == ["1"]
    assert items.equal_keys("n", "null") == ["1", "3"]
    assert items.equal_keys("o", "{}") == []
    assert items.equal_keys("deep.k.1", "6") == ["3"]
    assert items.sorted_keys((("team", False), ("id", True))) == ["2", "3", "1"]
    assert items.sorted_keys((("team", False), ("id", True))) is items.sorted_keys(
        (("team", False), ("id", True))
    )
    items.insert({"id": 4, "team": "a"})
    assert items.equal_keys("team", "a") == ["2", "4"]
    assert items.sorted_keys((("team", False), ("id", True))) == ["4", "2", "3", "1"]
    assert items.delete_where("team", "a") == 2
    assert items.delete_where("team", "zzz") == 0
    assert items.ids() == ["1", "3"]
    items.clear()
    assert items.ids() == []
    assert items.insert({})["id"] == 1


def test_a_create_updates_the_indexes_as_a_rebuild_would() -> None:
    rng = __import__("random").Random(7)
    rows = [{"id": i, "g": rng.choice("abc"), "n": rng.randint(0, 9)} for i in range(1, 60)]
    live = Collection(CollectionSpec("l"), rows)
    orders = ((("n", False),), (("n", True),), (("g", False), ("n", True)), ())
    for order in orders:
        live.sorted_keys(order)
    live.equal_set("g", "a")
    live.ranks((("n", False),))
    for i in range(60, 120):
        live.insert({"id": i, "g": rng.choice("abc"), "n": rng.choice([rng.randint(0, 9), None])})
        rebuilt = Collection(CollectionSpec("r"), list(live))
        for order in orders:
            assert live.sorted_keys(order) == rebuilt.sorted_keys(order), order
        for g in "abc":
            assert live.equal_set("g", g) == rebuilt.equal_set("g", g)
            assert live.equal_keys("g", g) == rebuilt.equal_keys("g", g)
        assert live.ranks((("n", True),)) == rebuilt.ranks((("n", True),))


def test_field_paths_and_sort_keys() -> None:
    item = {"a": {"b": [{"c": 1}]}, "s": "x"}
    assert c.field_value(item, "a.b.0.c") == 1
    assert c.field_value(item, "a.b.9.c") is None
    assert c.field_value(item, "s.t") is None
    values = [None, "b", 2, True, {"x": 1}, 1.5]
    assert sorted(values, key=c.sort_key) == [True, 1.5, 2, "b", {"x": 1}, None]


def test_the_store_finds_relations_declared_or_by_convention() -> None:
    store = CollectionStore()
    users = store.define(CollectionSpec("users", relations=(Relation("orders", "buyer"),)), [])
    store.define(CollectionSpec("boxes"), [])
    store.ensure("orders")
    assert store.ensure("orders") is store.get("orders")
    assert "orders" in store
    assert store.names() == ["users", "boxes", "orders"]
    assert store.parent_of("orders", "buyer") is users
    assert store.parent_of("orders", "userId") is users  # users + s
    assert store.parent_of("orders", "boxId") is store.get("boxes")  # box + es
    assert store.parent_of("orders", "teamId") is None
    assert store.parent_of("orders", "buyer_ref") is None
    assert store.foreign_key("users", "orders") == "buyer"
    assert store.foreign_key("boxes", "orders") == "boxId"
    assert store.foreign_key("nothing", "orders") == "nothingId"
    assert store.spec_of("nope") is None
    assert [x.spec.name for x in store] == ["users", "boxes", "orders"]
    assert store.remove("boxes")
    assert not store.remove("boxes")
    store.clear()
    assert store.names() == []


@pytest.mark.parametrize(
    ("plural", "one"),
    [("users", "user"), ("categories", "category"), ("boxes", "box"), ("class", "class"),
     ("sheep", "sheep"), ("wishes", "wish")],
)  # fmt: skip
def test_singular(plural: str, one: str) -> None:
    assert c.singular(plural) == one


def test_a_namespace_defines_collections_whole_and_reset_restores_them() -> None:
    ns = Namespace("n")
    spec = CollectionSpec("u", schema=SCHEMA)
    with pytest.raises(CollectionError) as refused:
        ns.define_collections(
            (
                InitialCollection(CollectionSpec("ok"), ({},)),
                InitialCollection(spec, ({"age": "x"},)),
            )
        )
    assert refused.value.pointer == "/u/0/age"
    assert ns.collections.names() == []  # nothing half-applied
    initial = (InitialCollection(spec, ({"id": 1, "age": 2},)),)
    ns.define_collections(initial)
    ns.set_baseline((), None, (), initial)
    users = ns.collections.get("u")
    assert users is not None
    users.insert({"age": 5})
    ns.collections.ensure("other")
    ns.set_baseline((), None, ())  # None: the collections of the baseline stay
    ns.reset()
    assert ns.collections.names() == ["u"]
    restored = ns.collections.get("u")
    assert restored is not None
    assert list(restored) == [{"id": 1, "age": 2}]


def test_the_wire_form_is_checked_field_by_field() -> None:
    def reason(value: Any, name: str = "u") -> tuple[str, str]:
        with pytest.raises(InvalidInput) as exc:
            parse_collection(name, value, "/c")
        return exc.value.pointer, exc.value.reason

    assert reason([], "bad name") == ("/c", "collection name 'bad name' must match [A-Za-z0-9_.-]+")
    assert reason(7)[0] == "/c"
    assert reason({"itemz": []}) == (
        "/c/itemz",
        "unknown field 'itemz'; did you mean 'items'? (known: items, schema, idField, relations)",
    )
    assert reason({"items": {}})[0] == "/c/items"
    assert reason({"items": [1]})[0] == "/c/items/0"
    assert reason([1])[0] == "/c/items/0"
    assert reason({"idField": ""})[0] == "/c/idField"
    assert reason({"schema": []})[0] == "/c/schema"
    assert reason({"schema": {"type": 5}})[1].startswith("not a valid JSON Schema")
    assert reason({"relations": []})[0] == "/c/relations"
    assert reason({"relations": {"a b": "x"}})[0] == "/c/relations/a b"
    assert reason({"relations": {"o": 5}})[0] == "/c/relations/o"
    assert reason({"relations": {"o": {"fk": "x"}}})[0] == "/c/relations/o/fk"
    assert reason({"relations": {"o": {}}})[0] == "/c/relations/o/foreignKey"
    assert (
        reason({"relations": {"o": {"foreignKey": "u", "cascade": 1}}})[0]
        == "/c/relations/o/cascade"
    )
    assert reason({"items": [{"id": 1}, {"id": 1}]}) == ("/c/items/1/id", "u '1' exists already")
    assert reason({"a": 1} if False else "x")[0] == "/c"
    with pytest.raises(InvalidInput) as not_object:
        parse_collections([], "/collections")
    assert not_object.value.pointer == "/collections"


def test_the_wire_form_round_trips() -> None:
    wire = {
        "items": [{"key": "a"}],
        "schema": {"type": "object"},
        "idField": "key",
        "relations": {"orders": "userKey", "notes": {"foreignKey": "userKey", "cascade": True}},
    }
    [initial] = parse_collections({"users": wire}, "")
    built = Collection(initial.spec, initial.items)
    assert collection_json(built) == {"name": "users", **wire, "total": 1}
    kept = parse_collection("users", [{"key": "b"}], "", initial.spec)
    assert kept.spec is initial.spec
    assert collection_json(Collection(CollectionSpec("x"))) == {
        "name": "x", "idField": "id", "total": 0, "items": [],
    }  # fmt: skip
