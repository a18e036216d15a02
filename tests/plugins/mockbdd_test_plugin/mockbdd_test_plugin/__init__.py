"""One of each extension a plugin can add, small enough to check by eye over HTTP:

- delay type ``exactly`` (``{"type": "exactly", "ms": 250}``): waits ``ms``;
- content operator ``isPalindrome`` (``{"isPalindrome": true, "ignoreCase": true}``);
- custom matcher ``path-length`` (``{"name": "path-length", "parameters": {"max": 6}}``): the
  request path has at most ``max`` characters;
- response transformer ``upper``: the body in capitals (``transformerParameters.exclaim``
  appends ``!``).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mockbdd.domain.custom_matchers import CUSTOM_MATCHERS
from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.matching import EXACT, MatchResult
from mockbdd.domain.patterns import ContentPattern
from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import TRANSFORMERS, ResponseDefinition, TransformContext
from mockbdd.extensions import Extensions
from mockbdd.wire.delays import DELAY_TYPES, DelayType
from mockbdd.wire.patterns import CONTENT_OPERATORS, Operator, OperatorContext, option


@dataclass(frozen=True, slots=True)
class ExactDelay:
    ms: float

    def sample_ms(self, rng: random.Random) -> float:
        return self.ms


class ExactlyModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    ms: float = Field(ge=0, le=60_000)


EXACTLY = DelayType(
    ExactlyModel, ExactDelay, lambda model, pointer: ExactDelay(model.ms), lambda d: {"ms": d.ms}
)


@dataclass(frozen=True, slots=True)
class PalindromePattern(ContentPattern):
    ignore_case: bool = False
    key = "isPalindrome"

    def match(self, value: str | None) -> MatchResult:
        if value is None:
            return MatchResult(1.0)
        text = value.lower() if self.ignore_case else value
        differing = sum(a != b for a, b in zip(text, reversed(text), strict=True))
        return MatchResult(differing / len(text)) if text else EXACT

    def describe(self) -> str:
        return "isPalindrome"


def _palindrome(value: Any, obj: Mapping[str, Any], ctx: OperatorContext) -> ContentPattern:
    if value is not True:
        raise InvalidInput("", "isPalindrome must be true")
    return PalindromePattern(option(obj, "ignoreCase", bool, False))


class PathLength:
    """Matches a request whose path has at most ``max`` characters."""

    def check(self, parameters: Mapping[str, Any]) -> None:
        limit = parameters.get("max")
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise ValueError("path-length needs 'max', a whole number of at least 1")

    def match(self, request: RecordedRequest, parameters: Mapping[str, Any]) -> MatchResult:
        over = len(request.path) - int(parameters["max"])
        return EXACT if over <= 0 else MatchResult(min(1.0, over / len(request.path)))


class Upper:
    """The body in capitals; ``exclaim: true`` appends an exclamation mark."""

    def check(self, parameters: Mapping[str, Any]) -> None:
        if not isinstance(parameters.get("exclaim", False), bool):
            raise ValueError("'exclaim' must be true or false")

    def transform(
        self,
        response: ResponseDefinition,
        request: RecordedRequest,
        parameters: Mapping[str, Any],
        context: TransformContext,
    ) -> ResponseDefinition:
        body = response.body.upper() + (b"!" if parameters.get("exclaim") else b"")
        return replace(response, body=body)


def register(extensions: Extensions) -> None:
    extensions.add(DELAY_TYPES, "exactly", EXACTLY)
    extensions.add(CONTENT_OPERATORS, "isPalindrome", Operator(_palindrome, ("ignoreCase",)))
    extensions.add(CUSTOM_MATCHERS, "path-length", PathLength())
    extensions.add(TRANSFORMERS, "upper", Upper())
