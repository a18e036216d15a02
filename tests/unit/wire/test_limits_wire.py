"""``rateLimit`` / ``concurrency`` JSON: decoded with defaults, refused field by field in
mockbdd's words, and written back as the settings show them."""

from __future__ import annotations

from typing import Any

import pytest

from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.limits import ConcurrencyLimit, RateLimit
from mockbdd.wire.limits import (
    concurrency_json,
    parse_concurrency,
    parse_rate_limit,
    rate_limit_json,
)
from mockbdd.wire.settings import parse_settings, settings_json


def test_a_rate_limit_takes_its_defaults_and_lower_cases_a_header_key() -> None:
    assert parse_rate_limit({"requests": 3, "periodMs": 10}, "/r") == RateLimit(3, 10)
    limit = parse_rate_limit(
        {"requests": 3, "periodMs": 10, "burst": 7, "key": "header:X-Key", "status": 420}, "/r"
    )
    assert limit == RateLimit(3, 10, 7, "header:x-key", 420)
    assert limit.capacity == 7
    assert limit.header == "x-key"
    assert RateLimit(3, 10).capacity == 3
    assert RateLimit(3, 10).header is None
    assert rate_limit_json(limit) == {
        "requests": 3,
        "periodMs": 10,
        "burst": 7,
        "key": "header:x-key",
        "status": 420,
    }


def test_a_concurrency_limit_takes_its_defaults() -> None:
    limit = parse_concurrency({"maxInFlight": 2}, "/c")
    assert limit == ConcurrencyLimit(2, 0, 30_000, 503)
    assert concurrency_json(limit) == {
        "maxInFlight": 2,
        "queueDepth": 0,
        "queueTimeoutMs": 30_000,
        "rejectStatus": 503,
    }


@pytest.mark.parametrize(
    ("obj", "pointer", "reason"),
    [
        ([], "/r", "must be an object with requests, periodMs"),
        (
            {"requests": True, "periodMs": 1},
            "/r/requests",
            "whole number in 1..1000000000, got True",
        ),
        ({"requests": "5", "periodMs": 1}, "/r/requests", "got '5'"),
        ({"requests": 1.5, "periodMs": 1}, "/r/requests", "got 1.5"),
        ({"requests": 1, "periodMs": 1, "burst": 0}, "/r/burst", "1.."),
        ({"requests": 1, "periodMs": 1, "key": 3}, "/r/key", "namespace, ip, header:<Name>"),
        ({"requests": 1, "periodMs": 1, "key": "header:"}, "/r/key", "got 'header:'"),
        ({"requests": 1, "periodMs": 1, "key": "header:a b"}, "/r/key", "got 'header:a b'"),
        ({"requests": 1, "periodMs": 1, "status": 302}, "/r/status", "400..599"),
        ({"requests": 1}, "/r/periodMs", "is required: the period in milliseconds"),
        (
            {"requests": 1, "periodMs": 1, "reqs": 1},
            "/r/reqs",
            "unknown field 'reqs'; did you mean 'requests'? (known:",
        ),
    ],
)
def test_bad_rate_limits_name_the_field_and_the_valid_values(
    obj: Any, pointer: str, reason: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_rate_limit(obj, "/r")
    assert caught.value.pointer == pointer
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    ("obj", "pointer"),
    [
        ({}, "/c/maxInFlight"),
        ({"maxInFlight": 1, "queueDepth": -1}, "/c/queueDepth"),
        ({"maxInFlight": 1, "queueDepth": 100_001}, "/c/queueDepth"),
        ({"maxInFlight": 1, "queueTimeoutMs": -5}, "/c/queueTimeoutMs"),
        ({"maxInFlight": 1, "rejectStatus": 600}, "/c/rejectStatus"),
    ],
)
def test_bad_concurrency_limits_name_the_field(obj: Any, pointer: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_concurrency(obj, "/c")
    assert caught.value.pointer == pointer


def test_settings_carry_the_limits_both_ways() -> None:
    body = {"rateLimit": {"requests": 2, "periodMs": 5}, "concurrency": {"maxInFlight": 1}}
    settings = parse_settings(body)
    assert settings.rate_limit == RateLimit(2, 5)
    assert settings.concurrency == ConcurrencyLimit(1)
    shown = settings_json(settings)
    assert parse_settings(shown) == settings
    assert parse_settings({}).rate_limit is None


def test_a_bucket_name_is_kept_both_ways() -> None:
    rate = parse_rate_limit({"requests": 1, "periodMs": 5, "bucket": "service:payments"}, "/r")
    assert rate.bucket == "service:payments"
    assert rate_limit_json(rate)["bucket"] == "service:payments"
    slots = parse_concurrency({"maxInFlight": 1, "bucket": "svc"}, "/c")
    assert concurrency_json(slots)["bucket"] == "svc"
    with pytest.raises(InvalidInput) as caught:
        parse_rate_limit({"requests": 1, "periodMs": 5, "bucket": 7}, "/r")
    assert caught.value.pointer == "/r/bucket"
