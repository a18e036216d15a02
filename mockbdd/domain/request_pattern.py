"""RequestPattern: what a stub (or a verification) matches, with a distance for near misses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field
from types import MappingProxyType

from mockbdd.domain.custom_matchers import CustomMatch
from mockbdd.domain.matching import EXACT, NO_MATCH, MatchResult, levenshtein_distance
from mockbdd.domain.patterns import ContentPattern, MultiValuePattern
from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.urls import AnyUrl, UrlEqualTo, UrlMatcher, UrlPathEqualTo, UrlPathTemplate
from mockbdd.records import record

_EMPTY: Mapping[str, MultiValuePattern] = MappingProxyType({})
_NO_VALUES: Mapping[str, list[str]] = MappingProxyType({})

# How far a request is from a pattern, as WireMock 3.13.2 ranks near misses (RequestPattern.match
# in src/main/java/com/github/tomakehurst/wiremock/matching/RequestPattern.java:103-138, with
# MatchResult.aggregateWeighted and WeightedAggregateMatchResult.getDistance): a weighted mean,
# sum(weight * distance) / sum(weight), where a field the pattern leaves open counts as an exact
# match of its weight. The request line comes first: scheme 3, host 10, port 10, client IP 3,
# URL 10, method 3. When any of it differs, that is the distance (out of 39): headers and body
# are not looked at, so a stub on another URL ranks farther than one with a wrong header.
# Otherwise seven parts follow at weight 1, each the plain mean of its entries
# (MatchResult.aggregate): path parameters, headers (basic auth is an Authorization header),
# query, form, cookies, body, multipart (not supported here: always exact); out of 46.
# Ties keep the store's order (near_miss.closest_stubs). Checked against a real WireMock 3.13.2
# in tests/integration/test_near_miss_http.py. Kept apart on purpose, at the level of single
# patterns: a URL regex or template that does not match is as far as the pattern's text (WireMock
# says 1.0 for a regex), and near_miss adds a row for a stub skipped for its scenario state.
SCHEME_WEIGHT = 3.0
HOST_WEIGHT = 10.0
PORT_WEIGHT = 10.0
CLIENT_IP_WEIGHT = 3.0
URL_WEIGHT = 10.0
METHOD_WEIGHT = 3.0
LINE_WEIGHT = 39.0  # the six above
FULL_WEIGHT = LINE_WEIGHT + 7.0  # and the seven parts


@record
class FieldResult:
    """One line of a near-miss diff: which field, what was expected, what came, how far apart."""

    field: str
    expected: str
    actual: str
    result: MatchResult


@record
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


@record
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


@record
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

    def evaluate(
        self, request: RecordedRequest, *, full: bool = True, within: float | None = None
    ) -> RequestMatchResult:
        """Slow path for near misses and reports: a diff row per field, and the distance as
        WireMock ranks it (see ``LINE_WEIGHT``). For ranking: with ``full=False`` a request line
        that differs ends the comparison (the distance is the same), and with ``within`` a
        distance above it may come back as any value above it (bodies are compared with that
        bound: far cheaper when they are far apart)."""
        head, tail, line = self._request_line(request)
        if line and not full:
            return RequestMatchResult(head + tail, line / LINE_WEIGHT, LINE_WEIGHT)
        paths, headers, query, cookies, form, body = parts = self._parts(request, within)
        rows = head + paths + headers + query + cookies + form + tail + body
        if line:
            return RequestMatchResult(rows, line / LINE_WEIGHT, LINE_WEIGHT)
        distance = sum(_mean(part) for part in parts) / FULL_WEIGHT
        return RequestMatchResult(rows, distance, FULL_WEIGHT)

    def _request_line(
        self, request: RecordedRequest
    ) -> tuple[tuple[FieldResult, ...], tuple[FieldResult, ...], float]:
        """The rows WireMock weighs first: (method, URL), (host, port, scheme, client IP), and
        the sum of their weighted distances (0.0 only when all of them match)."""
        url = self.url.match_line(request)
        method = MatchResult.of(self.accepts_method(request.method))
        head = (
            FieldResult("method", self.method, request.method, method),
            FieldResult("url", self.url.describe(), request.url, url),
        )
        line = METHOD_WEIGHT * method.distance + URL_WEIGHT * url.distance
        tail: list[FieldResult] = []
        if self.host is not None:
            host = self.host.match(request.host)
            tail.append(FieldResult("host", self.host.describe(), request.host, host))
            line += HOST_WEIGHT * host.distance
        if self.port is not None:
            port = MatchResult.of(self.port == request.port)
            tail.append(FieldResult("port", str(self.port), str(request.port), port))
            line += PORT_WEIGHT * port.distance
        if self.scheme is not None:
            scheme = MatchResult.of(self.scheme == request.scheme)
            tail.append(FieldResult("scheme", self.scheme, request.scheme, scheme))
            line += SCHEME_WEIGHT * scheme.distance
        if self.client_ip is not None:
            ip = self.client_ip.match(request.client_ip)
            tail.append(FieldResult("client IP", self.client_ip.describe(), request.client_ip, ip))
            line += CLIENT_IP_WEIGHT * ip.distance
        return head, tuple(tail), line

    def _parts(
        self, request: RecordedRequest, within: float | None = None
    ) -> tuple[tuple[FieldResult, ...], ...]:
        """The parts WireMock weighs once the request line matches, one row per entry: path
        parameters, headers (basic auth among them), query, cookies, form, body."""
        paths = self._path_parameters(request)
        headers = [
            _multi(f"header {self.header_names.get(name, name)}", p, request.headers.get(name))
            for name, p in self.headers.items()
        ]
        if self.basic_auth is not None:
            headers.append(_basic_auth(self.basic_auth, request.headers.get("authorization")))
        query = [
            _multi(f"query {n}", p, request.query.get(n)) for n, p in self.query_parameters.items()
        ]
        cookies = [
            _multi(f"cookie {n}", p, request.cookies.get(n)) for n, p in self.cookies.items()
        ]
        form_values = request.form if self.form_parameters else _NO_VALUES
        form = [_multi(f"form {n}", p, form_values.get(n)) for n, p in self.form_parameters.items()]
        parts = (paths, tuple(headers), tuple(query), tuple(cookies), tuple(form))
        body = self._body(request, _body_limit(parts, within, len(self.body_patterns)))
        if self.custom_matcher is not None:  # weighed with the body: both judge the content
            custom = self.custom_matcher
            row = FieldResult(
                "custom matcher", custom.describe(), request.url, custom.match(request)
            )
            body = (*body, row)
        return (*parts, body)

    def _body(self, request: RecordedRequest, limit: float) -> tuple[FieldResult, ...]:
        if not self.body_patterns:
            return ()
        text = _clip(request.body.text)
        if limit < 0.0:  # too far whatever the body: not compared
            return tuple(
                FieldResult("body", bp.describe(), text, NO_MATCH) for bp in self.body_patterns
            )
        return tuple(
            FieldResult("body", bp.describe(), text, bp.match_body_within(request.body, limit))
            for bp in self.body_patterns
        )

    def _path_parameters(self, request: RecordedRequest) -> tuple[FieldResult, ...]:
        url = self.url
        if not isinstance(url, UrlPathTemplate) or not url.path_parameters:
            return ()
        values = url.variables(request.path) or {}
        return tuple(
            FieldResult(
                f"path parameter {name}",
                p.describe(),
                values.get(name, "(absent)"),
                p.match(values[name]) if name in values else NO_MATCH,
            )
            for name, p in url.path_parameters.items()
        )


def _multi(label: str, pattern: MultiValuePattern, values: Sequence[str] | None) -> FieldResult:
    return FieldResult(label, pattern.describe(), _show(values), pattern.match_values(values))


def _basic_auth(auth: BasicAuth, values: Sequence[str] | None) -> FieldResult:
    """WireMock compares basic auth as an ``Authorization`` header ``equalTo``: edit distance."""
    if not values:
        result = NO_MATCH
    elif auth.accepts(values[0]):
        result = EXACT
    else:
        result = MatchResult(levenshtein_distance(auth.header_value, values[0]))
    return FieldResult("basic auth", f"{auth.username}:{auth.password}", _show(values), result)


def _body_limit(parts: tuple[tuple[FieldResult, ...], ...], within: float | None, n: int) -> float:
    """How far each of ``n`` body patterns may be for the whole to stay ``within``: the body
    part's mean must fit in what the other parts leave of ``within * FULL_WEIGHT`` (rows added
    later, such as a scenario's, only add distance, so the bound stays safe)."""
    if within is None or n == 0:
        return 1.0
    budget = within * FULL_WEIGHT * (1 + 1e-9) + 1e-12 - sum(_mean(part) for part in parts)
    return min(1.0, n * budget)


def _mean(rows: tuple[FieldResult, ...]) -> float:
    """WireMock's ``MatchResult.aggregate`` of a part's entries; a part with none is exact."""
    return sum(r.result.distance for r in rows) / len(rows) if rows else 0.0


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
