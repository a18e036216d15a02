"""The step vocabulary (DESIGN §7): every phrase's ``parse`` pattern, written once.

behave (``mockbdd.behave.steps``) and pytest-bdd (``mockbdd.pytest_bdd_steps``) register these
same strings with the same custom types, so a feature file reads the same under both runners.
Type names carry an ``Mbd`` prefix because behave's type registry is shared with the user's own
steps (one registry per matcher class).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mockbdd.tagmaps.params import parse_duration

METHOD_PATTERN = r"[A-Z][A-Z-]*"
PATH_PATTERN = r"/\S*"
DURATION_PATTERN = r"\d+(?:\.\d+)?\s?(?:ms|s)"
_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)\s?(ms|s)\Z")


def _with_pattern(pattern: str) -> Callable[[Callable[[str], Any]], Callable[[str], Any]]:
    """``parse.with_pattern`` without importing parse's untyped decorator."""

    def decorate(func: Callable[[str], Any]) -> Callable[[str], Any]:
        func.pattern = pattern  # type: ignore[attr-defined]
        func.regex_group_count = 0  # type: ignore[attr-defined]
        return func

    return decorate


@_with_pattern(METHOD_PATTERN)
def parse_method(text: str) -> str:
    """An HTTP method token in capitals: ``GET``, ``POST``, ``ANY``..."""
    return text


@_with_pattern(PATH_PATTERN)
def parse_path(text: str) -> str:
    """A URL path without spaces, so ``{path}`` never swallows the words after it."""
    return text


@_with_pattern(DURATION_PATTERN)
def parse_step_duration(text: str) -> int:
    """``250 ms``, ``250ms``, ``2 s``, ``1.5s`` → milliseconds."""
    match = _DURATION_RE.match(text)
    if match is None:  # pragma: no cover - the pattern already guarantees the shape
        raise ValueError(f"not a duration: {text!r}")
    return parse_duration(match.group(1) + match.group(2))


TYPES: dict[str, Callable[[str], Any]] = {
    "MbdMethod": parse_method,
    "MbdPath": parse_path,
    "MbdDuration": parse_step_duration,
}

_ROUTE = '"{service}" responds to {method:MbdMethod} {path:MbdPath}'
_RECEIVED_A = '"{service}" should have received a {method:MbdMethod} request to {path:MbdPath}'

# -- set-up -----------------------------------------------------------------------------------
STUB_STATUS = _ROUTE + " with status {status:d}"  # 1
STUB_BODY = _ROUTE + " with status {status:d} and body:"  # 2
STUB_JSON = _ROUTE + " with status {status:d} and JSON body:"  # 3
STUB_HEADERS = _ROUTE + " with status {status:d} and headers:"  # 4
STUB_SEQUENCE = _ROUTE + " with these responses in order:"  # 5
STUB_TIMES_THEN = (
    _ROUTE + " with status {status:d} {times:d} times, then with status {then_status:d}"
)  # 6
STUB_DELAY = _ROUTE + " after {delay:MbdDuration}"  # 7
STUB_TIMEOUT = '"{service}" times out on {method:MbdMethod} {path:MbdPath}'  # 8
STUB_DROP = '"{service}" drops the connection on {method:MbdMethod} {path:MbdPath}'  # 9
STUB_MALFORMED = '"{service}" sends a malformed response to {method:MbdMethod} {path:MbdPath}'  # 10
SERVICE_UNAVAILABLE = '"{service}" is unavailable'  # 11
STUB_WHEN_MATCHES = _ROUTE + " with status {status:d} only when the request matches:"  # 12
UNMATCHED_STATUS = 'unmatched requests to "{service}" get status {status:d}'  # 13
SWITCH_MAP = '"{service}" switches to the "{name}" mock'  # 14
CLEAR_REQUESTS = 'the requests recorded by "{service}" are cleared'  # 15
WAIT_RECEIVED = (
    '"{service}" has received {count:d} {method:MbdMethod} requests to {path:MbdPath}'
    " within {timeout:MbdDuration}"
)  # 16

# -- assertions -------------------------------------------------------------------------------
RECEIVED_COUNT = '"{service}" should have received {count:d} {method:MbdMethod} requests to {path:MbdPath}'  # 17, plural
RECEIVED_COUNT_ONE = '"{service}" should have received {count:d} {method:MbdMethod} request to {path:MbdPath}'  # 17, singular
NOT_RECEIVED = (
    '"{service}" should not have received any {method:MbdMethod} request to {path:MbdPath}'  # 18
)
RECEIVED_JSON = _RECEIVED_A + " with JSON body:"  # 19
RECEIVED_BODY = _RECEIVED_A + " with body:"  # 20
RECEIVED_HEADER = _RECEIVED_A + ' with header "{name}" equal to "{value}"'  # 21
RECEIVED_NO_HEADER = _RECEIVED_A + ' without header "{name}"'  # 22
RECEIVED_QUERY = _RECEIVED_A + ' with query parameter "{name}" equal to "{value}"'  # 23
RECEIVED_IN_ORDER = '"{service}" should have received these requests in order:'  # 24
NTH_REQUEST_JSON = (
    'request {n:d} to {method:MbdMethod} {path:MbdPath} on "{service}" should have JSON body:'  # 25
)
NO_UNEXPECTED = '"{service}" should not have received unexpected requests'  # 26
ALL_STUBS_USED = 'every response stubbed on "{service}" should have been used'  # 27


@dataclass(frozen=True)
class Phrase:
    number: int
    pattern: str
    setup: bool  # set-up phrases are registered for every keyword (Given/When/And)


PHRASES: tuple[Phrase, ...] = (
    Phrase(1, STUB_STATUS, True),
    Phrase(2, STUB_BODY, True),
    Phrase(3, STUB_JSON, True),
    Phrase(4, STUB_HEADERS, True),
    Phrase(5, STUB_SEQUENCE, True),
    Phrase(6, STUB_TIMES_THEN, True),
    Phrase(7, STUB_DELAY, True),
    Phrase(8, STUB_TIMEOUT, True),
    Phrase(9, STUB_DROP, True),
    Phrase(10, STUB_MALFORMED, True),
    Phrase(11, SERVICE_UNAVAILABLE, True),
    Phrase(12, STUB_WHEN_MATCHES, True),
    Phrase(13, UNMATCHED_STATUS, True),
    Phrase(14, SWITCH_MAP, True),
    Phrase(15, CLEAR_REQUESTS, True),
    Phrase(16, WAIT_RECEIVED, True),
    Phrase(17, RECEIVED_COUNT, False),
    Phrase(17, RECEIVED_COUNT_ONE, False),
    Phrase(18, NOT_RECEIVED, False),
    Phrase(19, RECEIVED_JSON, False),
    Phrase(20, RECEIVED_BODY, False),
    Phrase(21, RECEIVED_HEADER, False),
    Phrase(22, RECEIVED_NO_HEADER, False),
    Phrase(23, RECEIVED_QUERY, False),
    Phrase(24, RECEIVED_IN_ORDER, False),
    Phrase(25, NTH_REQUEST_JSON, False),
    Phrase(26, NO_UNEXPECTED, False),
    Phrase(27, ALL_STUBS_USED, False),
)
