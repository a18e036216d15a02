"""RequestPattern: what a stub (or a verification) matches, with a distance for near misses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from mockbdd.domain.custom_matchers import CustomMatch
from mockbdd.domain.matching import EXACT, NO_MATCH, MatchResult, levenshtein_distance
from mockbdd.domain.patterns import ContentPattern, MultiValuePattern
from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.urls import AnyUrl, UrlEqualTo, UrlMatcher, UrlPathEqualTo

_EMPTY: Mapping[str, MultiValuePattern] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class FieldResult:
    """One line of a near-miss diff: which field, what was expected, what came, how far apart."""

    field: str
    expected: str
    actual: str
    result: MatchResult


@dataclass(frozen=True, slots=True)
class RequestMatchResult:
    """The rows of a comparison and their weighted mean distance (``weight``: sum of weights)."""

    fields: tuple[FieldResult, ...]
    distance: float
    weight: float = 1.0

    @property
    def is_exact(self) -> bool:
        return self.distance == 0.0

    def with_row(self, row: FieldResult, weight: float = 1.0) -> RequestMatchResult:
        """One more row (e.g. a stub's scenario state), folded into the weighted mean."""
        total = self.weight + weight
        distance = (self.distance * self.weight + row.result.distance * weight) / total
        return RequestMatchResult((*self.fields, row), distance, total)


@dataclass(frozen=True, slots=True)
class BasicAuth:
    username: str
    password: str
    header_value: str  # "Basic <base64>", computed once

    def accepts(self, value: str) -> bool:
        """The scheme is case-insensitive (real WireMock 3.13.2 accepts ``basic`` and ``BASIC``)."""
        return value == self.header_value or (
            value[6:] == self.header_value[6:] and value[:6].lower() == "basic "
        )


GET_OR_HEAD = "GET_OR_HEAD"  # WireMock's method that matches both GET and HEAD
_GET_OR_HEAD_METHODS = frozenset(("GET", "HEAD"))


@dataclass(frozen=True, slots=True)
class RequestPattern:
    method: str = "ANY"
    url: UrlMatcher = field(default_factory=AnyUrl)
    query_parameters: Mapping[str, MultiValuePattern] = field(default_factory=dict)
    headers: Mapping[str, MultiValuePattern] = field(default_factory=dict)  # keys lower-cased
    cookies: Mapping[str, MultiValuePattern] = field(default_factory=dict)
    form_parameters: Mapping[str, MultiValuePattern] = field(default_factory=dict)
    basic_auth: BasicAuth | None = None
    body_patterns: tuple[ContentPattern, ...] = ()
    host: ContentPattern | None = None
    port: int | None = None
    scheme: str | None = None
    client_ip: ContentPattern | None = None  # WireMock 3.13 ``clientIp``
    header_names: Mapping[str, str] = field(default_factory=dict)  # lower -> as written
    custom_matcher: CustomMatch | None = None  # WireMock ``customMatcher``, checked last
    # ("url" | "urlPath", value) when only the method and a literal URL constrain the request
    simple_url: tuple[str, str] | None = field(init=False, default=None)
    url_only: bool = field(init=False, default=False)  # only the method and the URL constrain

    def __post_init__(self) -> None:
        only_url = not (
            self.query_parameters
            or self.headers
            or self.cookies
            or self.form_parameters
            or self.basic_auth
            or self.body_patterns
            or self.host
            or self.port
            or self.scheme
            or self.client_ip
            or self.custom_matcher
        )
        object.__setattr__(self, "url_only", only_url)
        literal = isinstance(self.url, UrlEqualTo | UrlPathEqualTo)
        if only_url and literal and self.method != GET_OR_HEAD:  # journal tallies are per method
            object.__setattr__(self, "simple_url", (self.url.key, self.url.expected))

    def accepts_method(self, method: str) -> bool:
        return (
            self.method == "ANY"
            or self.method == method
            or (self.method == GET_OR_HEAD and method in _GET_OR_HEAD_METHODS)
        )

    def matches(self, request: RecordedRequest) -> bool:
        """Fast path: short-circuits on the first field that does not match."""
        if (
            self.method != "ANY"
            and self.method != request.method
            and not (self.method == GET_OR_HEAD and request.method in _GET_OR_HEAD_METHODS)
        ):
            return False
        if not self.url.test(request):
            return False
        if self.url_only:  # most stubs: nothing else to look at
            return True
        for name, p in self.headers.items():
            if not p.match_values(request.headers.get(name)).is_exact:
                return False
        for name, p in self.query_parameters.items():
            if not p.match_values(request.query.get(name)).is_exact:
                return False
        if self.basic_auth is not None:
            values = request.headers.get("authorization")
            if not values or not self.basic_auth.accepts(values[0]):
                return False
        for name, p in self.cookies.items():
            if not p.match_values(request.cookies.get(name)).is_exact:
                return False
        if self.form_parameters:
            form = request.form
            for name, p in self.form_parameters.items():
                if not p.match_values(form.get(name)).is_exact:
                    return False
        if self.host is not None and not self.host.match(request.host).is_exact:
            return False
        if self.port is not None and self.port != request.port:
            return False
        if self.scheme is not None and self.scheme != request.scheme:
            return False
        if self.client_ip is not None and not self.client_ip.match(request.client_ip).is_exact:
            return False
        if not all(p.match_body(request.body).is_exact for p in self.body_patterns):
            return False
        return self.custom_matcher is None or self.custom_matcher.match(request).is_exact

    def evaluate(self, request: RecordedRequest) -> RequestMatchResult:
        """Slow path for near misses and reports: every field, with a weighted mean distance."""
        rows: list[FieldResult] = []
        weights: list[float] = []

        def add(name: str, expected: str, actual: str, result: MatchResult, weight: float) -> None:
            rows.append(FieldResult(name, expected, actual, result))
            weights.append(weight)

        method_ok = self.accepts_method(request.method)
        add("method", self.method, request.method, EXACT if method_ok else NO_MATCH, 1.0)
        add("url", self.url.describe(), request.url, self.url.match(request), 2.0)
        for name, p in self.headers.items():
            actual = request.headers.get(name)
            label = f"header {self.header_names.get(name, name)}"
            add(label, p.describe(), _show(actual), p.match_values(actual), 1.0)
        for name, p in self.query_parameters.items():
            actual = request.query.get(name)
            add(f"query {name}", p.describe(), _show(actual), p.match_values(actual), 1.0)
        if self.basic_auth is not None:
            values = request.headers.get("authorization")
            ok = bool(values) and values is not None and self.basic_auth.accepts(values[0])
            add(
                "basic auth",
                f"{self.basic_auth.username}:{self.basic_auth.password}",
                _show(values),
                MatchResult.of(ok),
                1.0,
            )
        for name, p in self.cookies.items():
            actual = request.cookies.get(name)
            add(f"cookie {name}", p.describe(), _show(actual), p.match_values(actual), 1.0)
        for name, p in self.form_parameters.items():
            actual = request.form.get(name)
            add(f"form {name}", p.describe(), _show(actual), p.match_values(actual), 1.0)
        if self.host is not None:
            add("host", self.host.describe(), request.host, self.host.match(request.host), 1.0)
        if self.port is not None:
            ok = self.port == request.port
            add("port", str(self.port), str(request.port), MatchResult.of(ok), 1.0)
        if self.scheme is not None:
            ok = self.scheme == request.scheme
            add("scheme", self.scheme, request.scheme, MatchResult.of(ok), 1.0)
        if self.client_ip is not None:
            ip, pattern = request.client_ip, self.client_ip
            add("client IP", pattern.describe(), ip, pattern.match(ip), 1.0)
        body_text = _clip(request.body.text)
        for bp in self.body_patterns:
            add("body", bp.describe(), body_text, bp.match_body(request.body), 1.0)
        if self.custom_matcher is not None:
            custom = self.custom_matcher
            add("custom matcher", custom.describe(), request.url, custom.match(request), 1.0)
        total = sum(r.result.distance * w for r, w in zip(rows, weights, strict=True))
        return RequestMatchResult(tuple(rows), total / sum(weights), sum(weights))


def _show(values: Sequence[str] | None) -> str:
    if values is None:
        return "(absent)"
    return values[0] if len(values) == 1 else ", ".join(values)


def _clip(text: str, limit: int = 2000) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


__all__ = [
    "BasicAuth",
    "FieldResult",
    "RequestMatchResult",
    "RequestPattern",
    "levenshtein_distance",
]
