"""resolve(): levels, precedence, conflicts, extends, :off, params and service prefixes."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from mockbdd.domain.errors import InvalidInput
from mockbdd.tagmaps import resolve as resolve_module
from mockbdd.tagmaps.errors import (
    TagConflictError,
    TagMapError,
    TagParamError,
    TagSyntaxError,
    UnknownTagError,
)
from mockbdd.tagmaps.registry import TagMapRegistry
from mockbdd.tagmaps.resolve import Resolution, resolve, resolve_map
from mockbdd.tagmaps.tags import MockTag

Build = Callable[..., TagMapRegistry]
URL_FIELDS = ("url", "urlPath", "urlPattern", "urlPathPattern", "urlPathTemplate")
AT = {"feature_file": "features/checkout.feature", "line": 12}


def summary(resolution: Resolution) -> list[tuple[str, str, str, str]]:
    """(map, level, method, url) of each resolved stub, in order."""
    out = []
    for stub in resolution.stubs:
        request = stub.mapping["request"]
        url = next(request[f] for f in URL_FIELDS if f in request)
        out.append((stub.map_name, stub.level, request["method"], url))
    return out


# ---------------------------------------------------------------- basics and precedence


def test_extending_map_overrides_extended_stub(shop_registry: TagMapRegistry) -> None:
    result = resolve(shop_registry, scenario=["@mock:checkout_failure"], **AT)
    assert summary(result) == [
        ("base", "scenario", "GET", "/inventory/v1/items/[0-9]+"),
        ("checkout_failure", "scenario", "POST", "/payments/v1/charges"),
    ]
    assert result.stubs[1].service == "payments"
    assert result.stubs[1].mapping == {
        "request": {"method": "POST", "urlPath": "/payments/v1/charges"},
        "responses": [
            {"status": 503, "jsonBody": {"error": "unavailable"}, "times": 2},
            {"status": 200, "jsonBody": {"id": "ch_1"}},
        ],
        "whenExhausted": "repeatLast",
        "metadata": {"mockbdd": {"service": "payments", "tagMap": "checkout_failure"}},
    }
    assert result.applied_maps == ("base", "checkout_failure")
    assert result.services == ("inventory", "payments")
    assert (result.strict, result.shared) == (False, False)


def test_more_specific_level_wins_the_route(shop_registry: TagMapRegistry) -> None:
    result = resolve(shop_registry, feature=["mock:base"], scenario=["mock:payments_slow"], **AT)
    assert summary(result) == [
        ("base", "feature", "GET", "/inventory/v1/items/[0-9]+"),
        ("payments_slow", "scenario", "POST", "/payments/v1/charges"),
    ]
    assert result.stubs[1].mapping["response"] == {"status": 200, "fixedDelayMilliseconds": 2000}


@pytest.mark.parametrize(
    ("less", "more"),
    [("feature", "rule"), ("rule", "scenario"), ("scenario", "examples"), ("feature", "examples")],
)
def test_each_level_beats_the_less_specific_ones(
    shop_registry: TagMapRegistry, less: str, more: str
) -> None:
    levels: dict[str, Any] = {less: ["@mock:base"], more: ["@mock:payments_slow:delay=1s"]}
    result = resolve(shop_registry, **levels, **AT)
    payments = [s for s in result.stubs if s.service == "payments"]
    assert [(s.map_name, s.level) for s in payments] == [("payments_slow", more)]
    assert payments[0].mapping["response"]["fixedDelayMilliseconds"] == 1000


def test_same_level_conflict_names_both_maps_and_route(shop_registry: TagMapRegistry) -> None:
    with pytest.raises(TagConflictError) as info:
        resolve(shop_registry, scenario=["@mock:payments_slow", "@mock:base"], **AT)
    assert str(info.value) == (
        "mockbdd: maps 'base' and 'payments_slow' (delay=2s) both stub POST /v1/charges on "
        "service 'payments' on the scenario level at features/checkout.feature:12 — move one "
        "tag to another level, or make one map extend the other"
    )
    assert info.value.level == "scenario"
    assert info.value.tags == ("@mock:base", "@mock:payments_slow")
    assert info.value.code == "MBD004"


def test_tag_order_never_matters(shop_registry: TagMapRegistry) -> None:
    tags = ["@mock:checkout_failure", "@mock:out_of_stock", "@wip", "@mockbdd:strict"]
    first = resolve(shop_registry, scenario=tags, **AT)
    for seed in range(5):
        shuffled = tags[:]
        random.Random(seed).shuffle(shuffled)
        assert resolve(shop_registry, scenario=set(shuffled), **AT) == first


def test_map_reached_twice_is_applied_once(shop_registry: TagMapRegistry) -> None:
    result = resolve(shop_registry, scenario=["@mock:checkout_failure", "@mock:out_of_stock"], **AT)
    assert summary(result) == [
        ("checkout_failure", "scenario", "POST", "/payments/v1/charges"),
        ("out_of_stock", "scenario", "GET", "/inventory/v1/items/[0-9]+"),
    ]
    assert result.applied_maps == ("base", "checkout_failure", "out_of_stock")
    assert result.scenarios == {"checkout": "started"}


def test_same_map_with_two_parameter_sets_on_one_level_conflicts(
    shop_registry: TagMapRegistry,
) -> None:
    with pytest.raises(TagConflictError) as info:
        resolve(
            shop_registry,
            scenario=["@mock:payments_slow:delay=1s", "@mock:payments_slow:delay=3s"],
            **AT,
        )
    assert info.value.detail == (
        "maps 'payments_slow' (delay=1s) and 'payments_slow' (delay=3s) both stub POST "
        "/v1/charges on service 'payments' on the scenario level"
    )


def test_identical_tag_on_two_levels_is_fine(shop_registry: TagMapRegistry) -> None:
    result = resolve(shop_registry, feature=["@mock:base"], scenario=["@mock:base"], **AT)
    assert [(s.map_name, s.level) for s in result.stubs] == [
        ("base", "scenario"),
        ("base", "scenario"),
    ]


# ---------------------------------------------------------------- :off


def test_off_removes_map_and_what_it_brought(shop_registry: TagMapRegistry) -> None:
    result = resolve(
        shop_registry,
        feature=["@mock:checkout_failure"],
        scenario=["@mock:checkout_failure:off"],
        **AT,
    )
    assert result.stubs == ()
    assert result.applied_maps == ()


def test_off_keeps_what_another_active_map_brings(shop_registry: TagMapRegistry) -> None:
    result = resolve(
        shop_registry,
        feature=["@mock:checkout_failure", "@mock:out_of_stock"],
        scenario=["@mock:checkout_failure:off"],
        **AT,
    )
    assert summary(result) == [
        ("base", "feature", "POST", "/payments/v1/charges"),
        ("out_of_stock", "feature", "GET", "/inventory/v1/items/[0-9]+"),
    ]
    assert result.applied_maps == ("base", "out_of_stock")


def test_off_of_an_extended_map_removes_it_even_under_an_active_map(
    shop_registry: TagMapRegistry,
) -> None:
    result = resolve(
        shop_registry, feature=["@mock:checkout_failure"], rule=["@mock:base:off"], **AT
    )
    assert summary(result) == [("checkout_failure", "feature", "POST", "/payments/v1/charges")]


def test_off_does_not_touch_more_specific_levels(shop_registry: TagMapRegistry) -> None:
    result = resolve(shop_registry, scenario=["@mock:base:off"], examples=["@mock:base"], **AT)
    assert [(s.map_name, s.level) for s in result.stubs] == [
        ("base", "examples"),
        ("base", "examples"),
    ]


def test_on_and_off_on_one_level_is_a_conflict(shop_registry: TagMapRegistry) -> None:
    with pytest.raises(TagConflictError) as info:
        resolve(shop_registry, scenario=["@mock:base", "@mock:base:off"], **AT)
    assert str(info.value) == (
        "mockbdd: @mock:base and @mock:base:off are both on the scenario level at "
        "features/checkout.feature:12 — keep one of them"
    )


# ---------------------------------------------------------------- unknown tags and params


def test_unknown_tag_message_with_suggestion(shop_registry: TagMapRegistry) -> None:
    with pytest.raises(UnknownTagError) as info:
        resolve(shop_registry, scenario=["@mock:checkout_falure"], **AT)
    assert str(info.value) == (
        "mockbdd: unknown mock tag @mock:checkout_falure at features/checkout.feature:12 — "
        "did you mean @mock:checkout_failure? known tags: @mock:base, @mock:checkout_failure, "
        "@mock:out_of_stock, @mock:payments_slow (tag maps read from tests/unit/tagmaps/data/tag_maps)"
    )
    assert info.value.summary == (
        "unknown mock tag @mock:checkout_falure; did you mean @mock:checkout_failure?"
    )


def test_unknown_tag_without_suggestion(shop_registry: TagMapRegistry) -> None:
    with pytest.raises(UnknownTagError) as info:
        resolve(shop_registry, feature=["mock:zzz:off"], **AT)
    assert str(info.value) == (
        "mockbdd: unknown mock tag @mock:zzz at features/checkout.feature:12 — known tags: "
        "@mock:base, @mock:checkout_failure, @mock:out_of_stock, @mock:payments_slow (tag maps "
        "read from tests/unit/tagmaps/data/tag_maps)"
    )


def test_malformed_tag_is_located(shop_registry: TagMapRegistry) -> None:
    with pytest.raises(TagSyntaxError) as info:
        resolve(shop_registry, scenario=["@mock:payments_slow(delay=1s)"], **AT)
    assert str(info.value) == (
        "mockbdd: invalid tag @mock:payments_slow(delay=1s): '(' is not allowed in tags: "
        "behave treats () as tag-expression grouping; write @mock:payments_slow:delay=1s "
        "at features/checkout.feature:12"
    )


def test_unknown_param_names_known_ones(shop_registry: TagMapRegistry) -> None:
    with pytest.raises(TagParamError) as info:
        resolve(shop_registry, scenario=["@mock:payments_slow:dealy=1s"], **AT)
    assert str(info.value) == (
        "mockbdd: unknown parameter 'dealy' for @mock:payments_slow; did you mean 'delay'? "
        "(known parameters: delay) at features/checkout.feature:12"
    )
    with pytest.raises(TagParamError, match=r"unknown parameter 'x' for @mock:base \(it takes"):
        resolve(shop_registry, scenario=["@mock:base:x=1"], **AT)


def test_bad_typed_value(shop_registry: TagMapRegistry) -> None:
    with pytest.raises(TagParamError) as info:
        resolve(shop_registry, scenario=["@mock:payments_slow:delay=abc"], **AT)
    assert info.value.detail == (
        "bad value 'abc' for parameter 'delay' (duration) of @mock:payments_slow: expected a "
        "duration such as 250ms, 2s, 1.5s or 1m (a bare number is milliseconds), got 'abc'"
    )
    assert info.value.code == "MBD003"


PARAM_MAPS = """version: 1
maps:
  failing:
    params:
      code: {type: int}
      region: {type: str, default: eu}
      delay: {type: duration, default: 250ms}
    services:
      payments:
        - request: {method: POST, urlPath: "/v1/{region}/charges"}
          response:
            status: "{code}"
            delay: "{delay}"
            headers: {X-Note: "failed with {code} after {delay}"}
  wrapper:
    extends: [failing]
    params:
      code: {type: int, default: 502}
  plain:
    extends: [failing]
"""


def test_typed_params_defaults_and_overrides(make_registry: Build) -> None:
    registry = make_registry(PARAM_MAPS)
    result = resolve(registry, scenario=["@mock:failing:code=503;delay=1.5s"], **AT)
    assert result.stubs[0].mapping == {
        "request": {"method": "POST", "urlPath": "/payments/v1/eu/charges"},
        "response": {
            "status": 503,
            "fixedDelayMilliseconds": 1500,
            "headers": {"X-Note": "failed with 503 after 1.5s"},
        },
        "metadata": {"mockbdd": {"service": "payments", "tagMap": "failing"}},
    }


def test_missing_required_param(make_registry: Build) -> None:
    registry = make_registry(PARAM_MAPS)
    with pytest.raises(TagParamError) as info:
        resolve(registry, scenario=["@mock:failing"], **AT)
    assert info.value.detail == (
        "map 'failing' needs parameter 'code' (int): write @mock:failing:code=<value>"
    )
    with pytest.raises(TagParamError) as info:
        resolve(registry, scenario=["@mock:plain"], **AT)
    assert info.value.detail == (
        "map 'failing' (extended by @mock:plain) needs parameter 'code' (int): "
        "write @mock:plain:code=<value>"
    )


def test_params_flow_to_extended_maps(make_registry: Build) -> None:
    registry = make_registry(PARAM_MAPS)
    defaulted = resolve(registry, scenario=["@mock:wrapper"], **AT)
    assert defaulted.stubs[0].mapping["response"]["status"] == 502
    given = resolve(registry, scenario=["@mock:plain:code=504;region=us"], **AT)
    assert given.stubs[0].mapping["request"]["urlPath"] == "/payments/v1/us/charges"
    assert given.stubs[0].mapping["response"]["status"] == 504
    assert given.applied_maps == ("failing", "plain")


def test_resolve_map_for_apply(make_registry: Build) -> None:
    registry = make_registry(PARAM_MAPS)
    result = resolve_map(registry, "failing", {"code": 500})
    assert result.stubs[0].mapping["response"]["status"] == 500
    assert result.stubs[0].level == "scenario"
    with pytest.raises(TagSyntaxError, match=r"at features/x.feature:3$"):
        resolve_map(
            registry, "failing", {"code": "5(0)"}, feature_file="features/x.feature", line=3
        )


def test_mock_tag_objects_are_accepted(shop_registry: TagMapRegistry) -> None:
    result = resolve(shop_registry, scenario=[MockTag("payments_slow", (("delay", "5ms"),))])
    assert result.stubs[0].mapping["response"]["fixedDelayMilliseconds"] == 5


def test_reserved_tags_set_flags(shop_registry: TagMapRegistry) -> None:
    result = resolve(shop_registry, feature=["mockbdd:strict"], examples=["@mockbdd:shared"])
    assert (result.strict, result.shared, result.stubs) == (True, True, ())


# ---------------------------------------------------------------- service prefixes


PREFIX_MAPS = """version: 1
maps:
  urls:
    services:
      pay.v2:
        - {request: {method: GET, url: "/a?x=1"}, response: {status: 200}}
        - {request: {method: GET, urlPath: /b}, response: {status: 200}}
        - {request: {method: GET, path: /b2}, response: {status: 200}}
        - {request: {method: GET, urlPattern: "/c/.*"}, response: {status: 200}}
        - {request: {method: GET, urlPattern: "^/d/[0-9]+$"}, response: {status: 200}}
        - {request: {method: GET, urlPathPattern: "/e/.*"}, response: {status: 200}}
        - {request: {method: GET, urlPathPattern: "^/f$"}, response: {status: 200}}
        - {request: {method: GET, urlPathTemplate: "/g/{id}"}, response: {status: 200}}
        - {request: {method: DELETE}, response: {status: 200}}
        - response: {status: 204}
"""


def test_every_url_field_gets_the_service_prefix(make_registry: Build) -> None:
    result = resolve(make_registry(PREFIX_MAPS), scenario=["@mock:urls"])
    requests = [s.mapping["request"] for s in result.stubs]
    assert requests == [
        {"method": "GET", "url": "/pay.v2/a?x=1"},
        {"method": "GET", "urlPath": "/pay.v2/b"},
        {"method": "GET", "urlPath": "/pay.v2/b2"},
        {"method": "GET", "urlPattern": r"/pay\.v2/c/.*"},
        {"method": "GET", "urlPattern": r"^/pay\.v2/d/[0-9]+$"},
        {"method": "GET", "urlPathPattern": r"/pay\.v2/e/.*"},
        {"method": "GET", "urlPathPattern": r"^/pay\.v2/f$"},
        {"method": "GET", "urlPathTemplate": "/pay.v2/g/{id}"},
        {"method": "DELETE", "urlPathPattern": r"/pay\.v2(/.*)?"},
        {"method": "ANY", "urlPathPattern": r"/pay\.v2(/.*)?"},
    ]
    assert {s.mapping["metadata"]["mockbdd"]["service"] for s in result.stubs} == {"pay.v2"}


@pytest.mark.parametrize(
    ("request_yaml", "message"),
    [
        (
            '{method: GET, urlPattern: "c/.*"}',
            "tag_maps/test.yaml:6: /request/urlPattern: a URL pattern must start with '/' or "
            "'^/', got 'c/.*' (map 'bad') — applied at features/checkout.feature:12",
        ),
        (
            "{method: GET, path: v1}",
            "tag_maps/test.yaml:6: /request/urlPath: a URL must start with '/', got 'v1' "
            "(map 'bad') — applied at features/checkout.feature:12",
        ),
    ],
)
def test_bad_url_errors_name_the_yaml_line(
    make_registry: Build, request_yaml: str, message: str
) -> None:
    text = (
        "version: 1\nmaps:\n  bad:\n    services:\n      s:\n"
        f"        - request: {request_yaml}\n          response: {{status: 200}}\n"
    )
    with pytest.raises(TagMapError) as info:
        resolve(make_registry(text), scenario=["@mock:bad"], **AT)
    assert str(info.value) == message


def test_delay_built_from_a_str_placeholder_is_checked_at_resolve(make_registry: Build) -> None:
    text = """version: 1
maps:
  slow:
    params: {ms: {type: str, default: "x"}}
    services:
      s:
        - request: {method: GET, urlPath: /a}
          response:
            status: 200
            delay: "{ms}ms"
"""
    with pytest.raises(TagMapError) as info:
        resolve(make_registry(text), scenario=["@mock:slow"], **AT)
    assert str(info.value) == (
        "tag_maps/test.yaml:10: /response/delay: expected a duration such as 250ms, 2s, 1.5s "
        "or 1m (a bare number is milliseconds), got 'xms' (map 'slow') — applied at "
        "features/checkout.feature:12"
    )
    ok = resolve(make_registry(text), scenario=["@mock:slow:ms=40"])
    assert ok.stubs[0].mapping["response"] == {"status": 200, "fixedDelayMilliseconds": 40}


# ---------------------------------------------------------------- settings, scenarios, data


SETTINGS_MAPS = """version: 1
maps:
  slow_everything:
    params: {delay: {type: duration, default: 100ms}}
    settings: {delay: "{delay}", chaos: {errorRate: 0.1}}
    scenarios: {checkout: Started}
    data: {orders: [{id: 1}]}
    collections: {orders: {service: shop}}
  slower:
    extends: [slow_everything]
    settings: {delay: 2s}
  other:
    settings: {delay: 5s}
  same:
    settings: {chaos: {errorRate: 0.1}}
"""


def test_settings_merge(make_registry: Build) -> None:
    registry = make_registry(SETTINGS_MAPS)
    result = resolve(registry, scenario=["@mock:slow_everything:delay=300ms"])
    assert dict(result.settings) == {"fixedDelay": 300, "chaos": {"errorRate": 0.1}}
    assert dict(result.scenarios) == {"checkout": "Started"}
    assert dict(result.data) == {"orders": [{"id": 1}]}
    extended = resolve(registry, scenario=["@mock:slower"])
    assert dict(extended.settings) == {"fixedDelay": 2000, "chaos": {"errorRate": 0.1}}
    levels = resolve(registry, feature=["@mock:other"], scenario=["@mock:slow_everything"])
    assert levels.settings["fixedDelay"] == 100
    agree = resolve(registry, scenario=["@mock:slow_everything", "@mock:same"])
    assert agree.settings["chaos"] == {"errorRate": 0.1}


def test_settings_conflict_on_one_level(make_registry: Build) -> None:
    registry = make_registry(SETTINGS_MAPS)
    with pytest.raises(TagConflictError) as info:
        resolve(registry, rule=["@mock:other", "@mock:slow_everything"], **AT)
    assert info.value.detail == (
        "maps 'other' and 'slow_everything' (delay=100ms) both set settings 'delay' "
        "differently on the rule level"
    )


# ---------------------------------------------------------------- WireMock validation


def test_wiremock_errors_point_at_the_yaml_line(
    make_registry: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    def reject(obj: dict[str, Any], pointer: str = "", **kw: Any) -> None:
        if obj["request"].get("urlPath") == "/s/b":
            raise InvalidInput("/response/jsonBody", "must be valid JSON")

    monkeypatch.setattr(resolve_module, "parse_stub_mapping", reject)
    text = """version: 1
maps:
  m:
    services:
      s:
        - request: {method: GET, urlPath: /a}
          response: {status: 200}
        - request: {method: GET, urlPath: /b}
          response:
            status: 200
            json: {a: 1}
"""
    with pytest.raises(TagMapError) as info:
        resolve(make_registry(text), scenario=["@mock:m"], **AT)
    assert str(info.value) == (
        "tag_maps/test.yaml:11: /response/jsonBody: must be valid JSON (map 'm') — applied at "
        "features/checkout.feature:12"
    )


def test_real_wiremock_validation(make_registry: Build) -> None:
    pytest.importorskip("mockbdd.wire.mappings")
    text = """version: 1
maps:
  m:
    services:
      s:
        - request: {method: GET, urlPath: /a}
          response:
            status: 999
"""
    with pytest.raises(TagMapError) as info:
        resolve(make_registry(text), scenario=["@mock:m"], **AT)
    assert info.value.line == 8
    assert info.value.detail.startswith("/response/status: ")


def test_pasted_wiremock_mapping_works_unchanged(make_registry: Build) -> None:
    text = """version: 1
maps:
  pasted:
    services:
      payments:
        - id: 8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7
          name: charge ok
          priority: 1
          scenarioName: checkout
          requiredScenarioState: Started
          newScenarioState: paid
          metadata: {owner: qa}
          request:
            method: POST
            urlPath: /v1/charges
            headers: {Content-Type: {contains: json}}
            bodyPatterns: [{matchesJsonPath: "$.amount"}]
          response:
            status: 201
            headers: {Content-Type: application/json}
            jsonBody: {id: ch_1}
            fixedDelayMilliseconds: 10
"""
    result = resolve(make_registry(text), scenario=["@mock:pasted"])
    assert result.stubs[0].mapping == {
        "id": "8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7",
        "name": "charge ok",
        "priority": 1,
        "scenarioName": "checkout",
        "requiredScenarioState": "Started",
        "newScenarioState": "paid",
        "metadata": {"owner": "qa", "mockbdd": {"service": "payments", "tagMap": "pasted"}},
        "request": {
            "method": "POST",
            "urlPath": "/payments/v1/charges",
            "headers": {"Content-Type": {"contains": "json"}},
            "bodyPatterns": [{"matchesJsonPath": "$.amount"}],
        },
        "response": {
            "status": 201,
            "headers": {"Content-Type": "application/json"},
            "jsonBody": {"id": "ch_1"},
            "fixedDelayMilliseconds": 10,
        },
    }


def test_shorthands_in_each_sequence_item(make_registry: Build) -> None:
    text = """version: 1
maps:
  flaky:
    params: {delay: {type: duration, default: 1s}, times: {type: int, default: 2}}
    services:
      payments:
        - request: {path: /v1/charges}
          responses:
            - {status: 503, delay: "{delay}", times: "{times}"}
            - {status: 200, json: {id: ch_1}, delay: 20ms}
          whenExhausted: loop
"""
    result = resolve(make_registry(text), scenario=["@mock:flaky:times=3"])
    assert result.stubs[0].mapping == {
        "request": {"method": "ANY", "urlPath": "/payments/v1/charges"},
        "responses": [
            {"status": 503, "fixedDelayMilliseconds": 1000, "times": 3},
            {"status": 200, "jsonBody": {"id": "ch_1"}, "fixedDelayMilliseconds": 20},
        ],
        "whenExhausted": "loop",
        "metadata": {"mockbdd": {"service": "payments", "tagMap": "flaky"}},
    }


def test_resolved_stubs_are_fresh_copies(shop_registry: TagMapRegistry) -> None:
    first = resolve(shop_registry, scenario=["@mock:checkout_failure"])
    first.stubs[1].mapping["responses"][0]["jsonBody"]["error"] = "changed"
    again = resolve(shop_registry, scenario=["@mock:checkout_failure"])
    assert again.stubs[1].mapping["responses"][0]["jsonBody"] == {"error": "unavailable"}
