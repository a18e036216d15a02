"""Custom request matchers: WireMock's ``customMatcher {name, parameters}`` in a request pattern.

A plugin registers a :class:`CustomMatcher` under a name; a pattern naming it holds a
:class:`CustomMatch` (the matcher with the pattern's parameters), which the request pattern
checks after its other fields, as WireMock does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import field
from typing import Any, Protocol, runtime_checkable

from mockbdd.domain.frozen import thaw
from mockbdd.domain.matching import MatchResult
from mockbdd.domain.requests import RecordedRequest
from mockbdd.extensions import Kind
from mockbdd.records import record


@runtime_checkable
class CustomMatcher(Protocol):
    """Decides whether a recorded request matches, with a distance (0.0 exact, 1.0 nothing
    alike) so that near misses rank it. ``parameters`` are read-only JSON."""

    def check(self, parameters: Mapping[str, Any]) -> None:
        """Called once, when a pattern naming this matcher is decoded: raise ``ValueError``
        (its message is the reason) to refuse the pattern."""

    def match(self, request: RecordedRequest, parameters: Mapping[str, Any]) -> MatchResult: ...


CUSTOM_MATCHERS: Kind[CustomMatcher] = Kind(
    "custom matcher",
    lambda name, entry: "" if isinstance(entry, CustomMatcher) else "needs check() and match()",
)


@record
class CustomMatch:
    """A request pattern's ``customMatcher``: the registered matcher and its parameters."""

    name: str
    parameters: Mapping[str, Any]
    matcher: CustomMatcher = field(compare=False, repr=False)

    def match(self, request: RecordedRequest) -> MatchResult:
        return self.matcher.match(request, self.parameters)

    def describe(self) -> str:
        shown = json.dumps(thaw(self.parameters), sort_keys=True, default=str)
        return f"customMatcher {self.name} {shown}"
