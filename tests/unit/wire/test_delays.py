"""Delays at the wire edge (wire/delays.py): finite and at most a day, in stubs and settings."""

from __future__ import annotations

from typing import Any

import pytest

from mockbdd.domain.delays import MAX_DELAY_MS, FixedDelay
from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.wire.mappings import (
    parse_delay_distribution,
    parse_stub_mapping,
)

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
