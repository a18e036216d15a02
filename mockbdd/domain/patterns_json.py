"""JSON content patterns: ``equalToJson``, ``matchesJsonPath``, ``matchesJsonSchema``.

Each works on the parsed document, so a request body is parsed once (``Body.json``) for all stubs.
"""

from __future__ import annotations

import json
import re
from abc import abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import field
from itertools import islice
from typing import TYPE_CHECKING, Any

from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.matching import EXACT, NO_MATCH, MatchResult
from mockbdd.domain.patterns import AbsentPattern, ContentPattern, quote
from mockbdd.domain.patterns_json_compare import JsonComparison, compile_placeholders
from mockbdd.domain.patterns_multi import best_match
from mockbdd.domain.requests import Body
from mockbdd.records import record

if TYPE_CHECKING:  # imported on first use: most servers never load a JSONPath or a schema
    import jsonpath
    import jsonschema


def parse_json(text: str) -> tuple[bool, Any]:
    """``(True, document)`` or ``(False, None)`` when ``text`` is not JSON."""
    try:
        return True, json.loads(text)
    except (ValueError, RecursionError):
        return False, None


def json_text(value: Any) -> str:
    """Compact JSON, as WireMock writes a selected object for a sub-pattern."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class JsonContentPattern(ContentPattern):
    """A pattern over a parsed JSON document; strings and bodies are parsed (once) for it."""

    __slots__ = ()

    @abstractmethod
    def match_json(self, document: Any) -> MatchResult:
        """Match an already parsed JSON document."""

    def match_text(self, text: str) -> MatchResult:
        """Match a value that is not JSON; only ``matchesJsonSchema`` accepts one."""
        return NO_MATCH

    def match(self, value: str | None) -> MatchResult:
        if value is None:
            return NO_MATCH
        ok, document = parse_json(value)
        return self.match_json(document) if ok else self.match_text(value)

    def match_body(self, body: Body) -> MatchResult:
        if not body.raw:
            return self.match(None)
        document = body.json
        return (
            self.match_text(body.text) if document is Body.NOT_JSON else self.match_json(document)
        )


@record
class EqualToJsonPattern(JsonContentPattern):
    """``equalToJson`` (``ignoreArrayOrder``, ``ignoreExtraElements``, json-unit placeholders).

    Numbers compare by value, as real WireMock 3.13.2 does: ``1`` equals ``1.0`` and ``1e2``.
    """

    expected: Any = field(hash=False)
    ignore_array_order: bool = False
    ignore_extra_elements: bool = False
    _comparison: JsonComparison = field(init=False, repr=False, compare=False, hash=False)
    key = "equalToJson"

    def __post_init__(self) -> None:
        tree = compile_placeholders(self.expected)
        comparison = JsonComparison(tree, self.ignore_array_order, self.ignore_extra_elements)
        object.__setattr__(self, "_comparison", comparison)

    def match_json(self, document: Any) -> MatchResult:
        return self._comparison.compare(document)

    def describe(self) -> str:
        options = [
            name
            for name, on in (
                ("ignoreArrayOrder", self.ignore_array_order),
                ("ignoreExtraElements", self.ignore_extra_elements),
            )
            if on
        ]
        suffix = f" ({', '.join(options)})" if options else ""
        shown = json_text(self.expected)
        return f"equalToJson {shown if len(shown) <= 200 else shown[:199] + '…'}{suffix}"


# Jayway functions at the end of a path, e.g. ``$.items.length()``; python-jsonpath has none.
_TRAILING_FUNCTION = re.compile(r"\.(length|size|min|max|sum|avg)\(\)\s*$")
_MISSING: Any = object()


def _number_list(value: Any) -> list[float] | None:
    if not isinstance(value, list) or not value:
        return None
    numbers = [v for v in value if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return numbers if len(numbers) == len(value) else None


def _length(value: Any) -> Any:
    return len(value) if isinstance(value, (list, dict, str)) else _MISSING


def _aggregate(fn: Callable[[list[float]], float]) -> Callable[[Any], Any]:
    def apply(value: Any) -> Any:
        numbers = _number_list(value)
        return _MISSING if numbers is None else fn(numbers)

    return apply


_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "length": _length,
    "size": _length,
    "min": _aggregate(min),
    "max": _aggregate(max),
    "sum": _aggregate(lambda xs: float(sum(xs))),
    "avg": _aggregate(lambda xs: sum(xs) / len(xs)),
}


# Jayway's ``@.items.size()`` / ``.length()`` inside a filter: RFC 9535's ``length(@.items)``
_FILTER_LENGTH = re.compile(r"(@(?:\.[A-Za-z_$][\w$]*|\[[^\[\]]*\])*)\.(?:length|size)\(\)")


_DESCENDANT_NAME = re.compile(r"\.\.([A-Za-z_][\w]*)\b(?!\()")


def _first_filter(expression: str) -> int:
    """Where the first filter selector (``[?``) starts outside quotes, or -1."""
    quote, i = "", 0
    while i < len(expression):
        ch = expression[i]
        if ch == "\\":
            i += 1
        elif quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "[" and expression[i + 1 :].lstrip().startswith("?"):
            return i
        i += 1
    return -1


@record
class JaywayFilterPath:
    """A JSONPath whose first filter has Jayway's semantics: on an object it tests the object
    itself (RFC 9535 tests the object's members), so ``$.things[?(@.name == 'x')]`` matches
    ``{"things": {"name": "x"}}`` as WireMock documents."""

    head: jsonpath.JSONPath | jsonpath.CompoundJSONPath  # up to the filter
    rest: jsonpath.JSONPath | jsonpath.CompoundJSONPath  # ``$[?...]`` and what follows

    def findall(self, document: Any) -> list[object]:
        found: list[object] = []
        for node in self.head.findall(document):
            if isinstance(node, list):
                found.extend(self.rest.findall(node))
            elif isinstance(node, dict):
                found.extend(self.rest.findall([node]))
        return found


def compile_json_path(
    expression: str,
) -> tuple[jsonpath.JSONPath | jsonpath.CompoundJSONPath | JaywayFilterPath, str]:
    """Compile a (Jayway-style) JSONPath, splitting off a trailing function such as ``length()``."""
    if not expression.strip():
        raise InvalidInput("", "invalid JSONPath '': the expression is empty")
    import jsonpath

    function = ""
    found = _TRAILING_FUNCTION.search(expression)
    core = expression
    if found:
        function, core = found.group(1), expression[: found.start()]
    core = _FILTER_LENGTH.sub(r"length(\1)", core or "$")
    try:
        jsonpath.compile(core)
    except jsonpath.JSONPathError:
        # python-jsonpath reads ``$..missing``/``$..true``/``$..in`` as keywords; Jayway (and so
        # real WireMock 3.13.2) takes them as names: retry with bracketed names
        core = _DESCENDANT_NAME.sub(r"..['\1']", core)
    try:
        compiled: jsonpath.JSONPath | jsonpath.CompoundJSONPath | JaywayFilterPath
        compiled = jsonpath.compile(core)
        at = _first_filter(core)
        if at > 0 and not core[:at].endswith(".."):  # ``$..[?...]`` stays a descendant filter
            head = core[:at]
            compiled = JaywayFilterPath(jsonpath.compile(head), jsonpath.compile("$" + core[at:]))
        return compiled, function
    except jsonpath.JSONPathError as exc:
        reason = str(exc).splitlines()[0]
        raise InvalidInput("", f"invalid JSONPath {expression!r}: {reason}") from None


def scalar_text(value: Any) -> str | None:
    """The string WireMock hands a sub-pattern for one selected value."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json_text(value)


@record
class MatchesJsonPathPattern(JsonContentPattern):
    """``matchesJsonPath``: presence of the selection, or a sub-pattern applied to it.

    Presence: a single selected value must be non-null and, if an object/array, non-empty; a
    multi-valued path (wildcard, filter, ``..``) must select something.
    """

    expression: str
    pattern: ContentPattern | None = None
    _path: jsonpath.JSONPath | jsonpath.CompoundJSONPath | JaywayFilterPath = field(
        init=False, repr=False, compare=False
    )
    _function: str = field(init=False, repr=False, compare=False)
    _path_singular: bool = field(init=False, repr=False, compare=False)
    _root_only: bool = field(init=False, repr=False, compare=False)
    key = "matchesJsonPath"

    def __post_init__(self) -> None:
        import jsonpath

        path, function = compile_json_path(self.expression)
        singular = root_only = False
        if isinstance(path, jsonpath.JSONPath):
            singular, root_only = path.singular_query(), not path.segments
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_function", function)
        object.__setattr__(self, "_path_singular", singular)
        object.__setattr__(self, "_root_only", root_only)

    def select(self, document: Any) -> Any:
        """The selected value (a list for a multi-valued path), or a private marker when missing."""
        import jsonpath

        if isinstance(document, str):  # python-jsonpath would json.loads() a str document
            results: list[object] = [document] if self._root_only else []
        else:
            try:
                results = self._path.findall(document)
            except jsonpath.JSONPathError:
                results = []
        selected: Any = results
        if self._path_singular:
            selected = results[0] if results else _MISSING
        if self._function and selected is not _MISSING:
            selected = _FUNCTIONS[self._function](selected)
        return selected

    def match_text(self, text: str) -> MatchResult:
        # nothing is selected from a value that is not JSON: an ``absent`` sub-pattern holds
        # (real WireMock 3.13.2 matches ``{"expression": "$.x", "absent": true}`` on "nope")
        return EXACT if isinstance(self.pattern, AbsentPattern) else NO_MATCH

    def match_body(self, body: Body) -> MatchResult:
        if not body.raw:  # an empty body is the text "" for WireMock, not a missing value
            return self.match_text("")
        return JsonContentPattern.match_body(self, body)

    def match_json(self, document: Any) -> MatchResult:
        selected = self.select(document)
        if self.pattern is None:
            present = selected is not _MISSING and selected is not None
            if isinstance(selected, (list, dict)):
                present = bool(selected)
            return EXACT if present else NO_MATCH
        return self._match_selection(self.pattern, selected)

    @staticmethod
    def _match_selection(pattern: ContentPattern, selected: Any) -> MatchResult:
        if selected is _MISSING or selected is None:
            return EXACT if isinstance(pattern, AbsentPattern) else NO_MATCH
        if isinstance(pattern, JsonContentPattern):
            many = isinstance(selected, list) and not isinstance(pattern, EqualToJsonPattern)
            documents = selected if many else [selected]
            results = [pattern.match_json(d) for d in documents]
            return min(results, key=lambda r: r.distance, default=NO_MATCH)
        values: Sequence[str | None]
        values = (
            [scalar_text(v) for v in selected]
            if isinstance(selected, list)
            else [scalar_text(selected)]
        )
        if not values:
            return EXACT if isinstance(pattern, AbsentPattern) else NO_MATCH
        return best_match(pattern, values)

    def describe(self) -> str:
        sub = f" {self.pattern.describe()}" if self.pattern is not None else ""
        return f"matchesJsonPath {quote(self.expression)}{sub}"


SCHEMA_VERSIONS = ("V4", "V6", "V7", "V201909", "V202012")


def schema_validator(version: str) -> type[jsonschema.protocols.Validator] | None:
    """The jsonschema validator class of a WireMock ``schemaVersion`` (None when unknown)."""
    import jsonschema

    return {
        "V4": jsonschema.Draft4Validator,
        "V6": jsonschema.Draft6Validator,
        "V7": jsonschema.Draft7Validator,
        "V201909": jsonschema.Draft201909Validator,
        "V202012": jsonschema.Draft202012Validator,
    }.get(version)


def _schema_property_count(schema: Any) -> int:
    if isinstance(schema, dict):
        own = len(schema["properties"]) if isinstance(schema.get("properties"), dict) else 0
        return own + sum(_schema_property_count(v) for v in schema.values())
    if isinstance(schema, list):
        return sum(_schema_property_count(v) for v in schema)
    return 0


@record
class MatchesJsonSchemaPattern(JsonContentPattern):
    """``matchesJsonSchema`` (``schemaVersion`` V4, V6, V7, V201909, V202012; default V202012).

    As WireMock: a value that is not JSON is validated as a JSON string, and a scalar that fails
    is retried as the string it was written as (so ``"123"`` can satisfy ``{"type": "string"}``).
    """

    schema: Any = field(hash=False)
    schema_version: str = "V202012"
    _validator: jsonschema.protocols.Validator = field(init=False, repr=False, compare=False)
    _property_count: int = field(init=False, repr=False, compare=False)
    key = "matchesJsonSchema"

    def __post_init__(self) -> None:
        import jsonschema

        cls = schema_validator(self.schema_version)
        if cls is None:
            known = ", ".join(SCHEMA_VERSIONS)
            raise InvalidInput("", f"schemaVersion must be one of {known}")
        try:
            cls.check_schema(self.schema)
        except jsonschema.SchemaError as exc:
            raise InvalidInput("", f"invalid JSON schema: {exc.message}") from None
        object.__setattr__(self, "_validator", cls(self.schema))
        object.__setattr__(self, "_property_count", max(1, _schema_property_count(self.schema)))

    def match_json(self, document: Any) -> MatchResult:
        from referencing.exceptions import Unresolvable

        try:
            if self._validator.is_valid(document):
                return EXACT
            errors = sum(1 for _ in islice(self._validator.iter_errors(document), 100))
        except Unresolvable:
            return NO_MATCH
        return MatchResult(min(1.0, max(0.01, errors / self._property_count)))

    def match_text(self, text: str) -> MatchResult:
        return self.match_json(text)

    def match(self, value: str | None) -> MatchResult:
        if value is None:
            return NO_MATCH
        ok, document = parse_json(value)
        return self._with_retry(document, value) if ok else self.match_json(value)

    def match_body(self, body: Body) -> MatchResult:
        if not body.raw:
            return NO_MATCH
        document = body.json
        if document is Body.NOT_JSON:
            return self.match_json(body.text)
        return self._with_retry(document, body.text)

    def _with_retry(self, document: Any, text: str) -> MatchResult:
        result = self.match_json(document)
        if result.is_exact or isinstance(document, (str, dict, list)):
            return result
        retried = self.match_json(text)
        return retried if retried.is_exact else result

    def describe(self) -> str:
        shown = json_text(self.schema)
        return f"matchesJsonSchema {shown if len(shown) <= 200 else shown[:199] + '…'}"


__all__ = [
    "SCHEMA_VERSIONS",
    "EqualToJsonPattern",
    "JsonContentPattern",
    "MatchesJsonPathPattern",
    "MatchesJsonSchemaPattern",
    "compile_json_path",
    "parse_json",
    "scalar_text",
]
