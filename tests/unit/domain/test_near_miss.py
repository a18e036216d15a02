"""Near misses ranked as WireMock 3.13.2 ranks them: the weights decide, ties keep store order.

The distances marked "WireMock" are what a real WireMock 3.13.2 answered for the same stubs
and request (``GET /__admin/requests/unmatched/near-misses``).
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from typing import Any

import pytest

from mockbdd.domain.journal import ServeEvent
from mockbdd.domain.matching import levenshtein_distance
from mockbdd.domain.namespace import Namespace
from mockbdd.domain.near_miss import (
    NearMiss,
    closest_requests,
    closest_stubs,
    render_unmatched_report,
)
from mockbdd.domain.requests import Body, RecordedRequest
from mockbdd.domain.stubs import StubMapping
from mockbdd.wire.mappings import parse_request_pattern, parse_stub_mapping


def req(
    url: str = "/a",
    method: str = "GET",
    body: str = "",
    headers: Mapping[str, str] | None = None,
    cookies: Mapping[str, str] | None = None,
) -> RecordedRequest:
    path, _, query = url.partition("?")
    params: dict[str, list[str]] = {}
    for pair in filter(None, query.split("&")):
        name, _, value = pair.partition("=")
        params.setdefault(name, []).append(value)
    return RecordedRequest(
        method=method,
        url=url,
        path=path,
        query=params,
        headers={k.lower(): [v] for k, v in (headers or {}).items()},
        body=Body(body.encode()),
        cookies={k: [v] for k, v in (cookies or {}).items()},
    )


def stub(name: str, request: dict[str, Any], **extra: Any) -> StubMapping:
    return parse_stub_mapping({"name": name, "request": request, "response": {}, **extra})


def ranked(misses: list[NearMiss]) -> list[tuple[str | None, float]]:
    return [(m.stub.name if m.stub else None, round(m.result.distance, 6)) for m in misses]


def namespace(*stubs: StubMapping) -> Namespace:
    ns = Namespace("t")
    for s in stubs:
        ns.add_stub(s)
    return ns


def test_a_wrong_header_ranks_closer_than_a_wrong_url_or_method() -> None:
    stubs = [
        stub(
            "url",
            {"method": "GET", "urlPath": "/orders/2", "headers": {"X-Key": {"equalTo": "k2"}}},
        ),
        stub("method", {"method": "POST", "urlPath": "/orders/1"}),
        stub(
            "header",
            {"method": "GET", "urlPath": "/orders/1", "headers": {"X-Key": {"equalTo": "k1"}}},
        ),
    ]
    misses = closest_stubs(req("/orders/1", headers={"X-Key": "k2"}), stubs)
    assert ranked(misses) == [
        ("header", round(0.5 / 46, 6)),  # WireMock 0.010869565217391304
        ("url", round(10 * (1 / 9) / 39, 6)),  # one character of nine, at weight 10 of 39
        ("method", round(3 / 39, 6)),  # the method alone: weight 3 of 39
    ]


def test_when_the_request_line_differs_the_other_fields_are_not_counted() -> None:
    # WireMock returns the request line's distance alone: a header that also differs adds nothing
    both = stub("both", {"urlPath": "/orders/2", "headers": {"X-Key": {"equalTo": "k1"}}})
    url_only = stub("url only", {"urlPath": "/orders/2"})
    misses = closest_stubs(req("/orders/1", headers={"X-Key": "k2"}), [both, url_only])
    assert ranked(misses) == [("both", 0.02849), ("url only", 0.02849)]  # 10 * (1 / 9) / 39
    # the report still shows the header that differs
    rows = {row.field: row for row in misses[0].result.fields}
    assert not rows["header X-Key"].result.is_exact


def test_parts_are_the_means_of_their_entries_at_weight_one() -> None:
    stubs = [
        # two headers, one right and one absent: the header part is their mean, 0.5
        stub(
            "headers",
            {"urlPath": "/x", "headers": {"X-Key": {"equalTo": "k2"}, "X-Other": {"equalTo": "v"}}},
        ),
        stub("query", {"urlPath": "/x", "queryParameters": {"q": {"equalTo": "shoes"}}}),
        stub("cookie", {"urlPath": "/x", "cookies": {"session": {"equalTo": "abc"}}}),
        stub("auth", {"urlPath": "/x", "basicAuth": {"username": "user", "password": "pass"}}),
    ]
    request = req(
        "/x?q=shoe",
        headers={"X-Key": "k2", "Authorization": "Basic dXNlcjpwYXNw"},  # user:pasp
        cookies={"session": "abd"},
    )
    assert ranked(closest_stubs(request, stubs, limit=4)) == [
        ("auth", round((1 / 18) / 46, 6)),  # WireMock 0.0012077294685990338: Authorization equalTo
        ("query", round(0.2 / 46, 6)),  # WireMock 0.004347826086956522
        ("cookie", round((1 / 3) / 46, 6)),  # WireMock 0.007246376811594202
        ("headers", round(0.5 / 46, 6)),  # WireMock 0.010869565217391304
    ]


def test_path_parameters_are_a_part_of_their_own() -> None:
    param = stub(
        "param", {"urlPathTemplate": "/contacts/{id}", "pathParameters": {"id": {"equalTo": "42"}}}
    )
    [miss] = closest_stubs(req("/contacts/43"), [param])
    assert miss.result.distance == pytest.approx(0.5 / 46)  # WireMock 0.010869565217391304
    rows = {row.field: row for row in miss.result.fields}
    assert rows["url"].result.is_exact
    assert (rows["path parameter id"].actual, rows["path parameter id"].result.distance) == (
        "43",
        0.5,
    )


def test_scheme_host_and_port_weigh_in_the_request_line() -> None:
    stubs = [
        stub("port", {"url": "/a", "port": 1}),
        stub("host", {"url": "/a", "host": {"equalTo": "example.com"}}),
        stub("scheme", {"url": "/a", "scheme": "https"}),
        stub("any", {"method": "ANY", "url": "/b"}),
    ]
    assert ranked(closest_stubs(req("/a"), stubs, limit=4)) == [
        ("scheme", round(3 / 39, 6)),  # WireMock 0.07692307692307693
        ("any", round(10 * 0.5 / 39, 6)),  # WireMock 0.1282051282051282
        ("host", round(10 * (10 / 11) / 39, 6)),  # WireMock 0.23310023310023306
        ("port", round(10 / 39, 6)),
    ]


def test_ties_keep_the_stores_order_priority_then_newest_first() -> None:
    ns = namespace(
        stub("priority 1", {"url": "/a"}, priority=1),
        stub("old", {"url": "/a"}),
        stub("new", {"url": "/a"}),
        stub("priority 9", {"url": "/a"}, priority=9),
    )
    # WireMock 3.13.2: prio1, new, old, all at 0.1282051282051282
    assert [name for name, _ in ranked(ns.near_misses(req("/b")))] == ["priority 1", "new", "old"]


def test_the_closest_three_are_listed_however_far_as_in_wiremock() -> None:
    far = stub("far", {"method": "POST", "url": "/completely/elsewhere"})
    [miss] = closest_stubs(req("/a"), [far])
    assert miss.stub is far
    url = levenshtein_distance("/a", "/completely/elsewhere")  # 20 of 21: only "/" in common
    assert miss.result.distance == pytest.approx((3 + 10 * url) / 39)  # no distance cut-off
    assert url == 20 / 21


def order(size: int) -> str:
    items = [
        {"sku": f"SKU-{100000 + i:06d}", "quantity": 3 + i, "price": 19.5 + i} for i in range(6)
    ]
    body = json.dumps({"customer": "C12345", "currency": "EUR", "items": items})
    return '{"note": "' + "n" * (size - len(body) - 12) + '", ' + body[1:]


def test_a_long_body_three_small_changes_away_ranks_by_its_exact_distance() -> None:
    body = order(508)
    edited = (
        body.replace("100000", "100777").replace("100003", "177703").replace("100005", "999005")
    )
    other = body.replace("EUR", "USD").replace("C12345", "D99999")
    stubs = [
        stub("other", {"method": "POST", "url": "/graphql", "bodyPatterns": [{"equalTo": other}]}),
        stub("near", {"method": "POST", "url": "/graphql", "bodyPatterns": [{"equalTo": body}]}),
        stub("url", {"method": "POST", "url": "/graphq", "bodyPatterns": [{"equalTo": edited}]}),
        stub(
            "two patterns",
            {
                "method": "POST",
                "url": "/graphql",
                "bodyPatterns": [{"equalTo": body}, {"contains": "EUR"}],
            },
        ),
    ]
    misses = closest_stubs(req("/graphql", "POST", edited), stubs, limit=4)
    assert ranked(misses) == [
        ("two patterns", round((9 / 508) / 2 / 46, 6)),  # WireMock 1.9257103731598767E-4
        ("near", round((9 / 508) / 46, 6)),  # WireMock 3.8514207463197534E-4
        ("other", round((18 / 508) / 46, 6)),  # WireMock 7.702841492639507E-4
        ("url", round(10 * (1 / 8) / 39, 6)),
    ]


def test_a_stub_waiting_for_another_scenario_state_ranks_first_and_says_why() -> None:
    # WireMock ranks it at 0.0 and shows the state in the diff; here the state is one more
    # mismatched row at weight 1 (1/47), so it is first but never reads as an exact match
    ns = namespace(
        stub("near", {"url": "/carts"}),
        stub("waiting", {"url": "/cart"}, scenarioName="cart", requiredScenarioState="added"),
    )
    assert ranked(ns.near_misses(req("/cart"))) == [
        ("waiting", round(1 / 47, 6)),
        ("near", round(10 * (1 / 6) / 39, 6)),  # WireMock 0.04273504273504273
    ]


def test_closest_requests_rank_by_the_same_weights_ties_newest_first() -> None:
    pattern = parse_request_pattern(
        {"method": "GET", "urlPath": "/orders/1", "headers": {"X-Key": {"equalTo": "k1"}}}
    )
    sent = [
        req("/orders/2", headers={"X-Key": "k1"}),
        req("/orders/1", headers={"X-Key": "k9"}),
        req("/orders/3", headers={"X-Key": "k1"}),
    ]
    events = [ServeEvent(request=r, logged_at=0.0) for r in sent]
    misses = closest_requests(pattern, reversed(events))  # the journal lists newest first
    assert [(m.request.url, round(m.result.distance, 6)) for m in misses] == [
        ("/orders/1", round(0.5 / 46, 6)),
        ("/orders/3", round(10 * (1 / 9) / 39, 6)),
        ("/orders/2", round(10 * (1 / 9) / 39, 6)),
    ]
    assert len(misses[0].result.fields) == 3  # reported in full: method, url, header


@pytest.mark.parametrize(
    "extra",
    [
        {"scenarioName": "cart", "requiredScenarioState": "added", "newScenarioState": "paid"},
        {"scenarioName": "cart", "requiredScenarioState": "Started", "newScenarioState": "added"},
        {"responses": [{"status": 201}, {"status": 202}], "whenExhausted": "notFound"},
        {"responses": [{"status": 201}], "whenExhausted": "loop"},
    ],
)
def test_the_skip_rows_agree_with_what_the_namespace_would_serve(extra: dict[str, Any]) -> None:
    """near_miss._skip_rows restates the gates of Namespace.select (scenario state, exhausted
    notFound sequence): a near miss is exact exactly when select would choose the stub."""
    one = {k: v for k, v in extra.items() if k != "responses"}
    mapping: dict[str, Any] = {"name": "s", "request": {"urlPath": "/cart"}, **one}
    if "responses" in extra:
        mapping["responses"] = extra["responses"]
    else:
        mapping["response"] = {}
    ns = namespace(parse_stub_mapping(mapping))
    request = req("/cart")
    for state in ("Started", "added", "paid"):
        ns.set_scenario_state("cart", state)
        for _ in range(3):  # walk through a sequence, past its end
            [miss] = ns.near_misses(request)
            assert miss.result.is_exact is (ns.select(request) is not None), (state, miss.result)
            ns.serve(request)


@pytest.mark.parametrize("seed", range(6))
def test_the_bounded_ranking_is_the_full_sort(seed: int) -> None:
    """Bodies of the stubs that cannot make the closest few are compared with a bound (cheaper,
    and not exact above it); the answer must still be sorted(full distances)[:limit], stably."""
    rng = random.Random(seed)

    def text(n: int) -> str:
        return "".join(rng.choice("abc") for _ in range(n))

    base = text(300)
    stubs = []
    for i in range(60):
        body = (
            base
            if rng.random() < 0.2
            else (text(300) if rng.random() < 0.5 else base[:-5] + text(5))
        )
        request: dict[str, Any] = {"method": "POST", "urlPath": rng.choice(["/a", "/a", "/b"])}
        request["bodyPatterns"] = [{"equalTo": body}] + (
            [{"contains": "ab"}] if rng.random() < 0.3 else []
        )
        if rng.random() < 0.5:
            request["headers"] = {"X-A": {"equalTo": rng.choice(["1", "2"])}}
        stubs.append(stub(f"s{i}", request))
    sent = req("/a", "POST", base[:-3] + text(3), headers={"X-A": "1"})
    every = sorted(stubs, key=lambda s: s.request.evaluate(sent).distance)
    for limit in (1, 3, 5):
        misses = closest_stubs(sent, stubs, limit)
        assert [m.stub for m in misses] == every[:limit]
        assert [m.result for m in misses] == [s.request.evaluate(sent) for s in every[:limit]]


def test_a_long_body_one_character_off_ranks_first_among_long_bodies() -> None:
    rng = random.Random(7)
    base = "".join(rng.choice("abcdefghij") for _ in range(2000))
    stubs = [
        stub(f"s{i}", {"method": "POST", "urlPath": f"/s{i}", "bodyPatterns": [{"equalTo": body}]})
        for i, body in enumerate(
            ["".join(rng.choice("klmnopqrst") for _ in range(2000)) for _ in range(19)]
            + [base[:1000] + "Z" + base[1001:]]  # one character off the request body
        )
    ]
    misses = closest_stubs(req("/s19", "POST", base), stubs)
    assert misses[0].stub is stubs[-1]  # the nearly equal body ranks first


def test_near_miss_for_a_stub_waiting_for_another_scenario_state_says_so() -> None:
    ns = Namespace("t")
    ns.add_stub(
        stub("checkout", {"urlPath": "/cart"}, scenarioName="cart", requiredScenarioState="added")
    )
    request = req(url="/cart")
    assert ns.serve(request).response is None
    misses = ns.near_misses(request)
    assert len(misses) == 1
    assert misses[0].result.distance > 0.0
    report = render_unmatched_report(request, misses)
    assert '✗ scenario "cart"' in report
    assert 'requires state "added"' in report
    assert 'is "Started"' in report
    assert "(distance 0.00)" not in report
    ns.set_scenario_state("cart", "added")
    assert ns.near_misses(request)[0].result.is_exact
    # without the namespace's states, only the request fields are compared (as before)
    assert closest_stubs(request, ns.stubs)[0].result.is_exact


def test_near_miss_for_an_exhausted_not_found_sequence_says_so() -> None:
    ns = Namespace("t")
    ns.add_stub(
        parse_stub_mapping(
            {
                "request": {"urlPath": "/once"},
                "responses": [{"status": 201}],
                "whenExhausted": "notFound",
            }
        )
    )
    request = req(url="/once")
    assert ns.serve(request).response is not None
    assert ns.serve(request).response is None
    [miss] = ns.near_misses(request)
    assert miss.result.distance > 0.0
    rows = {row.field: row for row in miss.result.fields}
    assert not rows["responses"].result.is_exact
    assert "notFound" in rows["responses"].expected
