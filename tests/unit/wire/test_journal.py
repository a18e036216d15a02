"""mockbdd.wire.journal: logged requests as sent to near-misses/request, and timestamps."""

from __future__ import annotations

from typing import Any

import pytest

from mockbdd.domain.errors import InvalidInput
from mockbdd.wire.journal import parse_logged_request, parse_timestamp


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
