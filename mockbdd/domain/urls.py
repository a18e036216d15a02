"""URL matchers: the five WireMock URL fields, each with an optional literal path for the stub index."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import field
from types import MappingProxyType

from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.matching import EXACT, MatchResult, levenshtein_distance
from mockbdd.domain.patterns import ContentPattern
from mockbdd.domain.requests import RecordedRequest
from mockbdd.records import record


class UrlMatcher:
    """Base: matches the request URL. ``literal_path`` is set when only one path can match."""

    key = ""
    literal_path: str | None = None
    expected: str  # set by every subclass

    def match(self, request: RecordedRequest) -> MatchResult:  # pragma: no cover - abstract
        raise NotImplementedError

    def match_line(self, request: RecordedRequest) -> MatchResult:
        """The URL as WireMock weighs it in the request line: ``match`` without a template's
        path parameters (those are a part of their own, weighed after the request line)."""
        return self.match(request)

    def may_match_path(self, path: str) -> bool:
        """False only when no request for ``path`` can match (used to pre-filter per path)."""
        return True

    def test(self, request: RecordedRequest) -> bool:
        """Hot path: does the URL match exactly? (No distance computed.)"""
        return self.match(request).is_exact

    def describe(self) -> str:
        return f"{self.key} {self.expected}" if self.key else "any URL"


@record
class AnyUrl(UrlMatcher):
    expected: str = ""

    def match(self, request: RecordedRequest) -> MatchResult:
        return EXACT

    def test(self, request: RecordedRequest) -> bool:
        return True


@record
class UrlEqualTo(UrlMatcher):
    """``url``: path and query string, exactly."""

    expected: str
    key = "url"
    literal_path: str | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "literal_path", self.expected.split("?", 1)[0])

    def test(self, request: RecordedRequest) -> bool:
        return request.url == self.expected

    def match(self, request: RecordedRequest) -> MatchResult:
        if request.url == self.expected:
            return EXACT
        return MatchResult(levenshtein_distance(request.url, self.expected))


@record
class UrlPathEqualTo(UrlMatcher):
    """``urlPath``: the path only, any query string."""

    expected: str
    key = "urlPath"
    literal_path: str | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "literal_path", self.expected)

    def test(self, request: RecordedRequest) -> bool:
        return request.path == self.expected

    def match(self, request: RecordedRequest) -> MatchResult:
        if request.path == self.expected:
            return EXACT
        return MatchResult(levenshtein_distance(request.path, self.expected))


@record
class UrlRegex(UrlMatcher):
    """``urlPattern`` (path + query) or ``urlPathPattern`` (path only): a full-match regex, in
    WireMock's (Java) dialect: compile it with ``patterns_regex.compile_java_regex``."""

    expected: str
    on_path: bool
    regex: re.Pattern[str]

    @property
    def key(self) -> str:  # type: ignore[override]
        return "urlPathPattern" if self.on_path else "urlPattern"

    def may_match_path(self, path: str) -> bool:
        return not self.on_path or self.regex.fullmatch(path) is not None

    def test(self, request: RecordedRequest) -> bool:
        return self.regex.fullmatch(request.path if self.on_path else request.url) is not None

    def match(self, request: RecordedRequest) -> MatchResult:
        actual = request.path if self.on_path else request.url
        if self.regex.fullmatch(actual):
            return EXACT
        return MatchResult(max(0.1, levenshtein_distance(actual, self.expected)))


_TEMPLATE_VAR = re.compile(r"\{([A-Za-z_][A-Za-z0-9_-]*)\}")


def _check_braces(template: str, pointer: str) -> None:
    """Every ``{`` opens a variable ``{name}`` that is closed: ``/contacts/{id`` is refused
    rather than matched as literal text no client ever sends."""
    rest = _TEMPLATE_VAR.sub("", template)
    if "{" in rest or "}" in rest:
        at = template.find("{" if "{" in rest else "}")
        raise InvalidInput(
            pointer,
            f"template {template!r} has an unmatched {template[at]!r} at position {at}: "
            "variables are written {name} (letters, digits, '_' or '-')",
        )


@record
class UrlPathTemplate(UrlMatcher):
    """``urlPathTemplate``: ``/contacts/{id}`` with optional ``pathParameters`` patterns per variable."""

    expected: str
    regex: re.Pattern[str]
    names: tuple[str, ...]
    path_parameters: Mapping[str, ContentPattern] = field(default_factory=dict)
    key = "urlPathTemplate"

    @staticmethod
    def build(
        template: str, path_parameters: Mapping[str, ContentPattern], pointer: str
    ) -> UrlPathTemplate:
        parts: list[str] = []
        names: list[str] = []
        pos = 0
        for m in _TEMPLATE_VAR.finditer(template):
            parts.append(re.escape(template[pos : m.start()]))
            parts.append(f"(?P<v{len(names)}>[^/]+)")
            names.append(m.group(1))
            pos = m.end()
        parts.append(re.escape(template[pos:]))
        _check_braces(template, pointer)
        if len(set(names)) != len(names):
            raise InvalidInput(pointer, f"template {template!r} repeats a variable name")
        unknown = sorted(set(path_parameters) - set(names))
        if unknown:
            raise InvalidInput(
                pointer.rsplit("/", 1)[0] + "/pathParameters",
                f"{unknown[0]!r} is not a variable of {template!r} (variables: {', '.join(names)})",
            )
        return UrlPathTemplate(
            template,
            re.compile("".join(parts)),
            tuple(names),
            MappingProxyType(dict(path_parameters)),
        )

    def may_match_path(self, path: str) -> bool:
        return self.regex.fullmatch(path) is not None

    def variables(self, path: str) -> dict[str, str] | None:
        m = self.regex.fullmatch(path)
        if m is None:
            return None
        return {name: m.group(f"v{i}") for i, name in enumerate(self.names)}

    def match_line(self, request: RecordedRequest) -> MatchResult:
        if self.regex.fullmatch(request.path) is not None:
            return EXACT
        return self._miss(request.path)

    def _miss(self, path: str) -> MatchResult:
        return MatchResult(max(0.1, levenshtein_distance(path, self.expected)))

    def match(self, request: RecordedRequest) -> MatchResult:
        values = self.variables(request.path)
        if values is None:
            return self._miss(request.path)
        if not self.path_parameters:
            return EXACT
        distances = [p.match(values[n]).distance for n, p in self.path_parameters.items()]
        return MatchResult(sum(distances) / len(distances))
