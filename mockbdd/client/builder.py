"""A small, WireMock-flavoured fluent builder that produces StubMapping dicts.

``stub_for(get("/x").with_header("Accept", equal_to("application/json")).will_return(ok()))``
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Mapping
from typing import Any

from mockbdd.records import record

Pattern = dict[str, Any]
"""A WireMock content pattern, e.g. ``{"equalTo": "x"}``."""


# -- URL matchers ---------------------------------------------------------------------------
@record
class UrlMatcher:
    """One of WireMock's URL fields and its value."""

    field: str
    value: str


def url_equal_to(url: str) -> UrlMatcher:
    """Path and query, exactly."""
    return UrlMatcher("url", url)


def url_matching(regex: str) -> UrlMatcher:
    return UrlMatcher("urlPattern", regex)


def url_path_equal_to(path: str) -> UrlMatcher:
    return UrlMatcher("urlPath", path)


def url_path_matching(regex: str) -> UrlMatcher:
    return UrlMatcher("urlPathPattern", regex)


def url_path_template(template: str) -> UrlMatcher:
    return UrlMatcher("urlPathTemplate", template)


# -- content patterns -----------------------------------------------------------------------
def equal_to(value: str, *, case_insensitive: bool = False) -> Pattern:
    pattern: Pattern = {"equalTo": value}
    if case_insensitive:
        pattern["caseInsensitive"] = True
    return pattern


def containing(value: str) -> Pattern:
    return {"contains": value}


def not_containing(value: str) -> Pattern:
    return {"doesNotContain": value}


def matching(regex: str) -> Pattern:
    return {"matches": regex}


def not_matching(regex: str) -> Pattern:
    return {"doesNotMatch": regex}


def absent() -> Pattern:
    return {"absent": True}


def equal_to_json(
    value: Any, *, ignore_array_order: bool = False, ignore_extra_elements: bool = False
) -> Pattern:
    pattern: Pattern = {"equalToJson": value}
    if ignore_array_order:
        pattern["ignoreArrayOrder"] = True
    if ignore_extra_elements:
        pattern["ignoreExtraElements"] = True
    return pattern


def matching_json_path(path: str, pattern: Pattern | None = None) -> Pattern:
    """Presence of a JSONPath, or its value matching ``pattern``."""
    if pattern is None:
        return {"matchesJsonPath": path}
    return {"matchesJsonPath": {"expression": path, **pattern}}


def _as_pattern(value: str | Pattern) -> Pattern:
    return equal_to(value) if isinstance(value, str) else dict(value)


# -- responses ------------------------------------------------------------------------------
class ResponseBuilder:
    """A ResponseDefinition; ``times(n)`` only matters inside ``responses_in_order``."""

    def __init__(self, status: int = 200) -> None:
        self._data: dict[str, Any] = {"status": status}

    def with_status(self, status: int) -> ResponseBuilder:
        self._data["status"] = status
        return self

    def with_status_message(self, message: str) -> ResponseBuilder:
        self._data["statusMessage"] = message
        return self

    def with_header(self, name: str, value: str) -> ResponseBuilder:
        self._data.setdefault("headers", {})[name] = value
        return self

    def _body(self, key: str, value: Any) -> ResponseBuilder:
        for other in ("body", "jsonBody", "base64Body", "bodyFileName"):
            self._data.pop(other, None)
        self._data[key] = value
        return self

    def with_body(self, body: str) -> ResponseBuilder:
        return self._body("body", body)

    def with_json_body(self, body: Any) -> ResponseBuilder:
        return self._body("jsonBody", body)

    def with_binary_body(self, body: bytes) -> ResponseBuilder:
        return self._body("base64Body", base64.b64encode(body).decode())

    def with_body_file(self, name: str) -> ResponseBuilder:
        return self._body("bodyFileName", name)

    def with_fixed_delay(self, milliseconds: int) -> ResponseBuilder:
        self._data["fixedDelayMilliseconds"] = milliseconds
        return self

    def with_uniform_random_delay(self, lower: int, upper: int) -> ResponseBuilder:
        self._data["delayDistribution"] = {"type": "uniform", "lower": lower, "upper": upper}
        return self

    def with_log_normal_random_delay(self, median: float, sigma: float) -> ResponseBuilder:
        self._data["delayDistribution"] = {"type": "lognormal", "median": median, "sigma": sigma}
        return self

    def with_fault(self, fault: str) -> ResponseBuilder:
        self._data["fault"] = fault
        return self

    def with_transformers(self, *names: str) -> ResponseBuilder:
        self._data["transformers"] = list(names)
        return self

    def proxied_from(self, base_url: str) -> ResponseBuilder:
        self._data["proxyBaseUrl"] = base_url
        return self

    def times(self, count: int) -> ResponseBuilder:
        self._data["times"] = count
        return self

    def build(self) -> dict[str, Any]:
        return copy.deepcopy(self._data)


def a_response() -> ResponseBuilder:
    return ResponseBuilder()


def ok(body: str | None = None) -> ResponseBuilder:
    response = ResponseBuilder(200)
    return response.with_body(body) if body is not None else response


def not_found() -> ResponseBuilder:
    return ResponseBuilder(404)


def server_error() -> ResponseBuilder:
    return ResponseBuilder(500)


@record
class ResponseSequence:
    """``responses`` (mockbdd extension): played in order, then ``when_exhausted``."""

    responses: tuple[ResponseBuilder, ...]
    when_exhausted: str | None = None


def responses_in_order(
    *responses: ResponseBuilder, when_exhausted: str | None = None
) -> ResponseSequence:
    """``when_exhausted``: ``repeatLast`` (server default), ``loop`` or ``notFound``."""
    if not responses:
        raise ValueError("responses_in_order needs at least one response")
    return ResponseSequence(responses, when_exhausted)


# -- scenarios ------------------------------------------------------------------------------
@record
class Scenario:
    """``in_scenario("s").when_scenario_state_is("Started").will_set_state_to("next")``."""

    name: str
    required_state: str | None = None
    new_state: str | None = None

    def when_scenario_state_is(self, state: str) -> Scenario:
        return Scenario(self.name, state, self.new_state)

    def will_set_state_to(self, state: str) -> Scenario:
        return Scenario(self.name, self.required_state, state)


STARTED = "Started"


def in_scenario(name: str) -> Scenario:
    return Scenario(name)


# -- mappings -------------------------------------------------------------------------------
class MappingBuilder:
    """A StubMapping (or, via ``request_pattern()``, a RequestPattern for verification)."""

    def __init__(self, method: str, url: str | UrlMatcher) -> None:
        matcher = url if isinstance(url, UrlMatcher) else url_path_equal_to(url)
        self._request: dict[str, Any] = {"method": method, matcher.field: matcher.value}
        self._response: ResponseBuilder | ResponseSequence | None = None
        self._extra: dict[str, Any] = {}
        self._scenario: Scenario | None = None

    def _add(self, key: str, name: str, value: str | Pattern) -> MappingBuilder:
        self._request.setdefault(key, {})[name] = _as_pattern(value)
        return self

    def with_header(self, name: str, value: str | Pattern) -> MappingBuilder:
        return self._add("headers", name, value)

    def with_query_param(self, name: str, value: str | Pattern) -> MappingBuilder:
        return self._add("queryParameters", name, value)

    def with_cookie(self, name: str, value: str | Pattern) -> MappingBuilder:
        return self._add("cookies", name, value)

    def with_form_param(self, name: str, value: str | Pattern) -> MappingBuilder:
        return self._add("formParameters", name, value)

    def with_path_param(self, name: str, value: str | Pattern) -> MappingBuilder:
        return self._add("pathParameters", name, value)

    def with_request_body(self, pattern: str | Pattern) -> MappingBuilder:
        self._request.setdefault("bodyPatterns", []).append(_as_pattern(pattern))
        return self

    def with_json_body(self, body: Any, *, ignore_extra_elements: bool = False) -> MappingBuilder:
        """The request body equals this JSON (``equalToJson``)."""
        return self.with_request_body(
            equal_to_json(body, ignore_extra_elements=ignore_extra_elements)
        )

    def with_basic_auth(self, username: str, password: str) -> MappingBuilder:
        self._request["basicAuthCredentials"] = {"username": username, "password": password}
        return self

    def with_id(self, stub_id: str) -> MappingBuilder:
        self._extra["id"] = stub_id
        return self

    def with_name(self, name: str) -> MappingBuilder:
        self._extra["name"] = name
        return self

    def at_priority(self, priority: int) -> MappingBuilder:
        self._extra["priority"] = priority
        return self

    def with_metadata(self, metadata: Mapping[str, Any]) -> MappingBuilder:
        self._extra["metadata"] = dict(metadata)
        return self

    def in_scenario(self, scenario: str | Scenario) -> MappingBuilder:
        self._scenario = scenario if isinstance(scenario, Scenario) else Scenario(scenario)
        return self

    def when_scenario_state_is(self, state: str) -> MappingBuilder:
        self._scenario = self._require_scenario().when_scenario_state_is(state)
        return self

    def will_set_state_to(self, state: str) -> MappingBuilder:
        self._scenario = self._require_scenario().will_set_state_to(state)
        return self

    def _require_scenario(self) -> Scenario:
        if self._scenario is None:
            raise ValueError("call in_scenario(name) before setting scenario states")
        return self._scenario

    def will_return(self, response: ResponseBuilder | ResponseSequence) -> MappingBuilder:
        self._response = response
        return self

    def request_pattern(self) -> dict[str, Any]:
        return copy.deepcopy(self._request)

    def build(self) -> dict[str, Any]:
        mapping: dict[str, Any] = {**copy.deepcopy(self._extra), "request": self.request_pattern()}
        response = self._response if self._response is not None else ok()
        if isinstance(response, ResponseSequence):
            mapping["responses"] = [r.build() for r in response.responses]
            if response.when_exhausted is not None:
                mapping["whenExhausted"] = response.when_exhausted
        else:
            mapping["response"] = response.build()
        if self._scenario is not None:
            mapping["scenarioName"] = self._scenario.name
            if self._scenario.required_state is not None:
                mapping["requiredScenarioState"] = self._scenario.required_state
            if self._scenario.new_state is not None:
                mapping["newScenarioState"] = self._scenario.new_state
        return mapping


def request(method: str, url: str | UrlMatcher) -> MappingBuilder:
    """Any method; a plain string is a ``urlPath``."""
    return MappingBuilder(method.upper(), url)


def get(url: str | UrlMatcher) -> MappingBuilder:
    return MappingBuilder("GET", url)


def post(url: str | UrlMatcher) -> MappingBuilder:
    return MappingBuilder("POST", url)


def put(url: str | UrlMatcher) -> MappingBuilder:
    return MappingBuilder("PUT", url)


def delete(url: str | UrlMatcher) -> MappingBuilder:
    return MappingBuilder("DELETE", url)


def patch(url: str | UrlMatcher) -> MappingBuilder:
    return MappingBuilder("PATCH", url)


def any_method(url: str | UrlMatcher) -> MappingBuilder:
    return MappingBuilder("ANY", url)


def stub_for(mapping: MappingBuilder) -> dict[str, Any]:
    """The StubMapping dict of ``mapping`` (send it with ``client.create_stub``)."""
    return mapping.build()


MappingLike = Mapping[str, Any] | MappingBuilder
"""A StubMapping dict, or a builder."""


def mapping_json(mapping: MappingLike) -> dict[str, Any]:
    return mapping.build() if isinstance(mapping, MappingBuilder) else dict(mapping)


def pattern_json(pattern: MappingLike) -> dict[str, Any]:
    """A RequestPattern dict; a builder gives its request part."""
    return pattern.request_pattern() if isinstance(pattern, MappingBuilder) else dict(pattern)
