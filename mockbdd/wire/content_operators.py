"""The registry key of the content operators (``equalTo``, ``matchesJsonPath``, ...), what an
entry is (:class:`Operator`), and the built-ins by name. The codec that decodes patterns with
them is :mod:`mockbdd.wire.patterns`, the built-in entries are :mod:`mockbdd.wire.operators`:
both load with the first pattern decoded (or the schema), so a server whose stubs match on
URLs and methods only never holds them (idle RSS, ``bench/run.py rss``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from mockbdd.domain.patterns import ContentPattern
from mockbdd.extensions import Extensions, Kind
from mockbdd.records import record

if TYPE_CHECKING:
    from mockbdd.wire.patterns import OperatorContext

# (the operator's value, the whole pattern object, the context) -> the pattern; raise
# InvalidInput("", reason) or ValueError(reason) to refuse, the pointer is added here
Builder = Callable[[Any, Mapping[str, Any], "OperatorContext"], ContentPattern]


@record
class Operator:
    """One content operator (``equalTo``, ``matchesJsonPath``, ...): how to build its pattern,
    the option keys it takes next to it (``caseInsensitive``), and for ``mockbdd schema`` the
    JSON Schema of its value and options (absent: anything)."""

    build: Builder
    options: tuple[str, ...] = ()
    value_schema: Mapping[str, Any] | None = None
    option_schemas: Mapping[str, Mapping[str, Any]] | None = None


# patterns of several values (headers, parameters): not content operators
MULTI_VALUE = frozenset({"hasExactly", "includes"})


def _check_operator(name: str, entry: object) -> str:
    if not isinstance(entry, Operator):
        return f"must be a mockbdd.wire.patterns.Operator, got {type(entry).__name__}"
    if name in MULTI_VALUE:
        return "is a multi-value pattern of headers and parameters, not a content operator"
    return ""


CONTENT_OPERATORS: Kind[Operator] = Kind("content operator", _check_operator)

# the built-in operators (mockbdd.wire.operators), in the order they register
BUILTIN_NAMES = (
    "absent",
    "after",
    "and",
    "anything",
    "before",
    "binaryEqualTo",
    "contains",
    "doesNotContain",
    "doesNotMatch",
    "equalTo",
    "equalToDateTime",
    "equalToJson",
    "equalToXml",
    "equalToNumber",
    "greaterThanNumber",
    "greaterThanOrEqualNumber",
    "lessThanNumber",
    "lessThanOrEqualNumber",
    "matches",
    "matchesJsonPath",
    "matchesXPath",
    "matchesJsonSchema",
    "not",
    "or",
)


def register(extensions: Extensions) -> None:
    """The built-in operators by name; their module loads with the first lookup (a pattern
    decoded, the schema, a plugin asking for one)."""
    for name in BUILTIN_NAMES:
        extensions.add_on_first_use(CONTENT_OPERATORS, name, partial(_builtin, name))


def _builtin(name: str) -> Operator:
    from mockbdd.wire.operators import BUILTIN_OPERATORS

    return BUILTIN_OPERATORS[name]
