"""What a service received, what a step expects (as a request pattern for the server), and the
report when they differ.

The engine is the only matcher: a step's expectation becomes a WireMock RequestPattern, the
server verifies it (``POST /__admin/requests/verify``) and answers with its near misses, one row
per field (method, URL, headers, query, JSON paths, body) already in a feature file's terms. A
failing assertion shows the requests the service received, the closest one and those rows, all
with service-relative paths as the feature file writes them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mockbdd.client.models import LoggedRequest, NearMiss
from mockbdd.services import service_path

_UNSET: Any = object()
LISTED_MAX = 20
EXCERPT = 100


def service_prefix(service: str) -> str:
    return f"/{service}"


def full_path(service: str, path: str) -> str:
    """``("payments", "/v1/charges")`` → ``/payments/v1/charges``."""
    return service_prefix(service) + path


def relative_url(url: str, service: str) -> str:
    prefix = service_prefix(service)
    if url == prefix or url.startswith((prefix + "/", prefix + "?")):
        return url[len(prefix) :] or "/"
    return url


@dataclass(frozen=True)
class Received:
    """One journaled request, seen from its service: ``url`` lacks the service prefix."""

    number: int  # 1-based, arrival order among the requests listed
    method: str
    url: str
    body: str

    @classmethod
    def from_logged(cls, number: int, logged: LoggedRequest, service: str) -> Received:
        return cls(number, logged.method, relative_url(logged.url, service), logged.body)

    def line(self) -> str:
        text = f"{self.number}. {self.method} {self.url}"
        body = " ".join(self.body.split())
        if body:
            text += "  " + (body if len(body) <= EXCERPT else body[: EXCERPT - 3] + "...")
        return text


@dataclass(frozen=True)
class Expectation:
    """A request a step expects, as the RequestPattern the server verifies (``pattern``).

    JSON bodies (phrases 19 and 25) are ``equalToJson`` with ``ignoreExtraElements``: objects
    may carry extra members and, as the engine (JsonUnit) reads that option, arrays may carry
    extra items after the expected ones; the expected items compare in order."""

    method: str
    path: str
    header: tuple[str, str] | None = None
    without_header: str | None = None
    query: tuple[str, str] | None = None
    json_subset: Any = field(default=_UNSET)
    body: str | None = None
    # any other body patterns, and the words that describe them ("whose last message ...")
    body_patterns: tuple[Mapping[str, Any], ...] = ()
    described: str = ""

    def describe(self) -> str:
        text = f"{self.method} request to {self.path}"
        if self.described:
            text += " " + self.described
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

    def route(self, service: str) -> dict[str, Any]:
        """The pattern of the route alone: the method on the service-relative path."""
        return {"method": self.method, "urlPath": service_path(service, self.path)}

    def pattern(self, service: str) -> dict[str, Any]:
        pattern = self.route(service)
        headers: dict[str, Any] = {}
        if self.header is not None:
            headers[self.header[0]] = {"equalTo": self.header[1]}
        if self.without_header is not None:
            headers[self.without_header] = {"absent": True}
        if headers:
            pattern["headers"] = headers
        if self.query is not None:
            pattern["queryParameters"] = {self.query[0]: {"equalTo": self.query[1]}}
        bodies: list[dict[str, Any]] = []
        if self.json_subset is not _UNSET:
            bodies.append({"equalToJson": self.json_subset, "ignoreExtraElements": True})
        if self.body is not None:  # an empty body is no body at all, to the engine
            bodies.append({"equalTo": self.body} if self.body else {"absent": True})
        bodies.extend(dict(p) for p in self.body_patterns)
        if bodies:
            pattern["bodyPatterns"] = bodies
        return pattern


def listing(service: str, received: Sequence[Received]) -> str:
    if not received:
        return f'"{service}" received no requests'
    shown = received[-LISTED_MAX:]
    head = f'"{service}" received {plural(len(received), "request")}'
    if len(shown) < len(received):
        head += f" (the last {len(shown)} shown)"
    return head + ":\n" + "\n".join("  " + r.line() for r in shown)


def diff_lines(miss: NearMiss, *, matched: bool = True) -> list[str]:
    """The server's rows: ``  field: expected E, got A`` for each mismatch, then (``matched``)
    ``  field: as expected`` for the fields that fit."""
    lines = [
        f"  {f.field}: expected {f.expected}, got {f.actual}" for f in miss.fields if not f.matched
    ]
    if matched:
        lines += [f"  {f.field}: as expected" for f in miss.fields if f.matched]
    return lines


def closest_report(misses: Sequence[NearMiss], service: str) -> str:
    """The closest request the server found, and its diff; '' when it found none."""
    if not misses:
        return ""
    near = misses[0]
    number = f"#{near.number} " if near.number is not None else ""
    url = relative_url(near.request.url, service)
    return "\n".join([f"closest request: {number}{near.request.method} {url}", *diff_lines(near)])


def failure(headline: str, service: str, received: Sequence[Received], near: str = "") -> str:
    parts = [f"mockbdd: {headline}", listing(service, received)]
    if near:
        parts.append(near)
    return "\n".join(parts)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _compact(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 2 * EXCERPT else text[: 2 * EXCERPT - 3] + "..."
