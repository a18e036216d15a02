"""A mockbdd plugin: one response transformer, one custom matcher, one service plugin.

- transformer ``stamp``: adds the header ``X-Stamp`` with ``transformerParameters.value``;
- custom matcher ``json-items``: the JSON body has at least ``min`` items at key ``field``;
- service plugin ``clock``: mounted as a service, answers ``GET /now`` with a clock that moves
  ``step`` seconds per call from ``epoch``, and ``POST /reset``; other paths fall through to the
  namespace's stubs.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from mockbdd.domain.custom_matchers import CUSTOM_MATCHERS
from mockbdd.domain.matching import EXACT, MatchResult
from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import TRANSFORMERS, ResponseDefinition, TransformContext
from mockbdd.domain.service_plugins import SERVICE_PLUGINS
from mockbdd.extensions import Extensions

JSON = (("Content-Type", "application/json"),)


class Stamp:
    """A response transformer: ``check`` once per stub, ``transform`` per request."""

    def check(self, parameters: Mapping[str, Any]) -> None:
        if not isinstance(parameters.get("value"), str):
            raise ValueError("stamp needs 'value', the text of the X-Stamp header")

    def transform(
        self,
        response: ResponseDefinition,
        request: RecordedRequest,
        parameters: Mapping[str, Any],
        context: TransformContext,
    ) -> ResponseDefinition:
        return replace(response, headers=(*response.headers, ("X-Stamp", parameters["value"])))


class JsonItems:
    """A custom matcher: a distance of 0.0 matches; more is how far off it is (near misses)."""

    def check(self, parameters: Mapping[str, Any]) -> None:
        if not isinstance(parameters.get("field"), str):
            raise ValueError("json-items needs 'field', the key of the list")
        least = parameters.get("min", 1)
        if not isinstance(least, int) or isinstance(least, bool) or least < 0:
            raise ValueError("'min' must be a whole number of at least 0")

    def match(self, request: RecordedRequest, parameters: Mapping[str, Any]) -> MatchResult:
        try:
            items = json.loads(request.body.raw or b"null")[parameters["field"]]
        except (ValueError, KeyError, TypeError):
            return MatchResult(1.0)
        least = int(parameters.get("min", 1))
        if not isinstance(items, list):
            return MatchResult(1.0)
        return EXACT if len(items) >= least else MatchResult(1 - len(items) / least)


class MountedClock:
    def __init__(self, epoch: int, step: int) -> None:
        self._epoch, self._step, self._calls = epoch, step, 0

    async def answer(self, request: RecordedRequest, path: str) -> ResponseDefinition | None:
        if (request.method, path) == ("GET", "/now"):
            now = self._epoch + self._calls * self._step
            self._calls += 1
            return ResponseDefinition(200, headers=JSON, body=json.dumps({"now": now}).encode())
        if (request.method, path) == ("POST", "/reset"):
            self._calls = 0
            return ResponseDefinition(204)
        return None  # not the plugin's: the namespace's stubs answer it

    async def close(self) -> None:
        pass


class Clock:
    """A service plugin: ``check`` the config, then ``mount`` a fresh clock per mount."""

    def check(self, config: Mapping[str, Any]) -> None:
        for key in ("epoch", "step"):
            value = config.get(key, 0)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"'{key}' must be a whole number of seconds")

    def mount(self, service: str, config: Mapping[str, Any], rng: random.Random) -> MountedClock:
        return MountedClock(int(config.get("epoch", 0)), int(config.get("step", 1)))


def register(extensions: Extensions) -> None:
    extensions.add(TRANSFORMERS, "stamp", Stamp())
    extensions.add(CUSTOM_MATCHERS, "json-items", JsonItems())
    extensions.add(SERVICE_PLUGINS, "clock", Clock())
