"""mockbdd.wire.settings: WireMock's global settings, decoded once and echoed back as sent."""

from __future__ import annotations

from typing import Any

import pytest

from mockbdd.domain.delays import MAX_DELAY_MS, FixedDelay, LogNormalDelay, UniformDelay
from mockbdd.domain.errors import InvalidInput
from mockbdd.wire.settings import parse_settings, settings_json


@pytest.mark.parametrize(
    "body",
    [
        {"fixedDelay": 5},
        {"delayDistribution": {"type": "fixed", "milliseconds": 20}},
        {"delayDistribution": {"type": "uniform", "lower": 1, "upper": 9}},
        {"delayDistribution": {"type": "lognormal", "median": 80, "sigma": 0.4}},
        {"delayDistribution": {"type": "lognormal", "median": 80, "sigma": 0.4, "maxValue": 500}},
        {"extended": {"team": "payments"}},
        {},
    ],
)
def test_settings_round_trip_as_wiremock_shows_them(body: dict[str, Any]) -> None:
    assert settings_json(parse_settings(body)) == body


def test_each_delay_distribution_decodes_to_its_kind() -> None:
    def delay(obj: dict[str, Any]) -> object:
        return parse_settings({"delayDistribution": obj}).delay_distribution

    assert delay({"type": "fixed", "milliseconds": 20}) == FixedDelay(20)
    assert delay({"type": "uniform", "lower": 1, "upper": 9}) == UniformDelay(1, 9)
    assert delay({"type": "lognormal", "median": 80, "sigma": 0.4}) == LogNormalDelay(80, 0.4)


def test_proxy_pass_through_from_the_java_client_is_accepted_and_ignored() -> None:
    assert settings_json(parse_settings({"fixedDelay": 1, "proxyPassThrough": True})) == {
        "fixedDelay": 1
    }


def refused(body: Any) -> tuple[str, str]:
    with pytest.raises(InvalidInput) as exc:
        parse_settings(body)
    return exc.value.pointer, exc.value.reason


def test_an_unknown_setting_is_refused_by_name_with_what_is_supported() -> None:
    assert refused({"fixedDelay": 1, "gzipDisabled": True}) == (
        "/gzipDisabled",
        "setting not supported by this mockbdd version "
        "(supported: fixedDelay, delayDistribution, extended, rateLimit, concurrency, chaos, "
        "network, bandwidth, degradation, timeline, seed)",
    )


@pytest.mark.parametrize("value", [-1, MAX_DELAY_MS + 1, 1.5, True, "10"])
def test_fixed_delay_is_a_whole_number_of_milliseconds_up_to_a_day(value: object) -> None:
    assert refused({"fixedDelay": value}) == (
        "/fixedDelay",
        f"must be a whole number of milliseconds in 0..{MAX_DELAY_MS}",
    )


@pytest.mark.parametrize(
    ("distribution", "pointer"),
    [
        ("uniform", "/delayDistribution"),
        ({"type": "uniform", "lower": 9, "upper": 1}, "/delayDistribution/lower"),
        ({"type": "nope"}, "/delayDistribution/type"),
    ],
)
def test_a_bad_delay_distribution_names_its_field(distribution: object, pointer: str) -> None:
    assert refused({"delayDistribution": distribution})[0] == pointer


def test_extended_must_be_an_object() -> None:
    assert refused({"extended": ["x"]}) == ("/extended", "must be an object")
