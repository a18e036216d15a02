"""json-server's list queries over a collection, both conventions.

Classic (json-server 0.x): ``name=Ada`` (repeat for OR), ``age_gte=18``, ``age_lte``,
``name_ne``, ``name_like`` (a case-insensitive regex), ``q`` (full text), ``_sort=a,b`` with
``_order=asc,desc``, ``_page`` + ``_limit`` (default 10) or ``_start``/``_end``/``_limit``,
``_embed``, ``_expand``. v1 beta: ``_sort=-age`` (a minus for descending), ``age:gt=18``
(``lt``, ``lte``, ``gt``, ``gte``, ``ne``, ``eq``; ``age_gt`` too), and ``_page`` with
``_per_page``, answered as ``{first, prev, next, last, pages, items, data}``.

Equality filters and sorts use the collection's indexes (built once after a write), so a
filtered, sorted page of 10,000 items costs one index lookup and one pass over the sorted keys.
"""

from __future__ import annotations

import functools
import math
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

from mockbdd.domain.collections import Collection, CollectionError, field_value, id_key
from mockbdd.records import record

RESERVED = frozenset(
    (
        "_sort",
        "_order",
        "_page",
        "_limit",
        "_per_page",
        "_start",
        "_end",
        "_embed",
        "_expand",
        "q",
        "_dependent",
    )
)
_OPS = ("gte", "lte", "gt", "lt", "ne", "eq", "like")
MAX_LIKE = 200  # a ``_like`` pattern longer than this is refused
DEFAULT_LIMIT = 10


@record
class Condition:
    path: str
    op: str  # "eq" (any of values), gte, lte, gt, lt, ne, like
    values: tuple[str, ...]


@record
class Page:
    """Which slice: classic ``_page``/``_limit`` (Link header), v1 ``_per_page`` (envelope),
    or a plain ``_start``/``_end`` slice."""

    style: str  # "classic", "v1", "slice", "" (everything)
    page: int = 1
    size: int = DEFAULT_LIMIT
    start: int = 0
    end: int | None = None


@record
class Query:
    conditions: tuple[Condition, ...]
    text: str | None
    order: tuple[tuple[str, bool], ...]
    page: Page
    embed: tuple[str, ...]
    expand: tuple[str, ...]


def parse_query(params: Mapping[str, list[str]]) -> Query:
    """The query of a list request; :class:`CollectionError` (400) naming a bad parameter."""
    conditions: list[Condition] = []
    for name, values in params.items():
        if name in RESERVED or not values:
            continue
        path, op = _split_operator(name)
        if op == "like" and any(len(v) > MAX_LIKE for v in values):
            raise CollectionError(400, f"{name}: a pattern of at most {MAX_LIKE} characters")
        if op == "like":
            for v in values:
                _regex(v, name)
        conditions.append(Condition(path, op, tuple(values)))
    return Query(
        tuple(conditions),
        _last(params, "q"),
        _order(params),
        _page(params),
        tuple(_csv(params, "_embed")),
        tuple(_csv(params, "_expand")),
    )


def _split_operator(name: str) -> tuple[str, str]:
    if ":" in name:  # v1 beta: views:gt
        path, _, op = name.rpartition(":")
        if op in _OPS and path:
            return path, op
    for op in _OPS:
        suffix = "_" + op
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], op
    return name, "eq"


def _last(params: Mapping[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[-1] if values else None


def _csv(params: Mapping[str, list[str]], name: str) -> list[str]:
    return [part for v in params.get(name, ()) for part in v.split(",") if part]


def _order(params: Mapping[str, list[str]]) -> tuple[tuple[str, bool], ...]:
    fields = _csv(params, "_sort")
    orders = [o.lower() for o in _csv(params, "_order")]
    result = []
    for i, name in enumerate(fields):
        descending = name.startswith("-")
        name = name.lstrip("-")
        if i < len(orders):
            if orders[i] not in ("asc", "desc"):
                raise CollectionError(400, f"_order: {orders[i]!r} is not asc or desc")
            descending = orders[i] == "desc"
        if name:
            result.append((name, descending))
    return tuple(result)


def _whole(params: Mapping[str, list[str]], name: str, minimum: int) -> int | None:
    value = _last(params, name)
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise CollectionError(400, f"{name}: {value!r} is not a whole number >= {minimum}")
    return number


def _page(params: Mapping[str, list[str]]) -> Page:
    page = _whole(params, "_page", 1)
    per_page = _whole(params, "_per_page", 1)
    limit = _whole(params, "_limit", 0)
    if page is not None and per_page is not None:
        return Page("v1", page, per_page)
    if page is not None:
        return Page("classic", page, DEFAULT_LIMIT if limit is None else limit)
    if per_page is not None:
        return Page("v1", 1, per_page)
    start = _whole(params, "_start", 0)
    end = _whole(params, "_end", 0)
    if start is None and end is None and limit is None:
        return Page("")
    first = start or 0
    if end is None and limit is not None:
        end = first + limit
    return Page("slice", start=first, end=end)


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error:
        return None


def _regex(pattern: str, name: str) -> re.Pattern[str]:
    compiled = _compiled(pattern)
    if compiled is None:
        raise CollectionError(400, f"{name}: {pattern!r} is not a regular expression")
    return compiled


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


_ORDERING: dict[str, Callable[[Any, Any], bool]] = {
    "gte": operator.ge,
    "lte": operator.le,
    "gt": operator.gt,
    "lt": operator.lt,
    "eq": operator.eq,
}


def _predicate(op: str, wanted: str) -> Callable[[Any], bool]:
    """A field's test against ``wanted`` (query text), made once per condition, compared as
    json-server compares: numerically when both are numbers, else as text."""
    if op == "like":
        regex = _regex(wanted, "like")
        return lambda value: value is not None and regex.search(str(value)) is not None
    if op == "ne":
        return lambda value: (
            wanted not in value if isinstance(value, list) else id_key(value) != wanted
        )
    number = _number(wanted)
    compare = _ORDERING[op]

    def test(value: Any) -> bool:
        if value is None or isinstance(value, dict | list):
            return False
        if number is not None and type(value) in (int, float):
            return compare(value, number)
        return compare(id_key(value), wanted)

    return test


def _matches_text(value: Any, text: str) -> bool:
    if isinstance(value, str):
        return text in value.lower()
    if isinstance(value, dict):
        return any(_matches_text(v, text) for v in value.values())
    if isinstance(value, list):
        return any(_matches_text(v, text) for v in value)
    return value is not None and text in str(value).lower()


@record
class Listing:
    items: list[dict[str, Any]]
    total: int  # before paging


def run_query(collection: Collection, query: Query) -> Listing:
    """The items ``query`` selects (references to the stored items: copy before changing)."""
    candidates: frozenset[str] | None = None
    for cond in (c for c in query.conditions if c.op == "eq"):
        keys = (
            collection.equal_set(cond.path, cond.values[0])
            if len(cond.values) == 1
            else frozenset().union(*(collection.equal_set(cond.path, v) for v in cond.values))
        )
        candidates = keys if candidates is None else candidates & keys
        if not candidates:
            return Listing([], 0)
    if candidates is None:  # () is insertion order
        keys_in_order = collection.sorted_keys(query.order)
    elif len(candidates) * 4 < len(collection):  # a few: sort them by their rank
        keys_in_order = sorted(candidates, key=collection.ranks(query.order).__getitem__)
    else:
        keys_in_order = [k for k in collection.sorted_keys(query.order) if k in candidates]
    by_key = collection.by_key
    items = [by_key[k] for k in keys_in_order]
    for cond in query.conditions:
        if cond.op == "eq":
            continue
        tests = [_predicate(cond.op, v) for v in cond.values]
        path = cond.path
        if cond.op == "ne":  # none of the values
            items = [i for i in items if all(t(field_value(i, path)) for t in tests)]
        elif len(tests) == 1:
            test = tests[0]
            items = [i for i in items if test(field_value(i, path))]
        else:
            items = [i for i in items if any(t(field_value(i, path)) for t in tests)]
    if query.text:
        text = query.text.lower()
        items = [i for i in items if _matches_text(i, text)]
    return Listing(items, len(items))


def page_of(listing: Listing, page: Page) -> list[dict[str, Any]]:
    if page.style in ("classic", "v1"):
        first = (page.page - 1) * page.size
        return listing.items[first : first + page.size]
    if page.style == "slice":
        return listing.items[page.start : page.end]
    return listing.items


def page_count(total: int, size: int) -> int:
    return max(1, math.ceil(total / size)) if size > 0 else 1
