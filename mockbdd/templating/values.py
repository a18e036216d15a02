"""The value types templates see: plain data with WireMock's renderings.

Each renders through ``__mb_text__`` (read by :func:`handlebars.to_text`) and may answer a
named lookup through ``__mb_get__``; neither exposes anything of Python to a template.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any


class BodyText(str):
    """``request.body``: the text, which also knows the request's parsed JSON (parsed once per
    request, and already when a body pattern read it), so ``jsonPath request.body ...`` does
    not parse it again per call. Nothing but the text is reachable from a template (the
    parsed document is behind an underscore name, which neither engine reads)."""

    def __new__(cls, text: str, body: Any) -> BodyText:
        made = super().__new__(cls, text)
        made._mb_body = body  # the request's Body: its ``json`` is parsed once, when first read
        return made

    _mb_body: Any


class ListOrSingle(tuple[Any, ...]):
    """WireMock's ``ListOrSingle``: a query parameter's or header's values; renders as the
    value when there is one, as ``[a, b]`` when there are several."""

    __slots__ = ()

    def __mb_text__(self) -> str:
        if not self:
            return ""
        first = self[0]
        if type(first) is str:
            return first
        from mockbdd.templating.handlebars import to_text

        return to_text(first)  # WireMock's ListOrSingle.toString: the first

    def __mb_lookup__(self, key: str | int) -> Any:
        """One step of a template path: an index, ``first`` or ``last``."""
        if type(key) is int:
            return self[key] if 0 <= key < len(self) else None
        return self.__mb_get__(key)

    def __mb_get__(self, key: str | int) -> Any:
        if key == "first":
            return self[0] if self else None
        if key == "last":
            return self[-1] if self else None
        return None

    def __str__(self) -> str:
        return self.__mb_text__()


class PathSegments(tuple[str, ...]):
    """``request.path`` / ``request.pathSegments``: the segments (``request.path.[0]``), the
    path parameters of a ``urlPathTemplate`` by name (``request.path.id``); renders as the path."""

    def __new__(cls, path: str, named: Mapping[str, str]) -> PathSegments:
        return super().__new__(cls, [s for s in path.split("/") if s])

    def __init__(self, path: str, named: Mapping[str, str]) -> None:
        self.text = path
        self.named = named

    def __mb_text__(self) -> str:
        return self.text

    def __mb_get__(self, key: str | int) -> Any:
        return self.named.get(str(key))

    def __mb_lookup__(self, key: str | int) -> Any:
        if isinstance(key, int):
            return self[key] if 0 <= key < len(self) else None
        return self.named.get(key)


class JsonMap(dict[str, Any]):
    """An object ``jsonPath`` selected: renders as JSON (WireMock's ``MapJsonData``)."""

    def __mb_text__(self) -> str:
        return pretty_json(to_plain(self))


class JsonList(list[Any]):
    """An array ``jsonPath`` selected: renders as compact JSON (as real WireMock 3.13.2 writes
    a JSONPath's list; ``toJson`` of a list is pretty)."""

    def __mb_text__(self) -> str:
        return json_text(to_plain(self))


class CaseInsensitive(Mapping[str, Any]):
    """Headers: looked up whatever the case (WireMock's TreeMap with CASE_INSENSITIVE_ORDER)."""

    __slots__ = ("_items", "_lower")

    def __init__(self, items: Mapping[str, Any]) -> None:
        self._items = dict(sorted(items.items(), key=lambda kv: kv[0].lower()))
        self._lower = {k.lower(): v for k, v in self._items.items()}

    def __getitem__(self, key: str) -> Any:
        return self._lower[str(key).lower()]

    def get(self, key: Any, default: Any = None) -> Any:
        return self._lower.get(str(key).lower(), default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


_UNMADE = ListOrSingle(("unmade",))  # a sentinel of the cache's own type


class LazyValues(Mapping[str, Any]):
    """Query parameters, headers or cookies as templates see them (``ListOrSingle`` each),
    made one name at a time when a template reads it: ``{{request.query.q}}`` wraps ``q``
    only, not every parameter. ``fold``: names looked up whatever the case (headers; listed
    in case-insensitive order with their received spelling, ``names``)."""

    __slots__ = ("_fold", "_made", "_names", "_source")

    def __init__(
        self,
        source: Mapping[str, Any],
        *,
        fold: bool = False,
        names: Mapping[str, str] | None = None,
    ) -> None:
        self._source = source
        self._fold = fold
        self._names = names if names is not None else {}  # a lazy view: not read until listed
        self._made: dict[str, ListOrSingle | None] = {}

    def _value(self, key: Any) -> ListOrSingle | None:
        name = str(key).lower() if self._fold else str(key)
        made = self._made.get(name, _UNMADE)
        if made is not _UNMADE:
            return made
        found = self._source.get(name)
        made = self._made[name] = None if found is None else ListOrSingle(found)
        return made

    def __getitem__(self, key: str) -> Any:
        value = self._value(key)
        if value is None:
            raise KeyError(key)
        return value

    def get(self, key: Any, default: Any = None) -> Any:
        value = self._value(key)
        return default if value is None else value

    def __mb_lookup__(self, key: str | int) -> Any:
        return self._value(key)

    def __contains__(self, key: object) -> bool:
        return self._value(key) is not None

    def __iter__(self) -> Iterator[str]:
        if not self._fold:
            return iter(self._source)
        return iter([self._names.get(k, k) for k in sorted(self._source, key=str.lower)])

    def __len__(self) -> int:
        return len(self._source)


def to_plain(value: Any) -> Any:
    """JSON-ready data: mappings to dicts, sequences to lists, ListOrSingle as rendered by
    Jackson (the value when single), dates and paths as text."""
    if isinstance(value, ListOrSingle):
        return to_plain(value[0]) if len(value) == 1 else [to_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if isinstance(value, PathSegments):
            return list(value)
        return [to_plain(v) for v in value]
    text = getattr(type(value), "__mb_text__", None)
    return text(value) if text is not None else None


def json_text(value: Any) -> str:
    """Compact JSON as Jackson writes it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def pretty_json(value: Any, depth: int = 0) -> str:
    """Jackson's default pretty printer, as WireMock's ``Json.write`` uses it: objects one
    member a line (``"k" : v``, two-space indent), arrays on one line (``[ 1, 2 ]``)."""
    pad = "  " * (depth + 1)
    if isinstance(value, dict):
        if not value:
            return "{ }"
        inner = ",\n".join(
            f"{pad}{json_text(str(k))} : {pretty_json(v, depth + 1)}" for k, v in value.items()
        )
        return "{\n" + inner + "\n" + "  " * depth + "}"
    if isinstance(value, list):
        if not value:
            return "[ ]"
        return "[ " + ", ".join(pretty_json(v, depth + 1) for v in value) + " ]"
    return json_text(value)
