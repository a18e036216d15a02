"""Bounds at the wire edge: finite, capped delays; safe file names, proxy headers and proxy URLs;
strict base64 in logged requests; import options with real booleans."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mockbdd.domain.delays import MAX_DELAY_MS, FixedDelay
from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.wire.builtins import BUILTIN
from mockbdd.wire.journal import parse_logged_request
from mockbdd.wire.mappings import (
    parse_delay_distribution,
    parse_import_options,
    parse_stub_mapping,
)
from mockbdd.wire.patterns import parse_content_pattern

INF, NAN = float("inf"), float("nan")
TOO_LONG = MAX_DELAY_MS + 1


def refused(response: dict[str, Any]) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        parse_stub_mapping({"request": {"urlPath": "/x"}, "response": response})
    return info.value


@pytest.mark.parametrize(
    ("response", "pointer"),
    [
        ({"fixedDelayMilliseconds": INF}, "/response/fixedDelayMilliseconds"),
        ({"fixedDelayMilliseconds": NAN}, "/response/fixedDelayMilliseconds"),
        ({"fixedDelayMilliseconds": TOO_LONG}, "/response/fixedDelayMilliseconds"),
        ({"fixedDelayMilliseconds": 10**30}, "/response/fixedDelayMilliseconds"),
        (
            {"delayDistribution": {"type": "fixed", "milliseconds": INF}},
            "/response/delayDistribution/milliseconds",
        ),
        (
            {"delayDistribution": {"type": "fixed", "milliseconds": NAN}},
            "/response/delayDistribution/milliseconds",
        ),
        (
            {"delayDistribution": {"type": "uniform", "lower": 1, "upper": INF}},
            "/response/delayDistribution/upper",
        ),
        (
            {"delayDistribution": {"type": "uniform", "lower": 1, "upper": TOO_LONG}},
            "/response/delayDistribution/upper",
        ),
        (
            {"delayDistribution": {"type": "lognormal", "median": 10, "sigma": INF}},
            "/response/delayDistribution/sigma",
        ),
        (
            {"delayDistribution": {"type": "lognormal", "median": NAN, "sigma": 0.1}},
            "/response/delayDistribution/median",
        ),
        (
            {
                "delayDistribution": {
                    "type": "lognormal",
                    "median": 10,
                    "sigma": 0.1,
                    "maxValue": INF,
                }
            },
            "/response/delayDistribution/maxValue",
        ),
        (
            {"chunkedDribbleDelay": {"numberOfChunks": 2, "totalDuration": INF}},
            "/response/chunkedDribbleDelay/totalDuration",
        ),
        (
            {"chunkedDribbleDelay": {"numberOfChunks": 2, "totalDuration": TOO_LONG}},
            "/response/chunkedDribbleDelay/totalDuration",
        ),
    ],
)
def test_delays_must_be_finite_and_at_most_a_day(response: dict[str, Any], pointer: str) -> None:
    assert refused(response).pointer == pointer


def test_the_longest_delay_allowed_is_a_day() -> None:
    s = parse_stub_mapping({"request": {}, "response": {"fixedDelayMilliseconds": MAX_DELAY_MS}})
    assert isinstance(s.response, ResponseDefinition)
    assert s.response.delay == FixedDelay(MAX_DELAY_MS)


def test_settings_delay_distribution_is_bounded_too() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_delay_distribution({"type": "fixed", "milliseconds": INF}, "/delayDistribution")
    assert info.value.pointer == "/delayDistribution/milliseconds"


def test_body_file_name_cannot_contain_nul() -> None:
    assert refused({"bodyFileName": "a\x00b"}).pointer == "/response/bodyFileName"


@pytest.mark.parametrize(
    ("headers", "pointer"),
    [
        ({"X-A": "a\r\nInjected: 1"}, "/response/additionalProxyRequestHeaders/X-A"),
        ({"X-A": "a\x00"}, "/response/additionalProxyRequestHeaders/X-A"),
        ({"Bad Name": "v"}, "/response/additionalProxyRequestHeaders"),
        ({"X:Y": "v"}, "/response/additionalProxyRequestHeaders"),
    ],
)
def test_additional_proxy_request_headers_are_validated(
    headers: dict[str, str], pointer: str
) -> None:
    response = {"proxyBaseUrl": "http://up.example", "additionalProxyRequestHeaders": headers}
    assert refused(response).pointer == pointer


def test_valid_additional_proxy_request_headers_are_kept() -> None:
    s = parse_stub_mapping(
        {
            "request": {},
            "response": {
                "proxyBaseUrl": "https://up.example:8443/base",
                "additionalProxyRequestHeaders": {"X-Trace": "1"},
            },
        }
    )
    assert isinstance(s.response, ResponseDefinition)
    assert s.response.additional_proxy_request_headers == (("X-Trace", "1"),)


@pytest.mark.parametrize(
    "url",
    [
        "http://[bad",
        "http://",
        "http:///path",
        "https://host:99999",
        "http://host:port",
        "ftp://host",
        "//host/path",
        "http://host/a b",
        "http://host/\r\nX-Injected: 1",
    ],
)
def test_proxy_base_url_must_be_an_absolute_http_url_with_a_host(url: str) -> None:
    assert refused({"proxyBaseUrl": url}).pointer == "/response/proxyBaseUrl"


@pytest.mark.parametrize("encoded", ["not base64!", "é", 12])
def test_logged_request_with_invalid_base64_body_is_invalid_input(encoded: object) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_logged_request({"url": "/a", "bodyAsBase64": encoded})
    assert info.value.pointer == "/bodyAsBase64"


def test_non_ascii_base64_is_invalid_input_everywhere() -> None:
    assert refused({"base64Body": "é"}).pointer == "/response/base64Body"
    with pytest.raises(InvalidInput):
        parse_content_pattern({"binaryEqualTo": "é"}, "/bodyPatterns/0", extensions=BUILTIN)


def test_url_pattern_errors_name_the_field() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_stub_mapping({"request": {"urlPathPattern": "/a[b&&c]"}, "response": {}})
    assert info.value.pointer == "/request/urlPathPattern"


@pytest.mark.parametrize(
    ("options", "pointer"),
    [
        ({"deleteAllNotInImport": "yes"}, "/importOptions/deleteAllNotInImport"),
        ({"deleteAllNotInImport": 1}, "/importOptions/deleteAllNotInImport"),
        ({"duplicatePolicy": "MERGE"}, "/importOptions/duplicatePolicy"),
        ({"deleteAll": True}, "/importOptions/deleteAll"),
        ([], "/importOptions"),
    ],
)
def test_import_options_are_typed(options: Any, pointer: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_import_options(json.loads(json.dumps(options)))
    assert info.value.pointer == pointer


def test_import_options_defaults() -> None:
    assert parse_import_options(None).deleteAllNotInImport is False
    assert parse_import_options(None).duplicatePolicy == "OVERWRITE"
    parsed = parse_import_options({"deleteAllNotInImport": True, "duplicatePolicy": "IGNORE"})
    assert (parsed.deleteAllNotInImport, parsed.duplicatePolicy) == (True, "IGNORE")
