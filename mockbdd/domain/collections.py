"""CRUD collections (json-server's data store) per namespace: items by id, id assignment,
schemas, relations, and lazily built indexes that a write drops.

Items are plain JSON objects (dicts). Ids compare as json-server compares them: ``/users/1``
finds the item whose id is ``1`` or ``"1"`` (items are keyed by the id's text). Everything here
is synchronous and runs on the namespace's event loop, so two creates can never be given the
same id.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import field
from typing import Any

from mockbdd.records import record

MAX_ITEMS = 1_000_000  # per collection: a runaway seeding or creating loop stops here


class CollectionError(ValueError):
    """A write the collection refuses: ``status`` (400, 404, 409), a JSON ``pointer`` into the
    body and the ``reason``."""

    def __init__(self, status: int, reason: str, pointer: str = "") -> None:
        super().__init__(f"{pointer}: {reason}" if pointer else reason)
        self.status = status
        self.reason = reason
        self.pointer = pointer


@record
class Relation:
    """``relations: {orders: userId}`` on ``users``: each order's ``userId`` names its user.
    ``cascade`` deletes the orders with their user (json-server's ``?_dependent=orders``
    always does, for the one request)."""

    child: str
    foreign_key: str
    cascade: bool = False


@record
class CollectionSpec:
    """How a collection behaves: its id field, the JSON Schema its items must satisfy (or
    None), and the collections that point at it."""

    name: str
    id_field: str = "id"
    schema: Mapping[str, Any] | None = None
    relations: tuple[Relation, ...] = ()
    _validator: Any = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.schema is not None:
            import jsonschema

            plain = plain_json(self.schema)
            cls = jsonschema.validators.validator_for(plain, jsonschema.Draft202012Validator)
            cls.check_schema(plain)  # SchemaError: refused where the spec is decoded
            object.__setattr__(self, "_validator", cls(plain))

    def check(self, item: Mapping[str, Any]) -> None:
        """Raise :class:`CollectionError` (400) naming the first violation's JSON pointer."""
        if self._validator is None:
            return
        errors = sorted(self._validator.iter_errors(item), key=_error_order)
        if errors:
            first = errors[0]
            pointer = "".join(f"/{_escape(str(p))}" for p in first.absolute_path)
            raise CollectionError(400, first.message, pointer or "/")


def _error_order(error: Any) -> tuple[int, str]:
    return (len(error.absolute_path), "/".join(str(p) for p in error.absolute_path))


def _escape(step: str) -> str:
    return step.replace("~", "~0").replace("/", "~1")


def plain_json(value: Any) -> Any:
    """A deep copy as plain dicts and lists (frozen mappings and tuples too): what a
    collection stores, so no caller keeps a reference into it."""
    if isinstance(value, Mapping):
        return {str(k): plain_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_json(v) for v in value]
    return value


def id_key(value: Any) -> str:
    """What an id is compared by: its text (``1`` and ``"1"`` are the same item)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def field_value(item: Mapping[str, Any], path: str) -> Any:
    """``a.b.c`` (and ``tags.0``) inside ``item``; None when any step is missing."""
    if "." not in path:
        return item.get(path)
    current: Any = item
    for step in path.split("."):
        if isinstance(current, Mapping):
            current = current.get(step)
        elif isinstance(current, list) and step.isdigit() and int(step) < len(current):
            current = current[int(step)]
        else:
            return None
    return current


class Collection:
    """The items of one collection, in insertion order, with the indexes queries use."""

    def __init__(self, spec: CollectionSpec, items: Iterable[Mapping[str, Any]] = ()) -> None:
        self.spec = spec
        self._items: dict[str, dict[str, Any]] = {}
        self._strings = False  # some id is a string: new ids are strings too ("7")
        self._next = 1  # above every numeric id so far
        self.version = 0
        self._equality: dict[str, dict[str, list[str]]] = {}
        self._sorted: dict[tuple[tuple[str, bool], ...], list[str]] = {}
        self._ranks: dict[tuple[tuple[str, bool], ...], dict[str, int]] = {}
        self._sets: dict[tuple[str, str], frozenset[str]] = {}
        self._indexed_at = 0
        for i, item in enumerate(items):
            try:
                self.insert(item)
            except CollectionError as exc:
                raise CollectionError(exc.status, exc.reason, f"/{i}{exc.pointer}") from None

    # -- reads --------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._items.values())

    def get(self, ident: Any) -> dict[str, Any] | None:
        return self._items.get(id_key(ident))

    def ids(self) -> list[str]:
        """The items' keys (their ids as text), in insertion order."""
        return list(self._items)

    def item(self, key: str) -> dict[str, Any]:
        return self._items[key]

    @property
    def by_key(self) -> Mapping[str, dict[str, Any]]:
        """The items by key (read them, never change them: writes go through the methods)."""
        return self._items

    def items_copy(self) -> list[dict[str, Any]]:
        return copy.deepcopy(list(self._items.values()))

    def equal_keys(self, path: str, value: str) -> list[str]:
        """Keys (insertion order) of the items whose ``path`` reads as ``value``: one dict
        lookup once the index of ``path`` is built (built on first use after a write)."""
        self._fresh()
        index = self._equality.get(path)
        if index is None:
            index = {}
            for key, item in self._items.items():
                for text in _texts(field_value(item, path)):
                    index.setdefault(text, []).append(key)
            self._equality[path] = index
        return index.get(value, [])

    def equal_set(self, path: str, value: str) -> frozenset[str]:
        """:meth:`equal_keys` as a set, cached until a write."""
        self._fresh()
        found = self._sets.get((path, value))
        if found is None:
            found = self._sets[(path, value)] = frozenset(self.equal_keys(path, value))
        return found

    def ranks(self, order: tuple[tuple[str, bool], ...]) -> dict[str, int]:
        """Each key's position in :meth:`sorted_keys` (to sort a few keys without a pass over
        all of them), cached until a write."""
        self._fresh()
        found = self._ranks.get(order)
        if found is None:
            found = self._ranks[order] = {k: i for i, k in enumerate(self.sorted_keys(order))}
        return found

    def sorted_keys(self, order: tuple[tuple[str, bool], ...]) -> list[str]:
        """Every key sorted by ``order`` ((path, descending) pairs), cached until a write."""
        self._fresh()
        cached = self._sorted.get(order)
        if cached is None:
            keys = list(self._items)
            items = self._items
            for path, descending in reversed(order):  # stable sorts: the last key first

                def by(key: str, path: str = path) -> tuple[int, Any]:
                    return sort_key(field_value(items[key], path))

                keys.sort(key=by, reverse=descending)
            cached = self._sorted[order] = keys
        return cached

    def _fresh(self) -> None:
        if self._indexed_at != self.version:
            self._equality.clear()
            self._sorted.clear()
            self._ranks.clear()
            self._sets.clear()
            self._indexed_at = self.version

    # -- writes -------------------------------------------------------------------------------
    def insert(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Add ``body`` (its id assigned when it has none): the stored item. 409 on a taken
        id, 400 on a schema violation; nothing changes when it is refused."""
        item: dict[str, Any] = plain_json(body)
        id_field = self.spec.id_field
        if item.get(id_field) is None:
            item[id_field] = self._new_id()
        elif not isinstance(item[id_field], str | int) or isinstance(item[id_field], bool):
            raise CollectionError(400, "an id must be a string or an integer", f"/{id_field}")
        key = id_key(item[id_field])
        if key in self._items:
            raise CollectionError(409, f"{self.spec.name} {key!r} exists already", f"/{id_field}")
        if len(self._items) >= MAX_ITEMS:
            raise CollectionError(409, f"{self.spec.name} holds {MAX_ITEMS} items, the most")
        self.spec.check(item)
        fresh = self._indexed_at == self.version
        self._store(key, item)
        if fresh:  # a create keeps the indexes, updated in place (the common write)
            self._index_new(key, item)
        return item

    def _index_new(self, key: str, item: dict[str, Any]) -> None:
        """Put a new item (the last in insertion order) into every index built so far."""
        for path, index in self._equality.items():
            for text in _texts(field_value(item, path)):
                index.setdefault(text, []).append(key)
                self._sets.pop((path, text), None)
        self._ranks.clear()
        for order in list(self._sorted):
            if len(order) == 1:
                keys = self._sorted[order]
                keys.insert(self._position(keys, order[0], item), key)
            else:
                del self._sorted[order]
        self._indexed_at = self.version

    def _position(self, keys: list[str], order: tuple[str, bool], item: Mapping[str, Any]) -> int:
        """Where a new item goes in ``keys`` sorted by one field: after its equals (a stable
        sort keeps insertion order among them)."""
        path, descending = order
        wanted = sort_key(field_value(item, path))
        items = self._items
        low, high = 0, len(keys)
        while low < high:
            middle = (low + high) // 2
            there = sort_key(field_value(items[keys[middle]], path))
            if (there >= wanted) if descending else (there <= wanted):
                low = middle + 1
            else:
                high = middle
        return low

    def replace(self, ident: Any, body: Mapping[str, Any]) -> dict[str, Any]:
        """``PUT``: the item becomes ``body`` (keeping its id)."""
        old = self._existing(ident)
        item: dict[str, Any] = plain_json(body)
        item[self.spec.id_field] = old[self.spec.id_field]
        self.spec.check(item)
        self._store(id_key(ident), item)
        return item

    def patch(self, ident: Any, body: Mapping[str, Any]) -> dict[str, Any]:
        """``PATCH``: ``body``'s fields over the item's (shallow, as json-server merges)."""
        old = self._existing(ident)
        item = {**old, **plain_json(body)}
        item[self.spec.id_field] = old[self.spec.id_field]
        self.spec.check(item)
        self._store(id_key(ident), item)
        return item

    def delete(self, ident: Any) -> dict[str, Any]:
        item = self._existing(ident)
        del self._items[id_key(ident)]
        self.version += 1
        return item

    def delete_where(self, path: str, value: Any) -> int:
        """Delete the items whose ``path`` is ``value`` (as an id): how many went."""
        target = id_key(value)
        gone = [k for k, item in self._items.items() if id_key(field_value(item, path)) == target]
        for key in gone:
            del self._items[key]
        if gone:
            self.version += 1
        return len(gone)

    def clear(self) -> None:
        self._items.clear()
        self._strings, self._next = False, 1
        self.version += 1

    def _existing(self, ident: Any) -> dict[str, Any]:
        item = self._items.get(id_key(ident))
        if item is None:
            raise CollectionError(404, f"no {self.spec.name} with id {id_key(ident)!r}")
        return item

    def _store(self, key: str, item: dict[str, Any]) -> None:
        ident = item[self.spec.id_field]
        if isinstance(ident, str):
            self._strings = True
            if ident.isdigit() and len(ident) < 19:
                self._next = max(self._next, int(ident) + 1)
        else:
            self._next = max(self._next, ident + 1)
        self._items[key] = item
        self.version += 1

    def _new_id(self) -> int | str:
        """The next integer (as a string when the collection's ids are strings)."""
        while id_key(self._next) in self._items:
            self._next += 1
        ident = self._next
        self._next += 1
        return str(ident) if self._strings else ident


def _texts(value: Any) -> tuple[str, ...]:
    """How a field's value reads in a query string (a list reads as each of its elements)."""
    if isinstance(value, list):
        return tuple(t for v in value for t in _texts(v))
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("true" if value else "false",)
    if isinstance(value, dict):
        return ()
    return (id_key(value),)


def sort_key(value: Any) -> tuple[int, Any]:
    """Numbers before strings before everything else; missing values last."""
    if value is None:
        return (3, 0)
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, int | float):
        return (0, value)
    if isinstance(value, str):
        return (1, value)
    return (2, str(value))


class CollectionStore:
    """A namespace's collections by name."""

    def __init__(self) -> None:
        self._collections: dict[str, Collection] = {}

    def __contains__(self, name: object) -> bool:
        return name in self._collections

    def __iter__(self) -> Iterator[Collection]:
        return iter(list(self._collections.values()))

    def names(self) -> list[str]:
        return list(self._collections)

    def get(self, name: str) -> Collection | None:
        return self._collections.get(name)

    def ensure(self, name: str) -> Collection:
        """The collection, created empty (default spec) on first use by a ``crud`` stub."""
        found = self._collections.get(name)
        if found is None:
            found = self._collections[name] = Collection(CollectionSpec(name))
        return found

    def define(self, spec: CollectionSpec, items: Iterable[Mapping[str, Any]]) -> Collection:
        """Replace the collection ``spec.name`` with ``items`` (all checked first: a refused
        item changes nothing)."""
        return self.put(Collection(spec, items))

    def put(self, collection: Collection) -> Collection:
        self._collections[collection.spec.name] = collection
        return collection

    def remove(self, name: str) -> bool:
        return self._collections.pop(name, None) is not None

    def clear(self) -> None:
        self._collections.clear()

    def spec_of(self, name: str) -> CollectionSpec | None:
        found = self._collections.get(name)
        return None if found is None else found.spec

    def parent_of(self, child: str, foreign_key: str) -> Collection | None:
        """The collection that ``child`` items point at through ``foreign_key``: the one that
        declares the relation, else json-server's convention (``userId`` -> ``users``)."""
        for collection in self._collections.values():
            for rel in collection.spec.relations:
                if rel.child == child and rel.foreign_key == foreign_key:
                    return collection
        if foreign_key.endswith("Id"):
            base = foreign_key[:-2]
            for name in (base + "s", base + "es", base):
                if name in self._collections and name != child:
                    return self._collections[name]
        return None

    def foreign_key(self, parent: str, child: str) -> str:
        """The field of ``child`` items naming their ``parent``: the declared relation, else
        json-server's ``<singular>Id`` (``users`` -> ``userId``)."""
        spec = self.spec_of(parent)
        for rel in () if spec is None else spec.relations:
            if rel.child == child:
                return rel.foreign_key
        return singular(parent) + "Id"


def singular(name: str) -> str:
    """json-server's naive singular: ``users`` -> ``user``, ``boxes`` -> ``box``."""
    if name.endswith("ies") and len(name) > 3:
        return name[:-3] + "y"
    if name.endswith(("ses", "xes", "zes", "ches", "shes")):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name
