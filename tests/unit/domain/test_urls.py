"""URL patterns (domain/urls.py): WireMock's (Java) regex dialect."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from mockbdd.domain.requests import Body, RecordedRequest
from mockbdd.domain.stubs import StubMapping
from mockbdd.wire.mappings import parse_stub_mapping


def req(method: str = "GET", url: str = "/a", body: bytes = b"") -> RecordedRequest:
    return RecordedRequest(
        method=method, url=url, path=url.split("?")[0], query={}, headers={}, body=Body(body)
    )


def stub(**mapping: Any) -> StubMapping:
    if "responses" not in mapping:
        mapping.setdefault("response", {"status": 200})
    stub_id = mapping.pop("id", None)  # short ids read better here; the wire takes UUIDs only
    parsed = parse_stub_mapping(mapping)
    return parsed if stub_id is None else replace(parsed, id=stub_id)


@pytest.mark.parametrize("field", ["urlPattern", "urlPathPattern"])
def test_url_patterns_use_the_java_regex_dialect(field: str) -> None:
    s = stub(request={field: "/(?<n>a)\\k<n>"})
    assert s.request.matches(req(url="/aa"))
    assert not s.request.matches(req(url="/ab"))
