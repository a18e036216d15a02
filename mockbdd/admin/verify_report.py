"""Near misses as report rows in mockbdd's voice, built from the engine's own comparison.

A row is ``{"field", "expected", "actual", "matched", "distance"}``: the BDD layer prints
``field: expected E, got A`` for each mismatched row and ``field: as expected`` for the others,
so every assertion message comes from the server's diff. Values are shown as a feature file
writes them: quoted strings, ``(absent)``, compact JSON, paths relative to the service.
An ``equalToJson`` body is broken down into one row per differing JSON path (``JSON $.amount``),
located with the engine's :class:`JsonComparison`, so a sub-document is "equal" exactly when the
matcher says so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from mockbdd.domain.journal import ServeEvent
from mockbdd.domain.near_miss import NearMiss
from mockbdd.domain.patterns import AbsentPattern, ContentPattern, EqualToPattern
from mockbdd.domain.patterns_json import EqualToJsonPattern
from mockbdd.domain.patterns_json_compare import JsonComparison, Placeholder, compile_placeholders
from mockbdd.domain.patterns_multi import SingleValueAdapter
from mockbdd.domain.request_pattern import FieldResult, RequestPattern
from mockbdd.domain.requests import Body, RecordedRequest
from mockbdd.domain.urls import UrlRegex
from mockbdd.wire.journal import near_miss_json

Row = dict[str, Any]
CLIP = 2000  # characters of a body shown in a row
COMPACT = 200  # characters of a JSON value shown in a row
_URL_LABELS = {"url": "URL", "urlPattern": "URL", "": "URL"}  # every other key: "URL path"


def under(path: str, service: str | None) -> bool:
    """Whether a namespace path belongs to ``service`` (``/payments`` and below)."""
    if service is None:
        return True
    prefix = f"/{service}"
    return path == prefix or path.startswith(prefix + "/")


def relative(url: str, service: str | None) -> str:
    """``/payments/v1/charges?x=1`` seen from ``payments``: ``/v1/charges?x=1``."""
    if service is None:
        return url
    prefix = f"/{service}"
    if url == prefix or url.startswith((prefix + "/", prefix + "?")):
        return url[len(prefix) :] or "/"
    return url


def _quote(text: str) -> str:
    shown = json.dumps(text, ensure_ascii=False)
    return shown if len(shown) <= CLIP else shown[: CLIP - 1] + "…"


def _values(values: Sequence[str] | None) -> str:
    return "(absent)" if values is None else ", ".join(_quote(v) for v in values)


def _compact(value: Any) -> str:
    text = json.dumps(
        value,
        ensure_ascii=False,
        sort_keys=True,
        default=lambda v: v.text if isinstance(v, Placeholder) else str(v),
    )
    return text if len(text) <= COMPACT else text[: COMPACT - 3] + "..."


def _row(field: str, expected: str, actual: str, distance: float) -> Row:
    return {
        "field": field,
        "expected": expected,
        "actual": actual,
        "matched": distance == 0.0,
        "distance": round(distance, 4),
    }


def _expected_value(pattern: object) -> str:
    """``"k1"`` for ``equalTo k1``, ``(absent)`` for ``absent``, else the pattern's description."""
    inner = pattern.pattern if isinstance(pattern, SingleValueAdapter) else pattern
    if isinstance(inner, EqualToPattern) and not inner.case_insensitive:
        return _quote(inner.expected)
    if isinstance(inner, AbsentPattern):
        return "(absent)"
    describe = getattr(inner, "describe", None)
    return str(describe()) if callable(describe) else str(inner)


def _url_row(
    pattern: RequestPattern, request: RecordedRequest, row: FieldResult, service: str | None
) -> Row:
    matcher = pattern.url
    key = matcher.key
    label = _URL_LABELS.get(key, "URL path")
    on_path = label == "URL path"
    actual = relative(request.path if on_path else request.url, service)
    if isinstance(matcher, UrlRegex):
        expected = f"matching {_relative_regex(matcher.expected, service)}"
    elif key:
        expected = relative(matcher.expected, service)
    else:
        expected = "any URL"
    return _row(label, expected, actual, row.result.distance)


def _relative_regex(regex: str, service: str | None) -> str:
    if service is None:
        return regex
    anchor = "^" if regex.startswith("^") else ""
    escaped = re.escape(f"/{service}")
    rest = regex[len(anchor) + len(escaped) :]
    if regex[len(anchor) :].startswith(escaped) and rest[:1] in ("/", "("):
        return anchor + rest
    return regex


def rows(miss: NearMiss, service: str | None = None) -> list[Row]:
    """The near miss's comparison, one row per field (``equalToJson`` bodies per JSON path)."""
    pattern, request = miss.pattern, miss.request
    bodies = iter(pattern.body_patterns)
    out: list[Row] = []
    for row in miss.result.fields:
        name = row.field
        if name == "url":
            out.append(_url_row(pattern, request, row, service))
        elif name.startswith("header "):
            lower = name[len("header ") :].lower()
            expected = _expected_value(pattern.headers[lower])
            actual = _values(request.headers.get(lower))
            out.append(_row(name, expected, actual, row.result.distance))
        elif name.startswith("query "):
            key = name[len("query ") :]
            expected = _expected_value(pattern.query_parameters[key])
            actual = _values(request.query.get(key))
            out.append(_row(f"query parameter {key}", expected, actual, row.result.distance))
        elif name == "body":
            out += body_rows(next(bodies), request.body, row.result.distance)
        else:
            out.append(_row(name, row.expected, row.actual, row.result.distance))
    return out


def body_rows(pattern: ContentPattern, body: Body, distance: float) -> list[Row]:
    if isinstance(pattern, EqualToJsonPattern):
        return json_rows(pattern, body, distance)
    actual = _quote(body.text)
    if isinstance(pattern, EqualToPattern) and not pattern.case_insensitive:
        return [_row("body", _quote(pattern.expected), actual, distance)]
    return [_row("body", pattern.describe(), actual, distance)]


def json_rows(pattern: EqualToJsonPattern, body: Body, distance: float) -> list[Row]:
    """``JSON $.a.b: expected 1, got 2`` per differing path; one ``JSON body`` row when the body
    matches, or is not JSON at all."""
    if distance == 0.0:
        return [_row("JSON body", _compact(pattern.expected), "as expected", 0.0)]
    document = body.json
    if document is Body.NOT_JSON:
        shown = _quote(body.text) if body.raw else "an empty body"
        return [_row("JSON body", "a JSON document", f"{shown} (not JSON)", distance)]
    tree = compile_placeholders(pattern.expected)
    comparison = JsonComparison(tree, pattern.ignore_array_order, pattern.ignore_extra_elements)
    found = _walk(comparison, tree, document, "$")
    return found or [_row("JSON body", _compact(tree), _compact(document), distance)]


def _walk(comparison: JsonComparison, expected: Any, actual: Any, where: str) -> list[Row]:
    """The paths where ``actual`` departs from ``expected``, as the engine compares them."""
    if comparison.equal(expected, actual):
        return []
    whole = [_row(f"JSON {where}", _compact(expected), _compact(actual), 1.0)]
    if isinstance(expected, dict) and isinstance(actual, dict):
        out: list[Row] = []
        for key, value in expected.items():
            path = f"{where}.{key}"
            if key in actual:
                out += _walk(comparison, value, actual[key], path)
            elif not (isinstance(value, Placeholder) and value.kind == "ignore-element"):
                out.append(_row(f"JSON {path}", _compact(value), "(missing)", 1.0))
        if not comparison.extra:
            for key in actual.keys() - expected.keys():
                out.append(_row(f"JSON {where}.{key}", "(absent)", _compact(actual[key]), 1.0))
        return out or whole
    if isinstance(expected, list) and isinstance(actual, list) and not comparison.unordered:
        fits = len(actual) == len(expected) or (comparison.extra and len(actual) > len(expected))
        if fits:
            out = []
            for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
                out += _walk(comparison, e, a, f"{where}[{i}]")
            return out or whole
    return whole


def numbered(events: Iterable[ServeEvent], service: str | None) -> dict[int, int]:
    """Serve-event sequence -> 1-based position among the service's requests (arrival order)."""
    scoped = [e for e in events if under(e.request.path, service)]
    return {e.seq: i for i, e in enumerate(reversed(scoped), 1)}  # events() is newest first


def near_miss_report(
    miss: NearMiss,
    pattern_json: Any,
    service: str | None,
    numbers: dict[int, int],
) -> dict[str, Any]:
    """WireMock's NearMiss JSON, plus the serve event's id, its number among the service's
    requests and the report rows."""
    data = near_miss_json(miss, pattern_json)
    event = miss.event
    if event is not None:
        data["serveEventId"] = event.id
        data["number"] = numbers.get(event.seq)
    data["fields"] = rows(miss, service)
    return data
