"""Fixtures for engine tests over real sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from mockbdd.server.embedded import MockServer


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as s:
        yield s


@pytest.fixture
def http(server: MockServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


@pytest.fixture
async def mock() -> AsyncIterator[MockServer]:
    """A server started on the test's own loop (the async tests')."""
    async with MockServer() as server:
        yield server
