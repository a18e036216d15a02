"""WireMock pattern JSON → domain content patterns, through the registry's content operators.

Stricter than WireMock where WireMock silently ignores input: exactly one operator per object,
only that operator's options, and typed values; every error names the pointer and the key.
The built-in operators are in ``wire/operators.py`` and register like a plugin's. The kind and
the :class:`Operator` entry are declared in ``wire/content_operators.py``, so that a server names
the built-ins at start-up without this module, and are re-exported here; what a builder gets
(:class:`OperatorContext`) is here. This module and the built-ins load with the first pattern
decoded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockbdd.domain.clock import Clock, utc_now
from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.patterns import ContentPattern, MultiValuePattern
from mockbdd.domain.patterns_multi import HasExactlyPattern, IncludesPattern, SingleValueAdapter
from mockbdd.extensions import Extensions
from mockbdd.records import record
from mockbdd.wire.content_operators import CONTENT_OPERATORS, Builder, Operator
from mockbdd.wire.errors import unknown_name

# the patterns of content_operators.MULTI_VALUE
_MULTI = {"hasExactly": HasExactlyPattern, "includes": IncludesPattern}
_UNSUPPORTED = frozenset({"matchesPathTemplate"})


@record
class _Table:
    """The operators of one Extensions, with what error messages list (built once)."""

    operators: Mapping[str, Operator]
    known: str
    all_options: frozenset[str]

    @staticmethod
    def of(extensions: Extensions) -> _Table:
        operators = dict(sorted(extensions.items(CONTENT_OPERATORS)))
        options = frozenset(name for op in operators.values() for name in op.options)
        return _Table(operators, ", ".join(operators), options)


@record
class OperatorContext:
    """What a builder gets besides the JSON: where the pattern is, the clock date-time
    patterns read, and :meth:`pattern` for nested patterns (``not``, ``and``)."""

    pointer: str
    clock: Clock
    _table: _Table

    def child(self, *parts: str | int) -> str:
        escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in parts)
        return "/".join([self.pointer, *escaped])

    def pattern(self, obj: object, *parts: str | int) -> ContentPattern:
        """Decode a nested pattern found at ``parts`` below this one."""
        return _parse(obj, OperatorContext(self.child(*parts), self.clock, self._table))


def kind_of(value: object) -> str:
    """How errors name a JSON value's type: "a string", "an array", ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput("", f"{name} must be a string, got {kind_of(value)}")
    return value


_KIND_NAMES: dict[type, str] = {bool: "a boolean", str: "a string", int: "an integer"}


def option(obj: Mapping[str, Any], name: str, kind: type, default: Any = None) -> Any:
    """The option ``name`` of a pattern object, of type ``kind`` (bool, str or int)."""
    if name not in obj:
        return default
    value = obj[name]
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise InvalidInput("", f"{name} must be {_KIND_NAMES[kind]}, got {kind_of(value)}")
    return value


def patterns(value: Any, ctx: OperatorContext, key: str) -> tuple[ContentPattern, ...]:
    """A non-empty array of nested patterns under ``key`` (``and``, ``hasExactly``)."""
    if not isinstance(value, list) or not value:
        got = "an empty array" if value == [] else kind_of(value)
        raise InvalidInput("", f"{key} must be a non-empty array of patterns, got {got}")
    return tuple(ctx.pattern(item, key, i) for i, item in enumerate(value))


def _suggest(name: str, candidates: list[str]) -> str:
    import difflib  # only when a close name is wanted (idle RSS)

    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.7)
    return f", did you mean {close[0]!r}?" if close else ""


def _no_operator(obj: Mapping[str, Any], table: _Table) -> InvalidInput:
    if not obj:
        return InvalidInput("", f"empty pattern: expected one operator (known: {table.known})")
    for key in obj:
        if key in _UNSUPPORTED:
            return InvalidInput("", f"operator {key!r} is not supported by mockbdd")
        if key in _MULTI:
            return InvalidInput(
                "",
                f"{key!r} matches several values: it is allowed for headers, query parameters, "
                "cookies and form parameters only",
            )
    unknown = [k for k in obj if k not in table.all_options]
    if not unknown:
        first = next(iter(obj))
        return InvalidInput("", f"option {first!r} needs an operator (known: {table.known})")
    return InvalidInput("", unknown_name(CONTENT_OPERATORS.label, unknown[0], table.operators))


def _build(obj: Any, ctx: OperatorContext) -> ContentPattern:
    if not isinstance(obj, dict):
        raise InvalidInput(
            "", f'a pattern must be an object like {{"equalTo": "…"}}, got {kind_of(obj)}'
        )
    table = ctx._table
    operators = [k for k in obj if k in table.operators]
    if not operators:
        raise _no_operator(obj, table)
    if len(operators) > 1:
        listed = ", ".join(repr(k) for k in operators)
        raise InvalidInput("", f"one operator per pattern, got {listed} (combine them with and/or)")
    key = operators[0]
    operator = table.operators[key]
    for name in obj:
        if name != key and name not in operator.options:
            allowed = ", ".join(operator.options) or "none"
            hint = _suggest(name, list(operator.options))
            raise InvalidInput("", f"unknown option {name!r} for {key}{hint} (allowed: {allowed})")
    try:
        return operator.build(obj[key], obj, ctx)
    except InvalidInput:
        raise
    except ValueError as exc:  # a plugin's builder may refuse with a plain ValueError
        raise InvalidInput("", str(exc)) from None


def _parse(obj: object, ctx: OperatorContext) -> ContentPattern:
    try:
        return _build(obj, ctx)
    except InvalidInput as exc:
        if exc.pointer:  # raised, and located, by a nested pattern
            raise
        raise InvalidInput(ctx.pointer, exc.reason) from None


def parse_content_pattern(
    obj: object, pointer: str, *, extensions: Extensions, clock: Clock | None = None
) -> ContentPattern:
    """Decode one pattern object, e.g. ``{"equalTo": "x", "caseInsensitive": true}``, with the
    operators registered in ``extensions``.

    ``pointer`` locates ``obj`` in the mapping; nested patterns get nested pointers.
    """
    table = extensions.derived(_Table.of)
    return _parse(obj, OperatorContext(pointer, clock or utc_now, table))


def parse_multi_value_pattern(
    obj: object, pointer: str, *, extensions: Extensions, clock: Clock | None = None
) -> MultiValuePattern:
    """Decode a header/query/cookie/form pattern: ``hasExactly``/``includes`` or a plain pattern."""
    if isinstance(obj, dict):
        multi = [k for k in obj if k in _MULTI]
        if multi:
            key = multi[0]
            if len(obj) != 1:
                others = ", ".join(repr(k) for k in obj if k != key)
                raise InvalidInput(pointer, f"{key} takes no other keys, got {others}")
            ctx = OperatorContext(pointer, clock or utc_now, extensions.derived(_Table.of))
            try:
                return _MULTI[key](patterns(obj[key], ctx, key))
            except InvalidInput as exc:
                if exc.pointer:
                    raise
                raise InvalidInput(pointer, exc.reason) from None
    return SingleValueAdapter(
        parse_content_pattern(obj, pointer, extensions=extensions, clock=clock)
    )


__all__ = [
    "CONTENT_OPERATORS",
    "Builder",
    "Operator",
    "OperatorContext",
    "kind_of",
    "option",
    "parse_content_pattern",
    "parse_multi_value_pattern",
    "patterns",
    "text",
]
