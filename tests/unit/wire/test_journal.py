"""mockbdd.wire.journal: logged requests as sent to near-misses/request, and timestamps."""

from __future__ import annotations

from datetime import datetime, timezone
from random import Random
from typing import Any

import pytest

from mockbdd.domain.errors import InvalidInput
from mockbdd.wire.journal import iso_time, parse_logged_request, parse_timestamp


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        ({"method": "GET"}, ("/request/url", "required, a path starting with '/'")),
        ({"url": "x"}, ("/request/url", "required, a path starting with '/'")),
        ({"url": "/x", "method": 7}, ("/request/method", "must be a string")),
        ({"url": "/x", "headers": ["a"]}, ("/request/headers", "must be an object")),
        ({"url": "/x", "bodyAsBase64": 5}, ("/request/bodyAsBase64", "must be a base64 string")),
    ],
)
def test_a_bad_logged_request_names_its_field(
    obj: dict[str, Any], expected: tuple[str, str]
) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_logged_request(obj, "/request")
    assert (exc.value.pointer, exc.value.reason) == expected


def test_a_logged_request_decodes_url_query_headers_and_body() -> None:
    request = parse_logged_request(
        {
            "url": "/a/b?x=1&x=2&y=",
            "method": "post",
            "headers": {"X-One": "1", "X-Many": ["a", "b"]},
            "body": "hi",
        }
    )
    assert (request.method, request.path) == ("POST", "/a/b")
    assert request.query == {"x": ["1", "2"], "y": [""]}
    assert request.headers == {"x-one": ["1"], "x-many": ["a", "b"]}
    assert request.body.raw == b"hi"


@pytest.mark.parametrize(
    ("text", "epoch"),
    [
        ("2026-01-02T03:04:05Z", 1767323045.0),
        ("2026-01-02T04:04:05+01:00", 1767323045.0),
        ("2026-01-02T03:04:05", 1767323045.0),  # no offset: read as UTC
    ],
)
def test_timestamps_are_iso_8601_and_utc_without_an_offset(text: str, epoch: float) -> None:
    assert parse_timestamp(text, "/since") == epoch


def test_a_bad_timestamp_is_named() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_timestamp("yesterday", "?since")
    assert (exc.value.pointer, exc.value.reason) == (
        "?since",
        "not an ISO-8601 date-time: 'yesterday'",
    )


@pytest.mark.parametrize("encoded", ["not base64!", "é", 12])
def test_logged_request_with_invalid_base64_body_is_invalid_input(encoded: object) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_logged_request({"url": "/a", "bodyAsBase64": encoded})
    assert info.value.pointer == "/bodyAsBase64"


def test_logged_date_string_is_what_datetime_writes() -> None:
    """``loggedDateString`` is formatted once per second and the milliseconds appended: the
    same text as ``datetime.isoformat`` (its rounding to microseconds, then truncation)."""
    rng = Random(7)
    moments = [0.0, 1.9999996, 5.0005, 1764750011.9995]
    moments += [rng.uniform(0, 2e9) for _ in range(20_000)]
    moments += [1764750011 + i * 1e-4 for i in range(20_000)]  # across several seconds
    for ts in moments:
        written = datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="milliseconds")
        assert iso_time(ts) == written.replace("+00:00", "Z"), ts
