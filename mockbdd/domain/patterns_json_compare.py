"""``equalToJson``'s comparison: JsonUnit semantics (options, placeholders), diff-count distance.

Placeholders (``${…}`` or ``#{…}``): ``json-unit.any-string``, ``any-number``, ``any-boolean``,
``ignore``, ``ignore-element`` (the key may also be missing), ``regex}PATTERN`` (JsonUnit's form)
and ``regex(PATTERN)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.matching import EXACT, MatchResult
from mockbdd.domain.patterns_multi import bipartite_match
from mockbdd.domain.patterns_regex import compile_java_regex


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_KINDS: dict[str, Callable[[Any], bool]] = {
    "any-string": lambda v: isinstance(v, str),
    "any-number": _is_number,
    "any-boolean": lambda v: isinstance(v, bool),
    "ignore": lambda v: True,
    "ignore-element": lambda v: True,
}
_PREFIXES = ("${json-unit.", "#{json-unit.")


class Placeholder:
    """A compiled json-unit placeholder standing where the expected document had its string."""

    __slots__ = ("accepts", "kind", "text")

    def __init__(self, text: str, kind: str, accepts: Callable[[Any], bool]) -> None:
        self.text = text
        self.kind = kind
        self.accepts = accepts

    def __repr__(self) -> str:
        return f"Placeholder({self.text!r})"


def parse_placeholder(text: str) -> Placeholder | None:
    """The placeholder ``text`` spells, ``None`` for a plain string; unknown ones are rejected."""
    if not text.startswith(_PREFIXES):
        return None
    rest = text[len(_PREFIXES[0]) :]
    if rest.startswith("regex}") or (rest.startswith("regex(") and rest.endswith(")}")):
        source = rest[6:] if rest.startswith("regex}") else rest[6:-2]
        fullmatch = compile_java_regex(source).fullmatch
        return Placeholder(text, "regex", lambda v: isinstance(v, str) and bool(fullmatch(v)))
    if rest.startswith("matches:"):
        raise InvalidInput("", f"json-unit custom matcher {text!r} is not supported")
    kind = rest[:-1] if rest.endswith("}") else ""
    if kind in _KINDS:
        return Placeholder(text, kind, _KINDS[kind])
    known = ", ".join([*_KINDS, "regex"])
    raise InvalidInput("", f"unknown json-unit placeholder {text!r} (known: {known})")


def compile_placeholders(value: Any) -> Any:
    """A copy of the expected document with placeholder strings replaced by ``Placeholder``s."""
    if isinstance(value, str):
        return parse_placeholder(value) or value
    if isinstance(value, dict):
        return {k: compile_placeholders(v) for k, v in value.items()}
    if isinstance(value, list):
        return [compile_placeholders(v) for v in value]
    return value


def deep_size(value: Any) -> int:
    """Number of leaves (an empty object or array counts as one)."""
    if isinstance(value, dict):
        return sum(deep_size(v) for v in value.values()) or 1
    if isinstance(value, list):
        return sum(deep_size(v) for v in value) or 1
    return 1


def _scalar_equal(expected: Any, actual: Any) -> bool:
    # numbers compare by value (real WireMock 3.13.2: 1 equals 1.0 and 1e2 equals 100), but
    # true is not 1 (Python would say it is)
    if type(expected) is type(actual):
        return bool(expected == actual)
    return _is_number(expected) and _is_number(actual) and expected == actual


def _optional(value: Any) -> bool:
    return isinstance(value, Placeholder) and value.kind == "ignore-element"


def strict_key(value: Any) -> Any:
    """A hashable key equal for two documents exactly when they are equal with array order
    ignored (types kept strict, numbers by value): lets unordered arrays pair up in linear time."""
    kind = type(value)
    if kind is dict:
        return ("object", tuple(sorted((k, strict_key(v)) for k, v in value.items())))
    if kind is list:
        return ("array", tuple(sorted(strict_key(v) for v in value)))
    if kind is int or kind is float:
        return ("number", value)  # 1 and 1.0 are equal and hash alike
    return (kind.__name__, value)


def _has_placeholder(value: Any) -> bool:
    if isinstance(value, Placeholder):
        return True
    if isinstance(value, dict):
        return any(_has_placeholder(v) for v in value.values())
    return isinstance(value, list) and any(_has_placeholder(v) for v in value)


def _array_keys(value: Any, found: dict[int, list[Any]]) -> None:
    """Precompute ``strict_key``s of every placeholder-free expected array, by array id."""
    children = value.values() if isinstance(value, dict) else value
    if not isinstance(value, (dict, list)):
        return
    if isinstance(value, list) and not _has_placeholder(value):
        found[id(value)] = [strict_key(v) for v in value]
    for child in children:
        _array_keys(child, found)


class JsonComparison:
    """Compares documents against one expected tree: a short-circuit ``equal`` for the hot path,
    and ``diff`` (differing leaves) only to rank near misses."""

    __slots__ = ("_keys", "expected", "extra", "size", "unordered")

    def __init__(self, expected: Any, ignore_array_order: bool, ignore_extra: bool) -> None:
        self.expected = expected
        self.unordered = ignore_array_order
        self.extra = ignore_extra
        self.size = deep_size(expected)
        self._keys: dict[int, list[Any]] = {}
        if ignore_array_order and not ignore_extra:  # only then is equality a multiset match
            _array_keys(expected, self._keys)

    def compare(self, actual: Any) -> MatchResult:
        if self.equal(self.expected, actual):
            return EXACT
        diffs = max(1, self.diff(self.expected, actual))
        return MatchResult(min(1.0, diffs / max(self.size, deep_size(actual))))

    def equal(self, expected: Any, actual: Any) -> bool:
        kind = type(expected)  # the expected tree holds exact dicts/lists (compile_placeholders)
        if kind is dict:
            if not isinstance(actual, dict):
                return False
            for key, value in expected.items():
                if key in actual:
                    if not self.equal(value, actual[key]):
                        return False
                elif not _optional(value):
                    return False
            return self.extra or all(key in expected for key in actual)
        if kind is list:
            if not isinstance(actual, list):
                return False
            if len(actual) < len(expected) or (not self.extra and len(actual) != len(expected)):
                return False
            if all(self.equal(e, a) for e, a in zip(expected, actual, strict=False)):
                return True
            return self.unordered and self._pairs_up(expected, actual)
        if kind is Placeholder:
            return bool(expected.accepts(actual))
        return (kind is type(actual) and expected == actual) or _scalar_equal(expected, actual)

    def _greedy_pairs(self, expected: list[Any], actual: list[Any]) -> tuple[list[Any], list[Any]]:
        """Pair equal elements first come, first served; returns the unpaired of each side."""
        keys = self._keys.get(id(expected))
        unpaired: list[Any] = []
        if keys is not None:
            buckets: dict[Any, list[int]] = {}
            for j, a in enumerate(actual):
                buckets.setdefault(strict_key(a), []).append(j)
            used: set[int] = set()
            for e, key in zip(expected, keys, strict=True):
                bucket = buckets.get(key)
                if bucket:
                    used.add(bucket.pop())
                else:
                    unpaired.append(e)
            return unpaired, [a for j, a in enumerate(actual) if j not in used]
        free = dict.fromkeys(range(len(actual)))
        for e in expected:
            pick = next((j for j in free if self.equal(e, actual[j])), None)
            if pick is None:
                unpaired.append(e)
            else:
                del free[pick]
        return unpaired, [actual[j] for j in free]

    def _pairs_up(self, expected: list[Any], actual: list[Any]) -> bool:
        if not self._greedy_pairs(expected, actual)[0]:
            return True  # greedy success proves a pairing exists; only failure needs Kuhn
        if id(expected) in self._keys:
            return False  # key buckets are exact: no pairing exists
        candidates = [[j for j, a in enumerate(actual) if self.equal(e, a)] for e in expected]
        return all(j is not None for j in bipartite_match(candidates, len(actual)))

    def diff(self, expected: Any, actual: Any) -> int:
        if isinstance(expected, Placeholder):
            return 0 if expected.accepts(actual) else 1
        if isinstance(expected, dict):
            if not isinstance(actual, dict):
                return deep_size(expected)
            n = sum(
                self.diff(v, actual[k]) if k in actual else (0 if _optional(v) else deep_size(v))
                for k, v in expected.items()
            )
            if not self.extra:
                n += sum(deep_size(v) for k, v in actual.items() if k not in expected)
            return n
        if isinstance(expected, list):
            if not isinstance(actual, list):
                return deep_size(expected)
            if self.unordered:
                return self._unordered_diff(expected, actual)
            n = sum(self.diff(e, a) for e, a in zip(expected, actual, strict=False))
            n += sum(deep_size(e) for e in expected[len(actual) :])
            if not self.extra:
                n += sum(deep_size(a) for a in actual[len(expected) :])
            return n
        return 0 if _scalar_equal(expected, actual) else 1

    def _unordered_diff(self, expected: list[Any], actual: list[Any]) -> int:
        # a distance estimate only, so greedy pairing is enough; leftovers compare in order
        left, right = self._greedy_pairs(expected, actual)
        n = sum(self.diff(e, a) for e, a in zip(left, right, strict=False))
        n += sum(deep_size(e) for e in left[len(right) :])
        if not self.extra:
            n += sum(deep_size(a) for a in right[len(left) :])
        return n
