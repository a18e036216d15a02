"""Content patterns (WireMock's StringValuePattern family), composable and registered by key.

Only the abstract shapes live here for now; concrete patterns are added below them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from mockbdd.domain.matching import MatchResult
from mockbdd.domain.requests import Body


class ContentPattern(ABC):
    """A pattern over one string value; ``None`` means the value is absent."""

    key: str = ""  # WireMock's JSON key, e.g. "equalTo"

    @abstractmethod
    def match(self, value: str | None) -> MatchResult: ...

    def match_body(self, body: Body) -> MatchResult:
        """Match a request body; JSON and binary patterns override this to use the cached views."""
        return self.match(body.text if body.raw else None)

    @abstractmethod
    def describe(self) -> str:
        """Short human text for near-miss reports, e.g. ``equalTo "abc"``."""


class MultiValuePattern(ABC):
    """A pattern over every value of a multi-valued field (query parameter, header)."""

    @abstractmethod
    def match_values(self, values: Sequence[str] | None) -> MatchResult: ...

    @abstractmethod
    def describe(self) -> str: ...
