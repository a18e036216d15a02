"""Webhooks sent as real WireMock 3.13.2 sends them: every case of
``bench/wiremock_diff_webhooks.py`` (``serveEventListeners`` and ``postServeActions``, methods,
headers, templated URL, headers and body, base64 bodies, delays, failing and unreachable
targets) run against mockbdd, the callbacks received by a local HTTP server this test starts,
and compared with what WireMock sent, stored by ``make wiremock-diff-webhooks`` with
``--write-golden`` in ``tests/data/wiremock_3_13_2/webhooks.json``: method, path and query,
headers (but the client library's own, ``IGNORED_HEADERS``), body, the delay, and the serve
event's sub-events. Only the differences the harness explains (``EXPECTED``) may remain."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from bench.wiremock_diff_recording import differences
from bench.wiremock_diff_webhooks import (
    EXPECTED,
    GOLDEN,
    Receiver,
    cases,
    fingerprint,
    session,
)
from mockbdd.server.embedded import MockServer

GOLDEN_CASES: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))
ANSWERED = GOLDEN_CASES.pop("_cases")  # the fingerprint of the cases WireMock answered
CASES = {case.name: case for case in cases()}


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer() as s:
        yield s


def test_every_case_has_wiremocks_answer() -> None:
    # a case changed without WireMock's answer refreshed: rerun the harness with --write-golden
    assert (ANSWERED, sorted(GOLDEN_CASES)) == (fingerprint(), sorted(CASES))


@pytest.mark.parametrize("name", sorted(CASES))
def test_webhook_is_sent_as_wiremock_sends_it(
    name: str, server: MockServer, receiver: Receiver
) -> None:
    found = differences(
        name, GOLDEN_CASES[name], session(server.url, receiver, CASES[name]), EXPECTED
    )
    unexplained = [
        f"{d.path}: WireMock {d.wiremock}, mockbdd {d.mockbdd}" for d in found if not d.reason
    ]
    assert unexplained == []
