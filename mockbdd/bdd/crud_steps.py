"""Phrases 40-44: a service that keeps a CRUD collection (json-server style), seeded from a
table, and assertions on what the collection holds once the system under test has used it.

A cell is read as JSON when it is JSON (``7``, ``true``, ``null``, ``"7"``, ``[1, 2]``), else
as text; an empty cell leaves the field out. The collection is the namespace's, by name (the
admin API's ``/collections/{name}``)."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from mockbdd.bdd.scenario_mocks import ScenarioMocks, StepTable, StepUsageError, route_path
from mockbdd.bdd.steps_impl import step_stub

NAME = re.compile(r"[A-Za-z0-9_.-]+\Z")
POLL_S = 0.05


def _cell(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _rows(table: StepTable) -> list[dict[str, Any]]:
    if not table.headings or any(not h.strip() for h in table.headings):
        raise StepUsageError("the table's first row names the fields: | id | name |")
    return [
        {h.strip(): _cell(c.strip()) for h, c in zip(table.headings, row, strict=True) if c.strip()}
        for row in table.rows
    ]


def _name(collection: str) -> str:
    if not NAME.match(collection):
        raise StepUsageError(f"collection name {collection!r} must match [A-Za-z0-9_.-]+")
    return collection


def _serve(mocks: ScenarioMocks, service: str, collection: str, path: str, items: list[Any]) -> str:
    base = route_path(service, path).rstrip("/") or "/"
    mapping = step_stub(service, "ANY", path, response={
        "transformers": ["crud"],
        "transformerParameters": {"collection": _name(collection), "basePath": base},
    })  # fmt: skip
    del mapping["request"]["urlPath"]
    mapping["request"]["urlPathPattern"] = re.escape(base.rstrip("/")) + "(/[^/]+)?"
    mocks.admin.set_collection(collection, items)
    return str(mocks.admin.create_stub(mapping)["id"])


def serves_collection(
    mocks: ScenarioMocks, service: str, collection: str, path: str, table: StepTable
) -> str:
    """40: ``path`` (and ``path/<id>``) of ``service`` serve ``collection``, seeded with the
    table's rows."""
    return _serve(mocks, service, collection, path, _rows(table))


def serves_empty_collection(mocks: ScenarioMocks, service: str, collection: str, path: str) -> str:
    """41: as 40, with no items."""
    return _serve(mocks, service, collection, path, [])


def _items(mocks: ScenarioMocks, collection: str) -> list[dict[str, Any]]:
    return mocks.admin.collection(_name(collection))


def _subset(item: dict[str, Any], row: dict[str, Any]) -> bool:
    return all(k in item and item[k] == v for k, v in row.items())


def _shown(items: list[dict[str, Any]]) -> str:
    if not items:
        return "  (no items)"
    return "\n".join("  " + json.dumps(i, sort_keys=True) for i in items[:20]) + (
        f"\n  ... and {len(items) - 20} more" if len(items) > 20 else ""
    )


def _eventually(mocks: ScenarioMocks, collection: str, ok: Any) -> list[dict[str, Any]]:
    """The items once ``ok(items)`` holds, or the last ones read at the timeout."""
    deadline = time.monotonic() + mocks.settings.timeout
    while True:
        items = _items(mocks, collection)
        if ok(items) or time.monotonic() >= deadline:
            return items
        time.sleep(POLL_S)


def contains(mocks: ScenarioMocks, collection: str, table: StepTable) -> None:
    """42: every row matches an item (its fields a subset of the item's), each a different
    item; waits up to the assertion timeout."""
    rows = _rows(table)

    def missing(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        left = list(items)
        absent = []
        for row in rows:
            found = next((i for i in left if _subset(i, row)), None)
            if found is None:
                absent.append(row)
            else:
                left.remove(found)
        return absent

    items = _eventually(mocks, collection, lambda got: not missing(got))
    absent = missing(items)
    if absent:
        wanted = "\n".join("  " + json.dumps(r, sort_keys=True) for r in absent)
        raise AssertionError(
            f'the "{collection}" collection has no item matching:\n{wanted}\n'
            f"it holds {len(items)}:\n{_shown(items)}"
        )


def has_count(mocks: ScenarioMocks, collection: str, count: int) -> None:
    """43: exactly ``count`` items (waits up to the assertion timeout)."""
    items = _eventually(mocks, collection, lambda got: len(got) == count)
    if len(items) != count:
        raise AssertionError(
            f'the "{collection}" collection should have {count} item(s), it has '
            f"{len(items)}:\n{_shown(items)}"
        )


def lacks(mocks: ScenarioMocks, collection: str, field: str, value: str) -> None:
    """44: no item has ``field`` equal to ``value`` (read as a cell is), after the settle time."""
    time.sleep(mocks.settings.settle)
    wanted = _cell(value)
    items = _items(mocks, collection)
    found = [i for i in items if field in i and (i[field] == wanted or i[field] == value)]
    if found:
        raise AssertionError(
            f'the "{collection}" collection should have no item whose "{field}" is '
            f'"{value}", but has:\n{_shown(found)}'
        )
