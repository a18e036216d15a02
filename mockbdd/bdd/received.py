"""What a service received, what a step expected, and the report when they differ.

A failing assertion shows the requests the service received, the closest one and a
field-by-field diff (method, URL, headers, query, JSON body, body), all with service-relative
paths as the feature file writes them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

_UNSET: Any = object()
_MISSING = "(missing)"
LISTED_MAX = 20
EXCERPT = 100


def service_prefix(service: str) -> str:
    return f"/{service}"


def full_path(service: str, path: str) -> str:
    """``("payments", "/v1/charges")`` → ``/payments/v1/charges``."""
    return service_prefix(service) + path


@dataclass(frozen=True)
class Received:
    """One journaled request, seen from its service: ``path`` and ``url`` lack the prefix."""

    number: int  # 1-based, arrival order among the requests listed
    method: str
    path: str
    url: str
    query: Mapping[str, tuple[str, ...]]
    headers: Mapping[str, tuple[str, ...]]  # lower-case names
    body: str

    @classmethod
    def from_logged(cls, number: int, logged: Mapping[str, Any], service: str) -> Received:
        url = str(logged.get("url", "/"))
        prefix = service_prefix(service)
        if url == prefix or url.startswith(prefix + "/") or url.startswith(prefix + "?"):
            url = url[len(prefix) :] or "/"
        split = urlsplit(url)
        query = {k: tuple(v) for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        headers: dict[str, tuple[str, ...]] = {}
        for name, value in (logged.get("headers") or {}).items():
            values = value if isinstance(value, list) else [value]
            headers[str(name).lower()] = tuple(str(v) for v in values)
        return cls(
            number=number,
            method=str(logged.get("method", "")).upper(),
            path=split.path or "/",
            url=url,
            query=query,
            headers=headers,
            body=str(logged.get("body") or ""),
        )

    def json(self) -> tuple[bool, Any]:
        try:
            return True, json.loads(self.body)
        except ValueError:
            return False, None

    def line(self) -> str:
        text = f"{self.number}. {self.method} {self.url}"
        body = " ".join(self.body.split())
        if body:
            text += "  " + (body if len(body) <= EXCERPT else body[: EXCERPT - 3] + "...")
        return text


@dataclass(frozen=True)
class FieldDiff:
    field: str
    expected: str
    actual: str
    weight: int = 1

    def render(self) -> str:
        return f"  {self.field}: expected {self.expected}, got {self.actual}"


@dataclass(frozen=True)
class Expectation:
    """A request a step expects; ``diffs`` is empty exactly when a received request fits."""

    method: str
    path: str
    header: tuple[str, str] | None = None
    without_header: str | None = None
    query: tuple[str, str] | None = None
    json_subset: Any = field(default=_UNSET)
    body: str | None = None

    def describe(self) -> str:
        text = f"{self.method} request to {self.path}"
        if self.header is not None:
            text += f' with header "{self.header[0]}" equal to "{self.header[1]}"'
        if self.without_header is not None:
            text += f' without header "{self.without_header}"'
        if self.query is not None:
            text += f' with query parameter "{self.query[0]}" equal to "{self.query[1]}"'
        if self.json_subset is not _UNSET:
            text += " with JSON body " + _compact(self.json_subset)
        if self.body is not None:
            text += f" with body {self.body!r}"
        return text

    def route_diffs(self, req: Received) -> list[FieldDiff]:
        out = []
        if self.method not in ("ANY", req.method):
            out.append(FieldDiff("method", self.method, req.method))
        if req.path != self.path:
            out.append(FieldDiff("URL path", self.path, req.path, weight=2))
        return out

    def diffs(self, req: Received) -> list[FieldDiff]:
        out = self.route_diffs(req)
        if self.header is not None:
            name, value = self.header
            got = req.headers.get(name.lower())
            if got is None or value not in got:
                out.append(FieldDiff(f"header {name}", _q(value), _values(got)))
        if self.without_header is not None:
            got = req.headers.get(self.without_header.lower())
            if got is not None:
                out.append(FieldDiff(f"header {self.without_header}", "(absent)", _values(got)))
        if self.query is not None:
            name, value = self.query
            got = req.query.get(name)
            if got is None or value not in got:
                out.append(FieldDiff(f"query parameter {name}", _q(value), _values(got)))
        if self.json_subset is not _UNSET:
            ok, document = req.json()
            if not ok:
                shown = _q(req.body) if req.body else "an empty body"
                out.append(FieldDiff("JSON body", "a JSON document", f"{shown} (not JSON)"))
            else:
                out += json_subset_diffs(self.json_subset, document, "$")
        if self.body is not None and req.body != self.body:
            out.append(FieldDiff("body", _q(self.body), _q(req.body)))
        return out


def json_subset_diffs(expected: Any, actual: Any, where: str) -> list[FieldDiff]:
    """Differences of ``actual`` from ``expected`` where objects may carry extra members and
    arrays compare element by element (same length)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [FieldDiff(f"JSON {where}", _compact(expected), _compact(actual))]
        out: list[FieldDiff] = []
        for key, value in expected.items():
            path = f"{where}.{key}"
            if key not in actual:
                out.append(FieldDiff(f"JSON {path}", _compact(value), _MISSING))
            else:
                out += json_subset_diffs(value, actual[key], path)
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [FieldDiff(f"JSON {where}", _compact(expected), _compact(actual))]
        diffs: list[FieldDiff] = []
        for i, (exp, act) in enumerate(zip(expected, actual, strict=True)):
            diffs += json_subset_diffs(exp, act, f"{where}[{i}]")
        return diffs
    if expected != actual or isinstance(expected, bool) != isinstance(actual, bool):
        return [FieldDiff(f"JSON {where}", _compact(expected), _compact(actual))]
    return []


def closest(expectation: Expectation, received: Sequence[Received]) -> Received | None:
    """The request with the fewest (weighted) differences; the latest among equals."""
    best: Received | None = None
    best_score = -1
    for req in received:
        score = sum(d.weight for d in expectation.diffs(req))
        if best is None or score <= best_score:
            best, best_score = req, score
    return best


def listing(service: str, received: Sequence[Received]) -> str:
    if not received:
        return f'"{service}" received no requests'
    shown = received[-LISTED_MAX:]
    head = f'"{service}" received {plural(len(received), "request")}'
    if len(shown) < len(received):
        head += f" (the last {len(shown)} shown)"
    return head + ":\n" + "\n".join("  " + r.line() for r in shown)


def closest_report(expectation: Expectation, received: Sequence[Received]) -> str:
    near = closest(expectation, received)
    if near is None:
        return ""
    diffs = expectation.diffs(near)
    lines = [f"closest request: #{near.number} {near.method} {near.url}"]
    lines += [d.render() for d in diffs] or ["  (it matches)"]
    lines += [f"  {name}: as expected" for name in _matching_fields(expectation, diffs)]
    return "\n".join(lines)


def _matching_fields(expectation: Expectation, diffs: Iterable[FieldDiff]) -> list[str]:
    differing = {d.field.split(" ")[0] for d in diffs}
    fields = [("method", "method"), ("URL path", "URL")]
    if expectation.header is not None:
        fields.append((f"header {expectation.header[0]}", "header"))
    if expectation.without_header is not None:
        fields.append((f"header {expectation.without_header}", "header"))
    if expectation.query is not None:
        fields.append((f"query parameter {expectation.query[0]}", "query"))
    if expectation.json_subset is not _UNSET:
        fields.append(("JSON body", "JSON"))
    if expectation.body is not None:
        fields.append(("body", "body"))
    return [name for name, key in fields if key not in differing]


def failure(headline: str, service: str, received: Sequence[Received], near: str = "") -> str:
    parts = [f"mockbdd: {headline}", listing(service, received)]
    if near:
        parts.append(near)
    return "\n".join(parts)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _values(values: Sequence[str] | None) -> str:
    if values is None:
        return "(absent)"
    return ", ".join(_q(v) for v in values)


def _compact(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 2 * EXCERPT else text[: 2 * EXCERPT - 3] + "..."
