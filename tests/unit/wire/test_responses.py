"""Response definitions at the wire edge (wire/responses.py): safe file names, proxy headers and
proxy URLs, strict base64."""

from __future__ import annotations

from typing import Any

import pytest

from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.wire.builtins import BUILTIN
from mockbdd.wire.mappings import (
    parse_stub_mapping,
)
from mockbdd.wire.patterns import parse_content_pattern


def refused(response: dict[str, Any]) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        parse_stub_mapping({"request": {"urlPath": "/x"}, "response": response})
    return info.value


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


def test_non_ascii_base64_is_invalid_input_everywhere() -> None:
    assert refused({"base64Body": "é"}).pointer == "/response/base64Body"
    with pytest.raises(InvalidInput):
        parse_content_pattern({"binaryEqualTo": "é"}, "/bodyPatterns/0", extensions=BUILTIN)
