"""RequestPattern's two readings of one set of rules: ``matches`` (the hot path, a bool that stops
at the first field that differs) and ``evaluate`` (every field, and WireMock's distance). They
are written apart for speed, so a property test over random patterns and requests keeps them
honest: ``matches`` holds exactly when ``evaluate`` finds a full match, and the short
``evaluate(full=False)`` that ranking uses gives the same distance as the full one.

Patterns are drawn as WireMock JSON and decoded by the wire layer, as a stub would be; values
come from small alphabets, so that matches and near misses are both common. Derandomised: the
same examples on every run, so it never flakes.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockbdd.domain.request_pattern import FULL_WEIGHT, LINE_WEIGHT, RequestPattern
from mockbdd.domain.requests import Body, RecordedRequest
from mockbdd.wire.mappings import parse_request_pattern

WORDS = st.sampled_from(["a", "b", "ab", "A", "1", "42", ""])
PATHS = ["/a", "/b", "/a/1", "/a/42", "/ab"]
JSON_BODIES = ['{"a": 1}', '{"a": 2, "b": "x"}', "[1, 2]", "not json", ""]


def _string_patterns() -> st.SearchStrategy[dict[str, Any]]:
    leaf = st.one_of(
        st.builds(lambda v: {"equalTo": v}, WORDS),
        st.builds(lambda v: {"equalTo": v, "caseInsensitive": True}, WORDS),
        st.builds(lambda v: {"contains": v}, WORDS.filter(bool)),
        st.builds(lambda v: {"doesNotContain": v}, WORDS.filter(bool)),
        st.builds(lambda v: {"matches": v}, st.sampled_from(["a.*", "[0-9]+", ".*"])),
        st.builds(lambda v: {"doesNotMatch": v}, st.sampled_from(["a.*", "[0-9]+"])),
        st.builds(lambda v: {"equalToNumber": v}, st.sampled_from([1, 42])),
        st.builds(lambda v: {"greaterThanNumber": v}, st.sampled_from([1, 42])),
        st.just({"absent": True}),
        st.just({"anything": True}),
    )
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.builds(lambda p: {"not": p}, inner),
            st.builds(lambda ps: {"and": ps}, st.lists(inner, min_size=1, max_size=2)),
            st.builds(lambda ps: {"or": ps}, st.lists(inner, min_size=1, max_size=2)),
        ),
        max_leaves=3,
    )


STRING_PATTERNS = _string_patterns()


def _multi_patterns() -> st.SearchStrategy[dict[str, Any]]:
    plain = STRING_PATTERNS
    values = st.lists(plain.filter(lambda p: "absent" not in p), min_size=1, max_size=2)
    return st.one_of(
        plain,
        plain,
        st.builds(lambda ps: {"includes": ps}, values),
        st.builds(lambda ps: {"hasExactly": ps}, values),
    )


def _body_patterns() -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        STRING_PATTERNS,
        st.builds(lambda v: {"equalToJson": v}, st.sampled_from(['{"a": 1}', "[2, 1]"])),
        st.builds(
            lambda v, order: {
                "equalToJson": v,
                "ignoreArrayOrder": order,
                "ignoreExtraElements": True,
            },
            st.sampled_from(['{"a": 2}', "[2, 1]"]),
            st.booleans(),
        ),
        st.builds(lambda v: {"matchesJsonPath": v}, st.sampled_from(["$.a", "$.b", "$[0]"])),
        st.builds(
            lambda e, p: {"matchesJsonPath": {"expression": e, **p}},
            st.sampled_from(["$.a", "$.b"]),
            STRING_PATTERNS,
        ),
    )


def some(keys: list[str], values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(keys), values, max_size=2)


MULTI_PATTERNS = _multi_patterns()
OPTIONAL: dict[str, st.SearchStrategy[Any]] = {
    "headers": some(["X-A", "X-B", "Content-Type"], MULTI_PATTERNS),
    "queryParameters": some(["x", "y"], MULTI_PATTERNS),
    "cookies": some(["c", "d"], MULTI_PATTERNS),
    "formParameters": some(["f"], MULTI_PATTERNS),
    "bodyPatterns": st.lists(_body_patterns(), min_size=1, max_size=2),
    "basicAuth": st.fixed_dictionaries(
        {"username": st.just("u"), "password": st.sampled_from(["p", "q"])}
    ),
    "host": STRING_PATTERNS,
    "port": st.sampled_from([80, 8080]),
    "scheme": st.sampled_from(["http", "https"]),
    "clientIp": STRING_PATTERNS,
}


@st.composite
def patterns(draw: st.DrawFn) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    method = draw(st.sampled_from([None, None, "GET", "POST", "HEAD", "ANY", "GET_OR_HEAD"]))
    if method is not None:
        obj["method"] = method
    kind = draw(
        st.sampled_from(
            [None, None, "url", "urlPath", "urlPattern", "urlPathPattern", "urlPathTemplate"]
        )
    )
    if kind in ("url", "urlPath"):
        obj[kind] = draw(st.sampled_from([*PATHS, "/a?x=1"]))
    elif kind in ("urlPattern", "urlPathPattern"):
        obj[kind] = draw(st.sampled_from(["/a.*", "/[ab]", "/a/[0-9]+", "/a\\?x=.*"]))
    elif kind == "urlPathTemplate":
        obj[kind] = "/a/{id}"
        if draw(st.booleans()):
            obj["pathParameters"] = {"id": draw(STRING_PATTERNS)}
    for name in draw(st.sets(st.sampled_from(sorted(OPTIONAL)), max_size=3)):
        obj[name] = draw(OPTIONAL[name])
    return obj


VALUES = st.lists(WORDS, min_size=1, max_size=2)


@st.composite
def requests(draw: st.DrawFn) -> RecordedRequest:
    path = draw(st.sampled_from(PATHS))
    query = draw(some(["x", "y"], VALUES))
    raw_query = "&".join(f"{k}={v}" for k, vs in query.items() for v in vs)
    headers = draw(some(["x-a", "x-b"], VALUES))
    if draw(st.booleans()):
        headers["authorization"] = [
            draw(st.sampled_from(["Basic dTpw", "basic dTpw", "Basic dTpx", "Bearer x"]))
        ]
    form = draw(st.booleans())
    if form:
        headers["content-type"] = ["application/x-www-form-urlencoded"]
        body = draw(st.sampled_from(["f=a", "f=1&f=b", "g=a", ""]))
    else:
        body = draw(st.sampled_from([*JSON_BODIES, "a", "ab", "42"]))
    return RecordedRequest(
        method=draw(st.sampled_from(["GET", "POST", "HEAD", "PUT"])),
        url=path + ("?" + raw_query if raw_query else ""),
        path=path,
        query=query,
        headers=headers,
        body=Body(body.encode()),
        cookies=draw(some(["c", "d"], VALUES)),
        authority=draw(st.sampled_from(["127.0.0.1", "a:8080", "A", "ab:80"])),
        scheme=draw(st.sampled_from(["http", "https"])),
        client_ip=draw(st.sampled_from(["127.0.0.1", "a", "1"])),
    )


def test_matches_holds_exactly_when_evaluate_finds_a_full_match() -> None:
    seen = {True: 0, False: 0}

    @settings(
        derandomize=True,
        database=None,
        max_examples=500,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(patterns(), requests())
    def agree(obj: dict[str, Any], request: RecordedRequest) -> None:
        pattern = parse_request_pattern(obj)
        full = pattern.evaluate(request)
        assert pattern.matches(request) is full.is_exact, (obj, full.fields)
        assert full.is_exact is all(row.result.is_exact for row in full.fields)
        short = pattern.evaluate(request, full=False)
        assert short.distance == pytest.approx(full.distance), obj
        assert 0.0 <= full.distance <= 1.0
        assert full.weight in (LINE_WEIGHT, FULL_WEIGHT)
        seen[full.is_exact] += 1

    agree()
    # the property says little unless both outcomes were drawn often: about 54 of 500 match
    # on a quiet machine, 33 were seen on a loaded one (hypothesis ran fewer examples)
    assert seen[True] >= 15, seen
    assert seen[False] >= 15, seen


def test_a_short_evaluation_stops_at_a_request_line_that_differs() -> None:
    pattern = parse_request_pattern(
        {"method": "GET", "urlPath": "/a", "headers": {"X-A": {"equalTo": "a"}}, "port": 8080}
    )
    request = RecordedRequest("GET", "/b", "/b", {}, {"x-a": ["b"]}, Body(b""))
    short = pattern.evaluate(request, full=False)
    assert [row.field for row in short.fields] == ["method", "url", "port"]
    assert short.distance == pytest.approx((10 * 0.5 + 10 * 1.0) / 39)
    full = pattern.evaluate(request)
    assert [row.field for row in full.fields] == ["method", "url", "header X-A", "port"]
    assert full.distance == short.distance  # the header is shown, not counted


def test_every_field_unconstrained_is_an_exact_match() -> None:
    result = RequestPattern().evaluate(RecordedRequest("PUT", "/x", "/x", {}, {}, Body(b"")))
    assert (result.is_exact, result.weight) == (True, FULL_WEIGHT)


def req(method: str = "GET", url: str = "/a", body: bytes = b"") -> RecordedRequest:
    path, _, qs = url.partition("?")
    query: dict[str, list[str]] = {}
    for part in filter(None, qs.split("&")):
        k, _, v = part.partition("=")
        query.setdefault(k, []).append(v)
    return RecordedRequest(
        method=method, url=url, path=path, query=query, headers={}, body=Body(body)
    )


def test_request_pattern_distance_ranks_closer_requests_first() -> None:
    pattern = parse_request_pattern({"method": "GET", "url": "/users/1"})
    near = pattern.evaluate(req(url="/users/2")).distance
    far = pattern.evaluate(req(method="POST", url="/completely/else")).distance
    assert 0 < near < far
    assert pattern.evaluate(req(url="/users/1")).is_exact
