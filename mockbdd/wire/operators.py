"""The built-in content operators (WireMock's StringValuePattern keys), registered like a
plugin's: one :class:`Operator` entry per key. The date, JSON and XML patterns (and what they
load: date parsing, JSONPath, JSON Schema, expat) are imported when a stub first uses one, not at start."""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

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
    NotPattern,
    NumberPattern,
    OrPattern,
    parse_number,
)
from mockbdd.wire.patterns import (
    Operator,
    OperatorContext,
    kind_of,
    option,
    patterns,
    text,
)

if TYPE_CHECKING:
    from mockbdd.domain.patterns_datetime import DateTimePattern

# JSON Schemas of the operators' values, for ``mockbdd schema``
PATTERN = {"$ref": "#/$defs/ContentPattern"}
PATTERNS = {"type": "array", "minItems": 1, "items": PATTERN}
_STRING = {"type": "string"}
_BOOL = {"type": "boolean"}
_NUMBER = {"anyOf": [{"type": "number"}, {"type": "string"}]}
_JSON_OR_TEXT: dict[str, Any] = {}  # any JSON value, or the JSON as a string
_NAMESPACES = {"type": "object", "additionalProperties": _STRING}  # prefix -> namespace URI
_DATE_OPTION_SCHEMAS = {
    "actualFormat": _STRING,
    "truncateExpected": _STRING,
    "truncateActual": _STRING,
    "expectedOffset": {"type": "integer"},
    "expectedOffsetUnit": _STRING,
    "applyTruncationLast": _BOOL,
}


def _json_operand(value: Any, name: str) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError as exc:
        raise InvalidInput("", f"{name} is not valid JSON: {exc}") from None


def _string_operator(cls: Callable[[str], ContentPattern], key: str) -> Operator:
    return Operator(lambda value, obj, ctx: cls(text(value, key)), value_schema=_STRING)


def _absent(value: Any, obj: Mapping[str, Any], ctx: OperatorContext) -> ContentPattern:
    if value is not True:
        raise InvalidInput("", f"absent must be true, got {json.dumps(value)}")
    return AbsentPattern()


def _equal_to(value: Any, obj: Mapping[str, Any], ctx: OperatorContext) -> ContentPattern:
    return EqualToPattern(text(value, "equalTo"), option(obj, "caseInsensitive", bool, False))


def _equal_to_json(value: Any, obj: Mapping[str, Any], ctx: OperatorContext) -> ContentPattern:
    from mockbdd.domain.patterns_json import EqualToJsonPattern

    return EqualToJsonPattern(
        _json_operand(value, "equalToJson"),
        option(obj, "ignoreArrayOrder", bool, False),
        option(obj, "ignoreExtraElements", bool, False),
    )


def _matches_json_path(value: Any, obj: Mapping[str, Any], ctx: OperatorContext) -> ContentPattern:
    from mockbdd.domain.patterns_json import MatchesJsonPathPattern

    if isinstance(value, str):
        return MatchesJsonPathPattern(value)
    if not isinstance(value, dict):
        raise InvalidInput(
            "", f"matchesJsonPath must be a string or an object, got {kind_of(value)}"
        )
    if "expression" not in value:
        raise InvalidInput("", "matchesJsonPath needs an 'expression' in its object form")
    expression = text(value["expression"], "matchesJsonPath expression")
    rest = {k: v for k, v in value.items() if k != "expression"}
    sub = ctx.pattern(rest, "matchesJsonPath") if rest else None
    return MatchesJsonPathPattern(expression, sub)


def _matches_xpath(value: Any, obj: Mapping[str, Any], ctx: OperatorContext) -> ContentPattern:
    """WireMock's forms: ``"//a"``, or ``{"expression": "//a", <a value pattern>}``; and
    ``xPathNamespaces`` next to it (WireMock finds it inside the object form too)."""
    from mockbdd.domain.patterns_xpath import MatchesXPathPattern

    outer = obj.get("xPathNamespaces")
    if isinstance(value, str):
        return MatchesXPathPattern(value, _namespaces(outer, "xPathNamespaces"))
    if not isinstance(value, dict):
        raise InvalidInput("", f"matchesXPath must be a string or an object, got {kind_of(value)}")
    if "expression" not in value:
        raise InvalidInput("", "matchesXPath needs an 'expression' in its object form")
    expression = text(value["expression"], "matchesXPath expression")
    inner = value.get("xPathNamespaces")
    namespaces = _namespaces(outer if outer is not None else inner, "xPathNamespaces")
    rest = {k: v for k, v in value.items() if k not in ("expression", "xPathNamespaces")}
    sub = ctx.pattern(rest, "matchesXPath") if rest else None
    return MatchesXPathPattern(expression, namespaces, sub)


def _namespaces(value: Any, name: str) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise InvalidInput(
            "", f"{name} must be an object of prefixes and URIs, got {kind_of(value)}"
        )
    for prefix, uri in value.items():
        if not isinstance(uri, str):
            raise InvalidInput(
                "", f"{name}/{prefix} must be a string (a namespace URI), got {kind_of(uri)}"
            )
    return tuple(sorted(value.items()))


def _matches_json_schema(
    value: Any, obj: Mapping[str, Any], ctx: OperatorContext
) -> ContentPattern:
    from mockbdd.domain.patterns_json import MatchesJsonSchemaPattern

    schema = _json_operand(value, "matchesJsonSchema")
    if not isinstance(schema, (dict, bool)):
        raise InvalidInput("", f"matchesJsonSchema must be a schema object, got {kind_of(schema)}")
    return MatchesJsonSchemaPattern(schema, option(obj, "schemaVersion", str, "V202012"))


def _binary(value: Any, obj: Mapping[str, Any], ctx: OperatorContext) -> ContentPattern:
    encoded = text(value, "binaryEqualTo")
    try:
        return BinaryEqualToPattern(base64.b64decode(encoded, validate=True))
    except ValueError as exc:  # binascii.Error, or non-ASCII text
        raise InvalidInput("", f"binaryEqualTo is not valid base64: {exc}") from None


def _number_operator(cls: Callable[[Decimal], NumberPattern], key: str) -> Operator:
    def build(value: Any, obj: Mapping[str, Any], ctx: OperatorContext) -> ContentPattern:
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

    return Operator(build, value_schema=_NUMBER)


_DATE_OPTIONS = (
    "actualFormat",
    "truncateExpected",
    "truncateActual",
    "expectedOffset",
    "expectedOffsetUnit",
    "applyTruncationLast",
)


def _date_operator(pattern: str, key: str) -> Operator:
    """``pattern``: the class name in :mod:`mockbdd.domain.patterns_datetime`."""

    def build(value: Any, obj: Mapping[str, Any], ctx: OperatorContext) -> ContentPattern:
        from mockbdd.domain import patterns_datetime

        cls: Callable[..., DateTimePattern] = getattr(patterns_datetime, pattern)
        return cls(
            text(value, key),
            option(obj, "actualFormat", str),
            option(obj, "truncateExpected", str),
            option(obj, "truncateActual", str),
            option(obj, "expectedOffset", int),
            option(obj, "expectedOffsetUnit", str),
            option(obj, "applyTruncationLast", bool, False),
            clock=ctx.clock,
        )

    return Operator(build, _DATE_OPTIONS, _STRING, _DATE_OPTION_SCHEMAS)


_XML_OPTIONS = (
    "enablePlaceholders",
    "placeholderOpeningDelimiterRegex",
    "placeholderClosingDelimiterRegex",
    "exemptedComparisons",
    "ignoreOrderOfSameNode",
    "namespaceAwareness",
)


def _equal_to_xml(value: Any, obj: Mapping[str, Any], ctx: OperatorContext) -> ContentPattern:
    from mockbdd.domain.patterns_xml import EqualToXmlPattern, exempted_comparisons
    from mockbdd.domain.xml_tree import NAMESPACE_AWARENESS

    exempted = obj.get("exemptedComparisons") or []
    if not isinstance(exempted, list):
        raise InvalidInput("", f"exemptedComparisons must be an array, got {kind_of(exempted)}")
    namespaces = option(obj, "namespaceAwareness", str, "STRICT")
    if namespaces not in NAMESPACE_AWARENESS:
        raise InvalidInput(
            "",
            f"namespaceAwareness must be one of {', '.join(NAMESPACE_AWARENESS)}, "
            f"got {namespaces!r}",
        )
    return EqualToXmlPattern(
        text(value, "equalToXml"),
        bool(option(obj, "enablePlaceholders", bool, False)),
        option(obj, "placeholderOpeningDelimiterRegex", str),
        option(obj, "placeholderClosingDelimiterRegex", str),
        exempted_comparisons(exempted),
        bool(option(obj, "ignoreOrderOfSameNode", bool, False)),
        namespaces,
    )


# by name, in content_operators.BUILTIN_NAMES' order (the names a server registers at start-up)
BUILTIN_OPERATORS: Mapping[str, Operator] = {
    "absent": Operator(_absent, value_schema={"const": True}),
    "after": _date_operator("AfterDateTimePattern", "after"),
    "and": Operator(lambda v, o, ctx: AndPattern(patterns(v, ctx, "and")), value_schema=PATTERNS),
    "anything": Operator(lambda v, o, ctx: AnythingPattern()),
    "before": _date_operator("BeforeDateTimePattern", "before"),
    "binaryEqualTo": Operator(_binary, value_schema=_STRING),
    "contains": _string_operator(ContainsPattern, "contains"),
    "doesNotContain": _string_operator(DoesNotContainPattern, "doesNotContain"),
    "doesNotMatch": _string_operator(DoesNotMatchPattern, "doesNotMatch"),
    "equalTo": Operator(_equal_to, ("caseInsensitive",), _STRING, {"caseInsensitive": _BOOL}),
    "equalToDateTime": _date_operator("EqualToDateTimePattern", "equalToDateTime"),
    "equalToJson": Operator(
        _equal_to_json,
        ("ignoreArrayOrder", "ignoreExtraElements"),
        _JSON_OR_TEXT,
        {"ignoreArrayOrder": _BOOL, "ignoreExtraElements": _BOOL},
    ),
    "equalToXml": Operator(
        _equal_to_xml,
        _XML_OPTIONS,
        _STRING,
        {
            "enablePlaceholders": _BOOL,
            "placeholderOpeningDelimiterRegex": _STRING,
            "placeholderClosingDelimiterRegex": _STRING,
            "exemptedComparisons": {"type": "array", "items": _STRING},
            "ignoreOrderOfSameNode": _BOOL,
            "namespaceAwareness": {"enum": ["STRICT", "LEGACY", "NONE"]},
        },
    ),
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
    "matchesJsonPath": Operator(
        _matches_json_path,
        value_schema={
            "anyOf": [
                _STRING,
                {
                    "type": "object",
                    "required": ["expression"],
                    "properties": {"expression": _STRING},
                },
            ]
        },
    ),
    "matchesXPath": Operator(
        _matches_xpath,
        ("xPathNamespaces",),
        {
            "anyOf": [
                _STRING,
                {
                    "type": "object",
                    "required": ["expression"],
                    "properties": {"expression": _STRING, "xPathNamespaces": _NAMESPACES},
                },
            ]
        },
        {"xPathNamespaces": _NAMESPACES},
    ),
    "matchesJsonSchema": Operator(
        _matches_json_schema,
        ("schemaVersion",),
        {"anyOf": [{"type": ["object", "boolean"]}, _STRING]},
        {"schemaVersion": _STRING},
    ),
    "not": Operator(lambda v, o, ctx: NotPattern(ctx.pattern(v, "not")), value_schema=PATTERN),
    "or": Operator(lambda v, o, ctx: OrPattern(patterns(v, ctx, "or")), value_schema=PATTERNS),
}
