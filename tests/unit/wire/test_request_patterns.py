"""Request patterns at the wire edge (wire/request_patterns.py): errors name their field."""

from __future__ import annotations

import pytest

from mockbdd.domain.errors import InvalidInput
from mockbdd.wire.mappings import (
    parse_stub_mapping,
)


def test_url_pattern_errors_name_the_field() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_stub_mapping({"request": {"urlPathPattern": "/a[b&&c]"}, "response": {}})
    assert info.value.pointer == "/request/urlPathPattern"
