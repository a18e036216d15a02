"""WireMock pattern JSON → domain content patterns, through one registry of operator builders.

Stricter than WireMock where WireMock silently ignores input: exactly one operator per object,
only that operator's options, and typed values; every error names the pointer and the key.
"""

from __future__ import annotations

import base64
import difflib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.patterns import (
    AbsentPattern,
    AndPattern,
    AnythingPattern,
    BinaryEqualToPattern,
    ContainsPattern,
    ContentPattern,
    DoesNotContainPattern,
    DoesNotMatchPattern,
    EqualToNumberPattern,
    EqualToPattern,
    GreaterThanNumberPattern,
    GreaterThanOrEqualNumberPattern,
    LessThanNumberPattern,
    LessThanOrEqualNumberPattern,
    MatchesPattern,
    MultiValuePattern,
    NotPattern,
    NumberPattern,
    OrPattern,
    parse_number,
)
from mockbdd.domain.patterns_datetime import (
    AfterDateTimePattern,
    BeforeDateTimePattern,
    Clock,
    DateTimePattern,
    EqualToDateTimePattern,
    utc_now,
)
from mockbdd.domain.patterns_json import (
    EqualToJsonPattern,
    MatchesJsonPathPattern,
    MatchesJsonSchemaPattern,
)
from mockbdd.domain.patterns_multi import HasExactlyPattern, IncludesPattern, SingleValueAdapter


@dataclass(frozen=True, slots=True)
class _Context:
    pointer: str
    clock: Clock

    def child(self, *parts: str | int) -> str:
        escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in parts)
        return "/".join([self.pointer, *escaped])


_Builder = Callable[[Any, Mapping[str, Any], _Context], ContentPattern]


@dataclass(frozen=True, slots=True)
class _Operator:
    build: _Builder
    options: tuple[str, ...] = ()


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput("", f"{name} must be a string, got {_kind(value)}")
    return value


_KIND_NAMES: dict[type, str] = {bool: "a boolean", str: "a string", int: "an integer"}


def _option(obj: Mapping[str, Any], name: str, kind: type, default: Any = None) -> Any:
    if name not in obj:
        return default
    value = obj[name]
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise InvalidInput("", f"{name} must be {_KIND_NAMES[kind]}, got {_kind(value)}")
    return value


def _json_operand(value: Any, name: str) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError as exc:
        raise InvalidInput("", f"{name} is not valid JSON: {exc}") from None


def _patterns(value: Any, ctx: _Context, key: str) -> tuple[ContentPattern, ...]:
    if not isinstance(value, list) or not value:
        got = "an empty array" if value == [] else _kind(value)
        raise InvalidInput("", f"{key} must be a non-empty array of patterns, got {got}")
    return tuple(
        parse_content_pattern(item, ctx.child(key, i), clock=ctx.clock)
        for i, item in enumerate(value)
    )


def _string_operator(cls: Callable[[str], ContentPattern], key: str) -> _Operator:
    return _Operator(lambda value, obj, ctx: cls(_text(value, key)))


def _absent(value: Any, obj: Mapping[str, Any], ctx: _Context) -> ContentPattern:
    if value is not True:
        raise InvalidInput("", f"absent must be true, got {json.dumps(value)}")
    return AbsentPattern()


def _equal_to(value: Any, obj: Mapping[str, Any], ctx: _Context) -> ContentPattern:
    return EqualToPattern(_text(value, "equalTo"), _option(obj, "caseInsensitive", bool, False))


def _equal_to_json(value: Any, obj: Mapping[str, Any], ctx: _Context) -> ContentPattern:
    return EqualToJsonPattern(
        _json_operand(value, "equalToJson"),
        _option(obj, "ignoreArrayOrder", bool, False),
        _option(obj, "ignoreExtraElements", bool, False),
    )


def _matches_json_path(value: Any, obj: Mapping[str, Any], ctx: _Context) -> ContentPattern:
    if isinstance(value, str):
        return MatchesJsonPathPattern(value)
    if not isinstance(value, dict):
        raise InvalidInput("", f"matchesJsonPath must be a string or an object, got {_kind(value)}")
    if "expression" not in value:
        raise InvalidInput("", "matchesJsonPath needs an 'expression' in its object form")
    expression = _text(value["expression"], "matchesJsonPath expression")
    rest = {k: v for k, v in value.items() if k != "expression"}
    sub = (
        parse_content_pattern(rest, ctx.child("matchesJsonPath"), clock=ctx.clock) if rest else None
    )
    return MatchesJsonPathPattern(expression, sub)


def _matches_json_schema(value: Any, obj: Mapping[str, Any], ctx: _Context) -> ContentPattern:
    schema = _json_operand(value, "matchesJsonSchema")
    if not isinstance(schema, (dict, bool)):
        raise InvalidInput("", f"matchesJsonSchema must be a schema object, got {_kind(schema)}")
    return MatchesJsonSchemaPattern(schema, _option(obj, "schemaVersion", str, "V202012"))


def _binary(value: Any, obj: Mapping[str, Any], ctx: _Context) -> ContentPattern:
    text = _text(value, "binaryEqualTo")
    try:
        return BinaryEqualToPattern(base64.b64decode(text, validate=True))
    except ValueError as exc:  # binascii.Error, or non-ASCII text
        raise InvalidInput("", f"binaryEqualTo is not valid base64: {exc}") from None


def _number_operator(cls: Callable[[Decimal], NumberPattern], key: str) -> _Operator:
    def build(value: Any, obj: Mapping[str, Any], ctx: _Context) -> ContentPattern:
        number: Decimal | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = Decimal(value)
        elif isinstance(value, float) and math.isfinite(value):
            number = Decimal(repr(value))
        elif isinstance(value, str):
            number = parse_number(value)
        if number is None:
            raise InvalidInput("", f"{key} must be a number, got {json.dumps(value)}")
        return cls(number)

    return _Operator(build)


_DATE_OPTIONS = (
    "actualFormat",
    "truncateExpected",
    "truncateActual",
    "expectedOffset",
    "expectedOffsetUnit",
    "applyTruncationLast",
)


def _date_operator(cls: Callable[..., DateTimePattern], key: str) -> _Operator:
    def build(value: Any, obj: Mapping[str, Any], ctx: _Context) -> ContentPattern:
        return cls(
            _text(value, key),
            _option(obj, "actualFormat", str),
            _option(obj, "truncateExpected", str),
            _option(obj, "truncateActual", str),
            _option(obj, "expectedOffset", int),
            _option(obj, "expectedOffsetUnit", str),
            _option(obj, "applyTruncationLast", bool, False),
            clock=ctx.clock,
        )

    return _Operator(build, _DATE_OPTIONS)


OPERATORS: Mapping[str, _Operator] = {
    "absent": _Operator(_absent),
    "after": _date_operator(AfterDateTimePattern, "after"),
    "and": _Operator(lambda v, o, ctx: AndPattern(_patterns(v, ctx, "and"))),
    "anything": _Operator(lambda v, o, ctx: AnythingPattern()),
    "before": _date_operator(BeforeDateTimePattern, "before"),
    "binaryEqualTo": _Operator(_binary),
    "contains": _string_operator(ContainsPattern, "contains"),
    "doesNotContain": _string_operator(DoesNotContainPattern, "doesNotContain"),
    "doesNotMatch": _string_operator(DoesNotMatchPattern, "doesNotMatch"),
    "equalTo": _Operator(_equal_to, ("caseInsensitive",)),
    "equalToDateTime": _date_operator(EqualToDateTimePattern, "equalToDateTime"),
    "equalToJson": _Operator(_equal_to_json, ("ignoreArrayOrder", "ignoreExtraElements")),
    "equalToNumber": _number_operator(EqualToNumberPattern, "equalToNumber"),
    "greaterThanNumber": _number_operator(GreaterThanNumberPattern, "greaterThanNumber"),
    "greaterThanOrEqualNumber": _number_operator(
        GreaterThanOrEqualNumberPattern, "greaterThanOrEqualNumber"
    ),
    "lessThanNumber": _number_operator(LessThanNumberPattern, "lessThanNumber"),
    "lessThanOrEqualNumber": _number_operator(
        LessThanOrEqualNumberPattern, "lessThanOrEqualNumber"
    ),
    "matches": _string_operator(MatchesPattern, "matches"),
    "matchesJsonPath": _Operator(_matches_json_path),
    "matchesJsonSchema": _Operator(_matches_json_schema, ("schemaVersion",)),
    "not": _Operator(
        lambda v, o, ctx: NotPattern(parse_content_pattern(v, ctx.child("not"), clock=ctx.clock))
    ),
    "or": _Operator(lambda v, o, ctx: OrPattern(_patterns(v, ctx, "or"))),
}
_KNOWN = ", ".join(sorted(OPERATORS))
_ALL_OPTIONS = frozenset(name for op in OPERATORS.values() for name in op.options)
_UNSUPPORTED = frozenset({"equalToXml", "matchesXPath", "matchesPathTemplate"})
_MULTI = {"hasExactly": HasExactlyPattern, "includes": IncludesPattern}


def _suggest(name: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.7)
    return f", did you mean {close[0]!r}?" if close else ""


def _no_operator(obj: Mapping[str, Any]) -> InvalidInput:
    if not obj:
        return InvalidInput("", f"empty pattern: expected one operator (known: {_KNOWN})")
    for key in obj:
        if key in _UNSUPPORTED:
            return InvalidInput("", f"operator {key!r} is not supported by mockbdd")
        if key in _MULTI:
            return InvalidInput(
                "",
                f"{key!r} matches several values: it is allowed for headers, query parameters, "
                "cookies and form parameters only",
            )
    unknown = [k for k in obj if k not in _ALL_OPTIONS]
    if not unknown:
        first = next(iter(obj))
        return InvalidInput("", f"option {first!r} needs an operator (known: {_KNOWN})")
    hint = _suggest(unknown[0], sorted(OPERATORS))
    return InvalidInput("", f"unknown operator {unknown[0]!r}{hint} (known: {_KNOWN})")


def _build(obj: Any, ctx: _Context) -> ContentPattern:
    if not isinstance(obj, dict):
        raise InvalidInput(
            "", f'a pattern must be an object like {{"equalTo": "…"}}, got {_kind(obj)}'
        )
    operators = [k for k in obj if k in OPERATORS]
    if not operators:
        raise _no_operator(obj)
    if len(operators) > 1:
        listed = ", ".join(repr(k) for k in operators)
        raise InvalidInput("", f"one operator per pattern, got {listed} (combine them with and/or)")
    key = operators[0]
    operator = OPERATORS[key]
    for name in obj:
        if name != key and name not in operator.options:
            allowed = ", ".join(operator.options) or "none"
            hint = _suggest(name, list(operator.options))
            raise InvalidInput("", f"unknown option {name!r} for {key}{hint} (allowed: {allowed})")
    return operator.build(obj[key], obj, ctx)


def parse_content_pattern(
    obj: object, pointer: str, *, clock: Clock | None = None
) -> ContentPattern:
    """Decode one pattern object, e.g. ``{"equalTo": "x", "caseInsensitive": true}``.

    ``pointer`` locates ``obj`` in the mapping; nested patterns get nested pointers.
    """
    try:
        return _build(obj, _Context(pointer, clock or utc_now))
    except InvalidInput as exc:
        if exc.pointer:  # raised, and located, by a nested pattern
            raise
        raise InvalidInput(pointer, exc.reason) from None


def parse_multi_value_pattern(
    obj: object, pointer: str, *, clock: Clock | None = None
) -> MultiValuePattern:
    """Decode a header/query/cookie/form pattern: ``hasExactly``/``includes`` or a plain pattern."""
    if isinstance(obj, dict):
        multi = [k for k in obj if k in _MULTI]
        if multi:
            key = multi[0]
            if len(obj) != 1:
                others = ", ".join(repr(k) for k in obj if k != key)
                raise InvalidInput(pointer, f"{key} takes no other keys, got {others}")
            ctx = _Context(pointer, clock or utc_now)
            try:
                return _MULTI[key](_patterns(obj[key], ctx, key))
            except InvalidInput as exc:
                if exc.pointer:
                    raise
                raise InvalidInput(pointer, exc.reason) from None
    return SingleValueAdapter(parse_content_pattern(obj, pointer, clock=clock))


__all__ = ["OPERATORS", "parse_content_pattern", "parse_multi_value_pattern"]
