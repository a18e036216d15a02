"""CRUD collections on the wire: ``{"items": [...], "schema"?, "idField"?, "relations"?}``
(the admin API, ``POST /namespaces {"collections": ...}`` and tag maps' ``collections:``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockbdd.domain.collections import Collection, CollectionSpec, Relation
from mockbdd.domain.errors import InvalidInput, unknown_field
from mockbdd.domain.namespace import InitialCollection

COLLECTION_FIELDS = ("items", "schema", "idField", "relations")
NAME_CHARS = "A-Za-z0-9_.-"


def _name_ok(name: str) -> bool:
    return bool(name) and all(c.isalnum() or c in "_.-" for c in name) and name.isascii()


def parse_collection(
    name: str, value: Any, pointer: str, keep: CollectionSpec | None = None
) -> InitialCollection:
    """One collection: a list (its items; the spec of ``keep`` or the defaults) or an object
    with ``items`` and the spec. Every item is checked against the schema here."""
    if not _name_ok(name):
        raise InvalidInput(pointer, f"collection name {name!r} must match [{NAME_CHARS}]+")
    if isinstance(value, list):
        spec = keep if keep is not None else CollectionSpec(name)
        items: Any = value
    elif isinstance(value, Mapping):
        unknown = sorted(set(value) - set(COLLECTION_FIELDS))
        if unknown:
            raise InvalidInput(
                f"{pointer}/{unknown[0]}",
                unknown_field(unknown[0], COLLECTION_FIELDS),
            )
        spec = _spec(name, value, pointer)
        items = value.get("items", [])
        if not isinstance(items, list):
            raise InvalidInput(f"{pointer}/items", "must be a list of JSON objects")
    else:
        raise InvalidInput(
            pointer, "must be a list of items or {items, schema, idField, relations}"
        )
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise InvalidInput(f"{pointer}/items/{i}", "must be a JSON object")
    from mockbdd.domain.collections import CollectionError

    try:
        Collection(spec, items)  # every item checked now: nothing half-applied later
    except CollectionError as exc:
        raise InvalidInput(f"{pointer}/items{exc.pointer}", exc.reason) from None
    return InitialCollection(spec, tuple(items))


def _spec(name: str, value: Mapping[str, Any], pointer: str) -> CollectionSpec:
    id_field = value.get("idField", "id")
    if not isinstance(id_field, str) or not id_field:
        raise InvalidInput(f"{pointer}/idField", "must be a field name such as 'id'")
    schema = value.get("schema")
    if schema is not None and not isinstance(schema, Mapping):
        raise InvalidInput(f"{pointer}/schema", "must be a JSON Schema (an object)")
    relations = _relations(value.get("relations", {}), f"{pointer}/relations")
    try:
        return CollectionSpec(name, id_field, None if schema is None else dict(schema), relations)
    except Exception as exc:  # jsonschema.SchemaError: the schema itself is not valid
        message = getattr(exc, "message", str(exc))
        raise InvalidInput(f"{pointer}/schema", f"not a valid JSON Schema: {message}") from None


def _relations(raw: Any, pointer: str) -> tuple[Relation, ...]:
    if not isinstance(raw, Mapping):
        raise InvalidInput(
            pointer, "must map child collections to their foreign key: {orders: userId}"
        )
    relations = []
    for child, how in raw.items():
        where = f"{pointer}/{child}"
        if not _name_ok(str(child)):
            raise InvalidInput(where, f"collection name {child!r} must match [{NAME_CHARS}]+")
        if isinstance(how, str) and how:
            relations.append(Relation(str(child), how))
            continue
        if not isinstance(how, Mapping):
            raise InvalidInput(where, "a foreign key ('userId') or {foreignKey, cascade}")
        extra = sorted(set(how) - {"foreignKey", "cascade"})
        if extra:
            raise InvalidInput(
                f"{where}/{extra[0]}", unknown_field(extra[0], ("foreignKey", "cascade"))
            )
        key, cascade = how.get("foreignKey"), how.get("cascade", False)
        if not isinstance(key, str) or not key:
            raise InvalidInput(
                f"{where}/foreignKey", "required: the child's field naming its parent"
            )
        if not isinstance(cascade, bool):
            raise InvalidInput(f"{where}/cascade", "must be true or false")
        relations.append(Relation(str(child), key, cascade))
    return tuple(relations)


def parse_collections(value: Any, pointer: str) -> tuple[InitialCollection, ...]:
    """``{name: collection}``."""
    if not isinstance(value, Mapping):
        raise InvalidInput(pointer, "must map collection names to collections")
    return tuple(parse_collection(str(k), v, f"{pointer}/{k}") for k, v in value.items())


def spec_json(spec: CollectionSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"idField": spec.id_field}
    if spec.schema is not None:
        out["schema"] = spec.schema
    if spec.relations:
        out["relations"] = {
            r.child: {"foreignKey": r.foreign_key, "cascade": True} if r.cascade else r.foreign_key
            for r in spec.relations
        }
    return out


def collection_json(collection: Collection) -> dict[str, Any]:
    return {
        "name": collection.spec.name,
        **spec_json(collection.spec),
        "total": len(collection),
        "items": collection.items_copy(),
    }
