"""The step vocabulary (DESIGN §7): every phrase, written once in :data:`PHRASES`.

Each row holds the phrase's ``parse`` pattern, its kind (set-up or assertion), the function in
:mod:`mockbdd.bdd.steps_impl` it calls and what it takes besides its text (a docstring, a
table, its location). behave (``mockbdd.behave.steps``) and pytest-bdd
(``mockbdd.pytest_bdd_steps``) each register the whole table with one loop, with the same
custom types, so a feature file reads the same under both runners.
Type names carry an ``Mbd`` prefix because behave's type registry is shared with the user's own
steps (one registry per matcher class).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from string import Formatter
from typing import Any

from mockbdd.bdd import (
    crud_steps,
    limit_steps,
    llm_steps,
    sim_steps,
    webhook_steps,
    websocket_steps,
)
from mockbdd.bdd import steps_impl as impl
from mockbdd.bdd.scenario_mocks import ScenarioMocks, StepUsageError
from mockbdd.client.errors import AdminError
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


PERCENT_PATTERN = r"\d+(?:\.\d+)?\s?%"


@_with_pattern(PERCENT_PATTERN)
def parse_percent(text: str) -> str:
    """``10%`` or ``2.5 %`` (the step turns it into a rate)."""
    return text


TYPES: dict[str, Callable[[str], Any]] = {
    "MbdPercent": parse_percent,
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

# -- simulation (28-32) ---------------------------------------------------------------------
LATENCY_DISTRIBUTION = _ROUTE + " with latency following a {kind} distribution:"  # 28
ERROR_RATE = (
    '"{service}" fails {percent:MbdPercent} of {method:MbdMethod} requests to {path:MbdPath}'
    " with status {status:d}"
)  # 29
DROP_RATE = (
    '"{service}" drops {percent:MbdPercent} of {method:MbdMethod} requests to {path:MbdPath}'  # 30
)
NETWORK_CONDITIONS = '"{service}" has these network conditions:'  # 31
OBSERVED_LATENCY = (
    'the p{q:d} latency of "{service}" answers should be between {low:MbdDuration}'
    " and {high:MbdDuration}"
)  # 32

# -- limits (34-38) --------------------------------------------------------------------------
RATE_LIMIT_ROUTE = (
    '"{service}" allows {requests:d} {method:MbdMethod} requests to {path:MbdPath}'
    " per {period:MbdDuration}"
)  # 34
RATE_LIMIT_SERVICE = '"{service}" allows {requests:d} requests per {period:MbdDuration}'  # 35
CONCURRENCY_ROUTE = (
    '"{service}" answers at most {count:d} {method:MbdMethod} requests to {path:MbdPath}'
    " at once, queueing {depth:d} for up to {timeout:MbdDuration}"
)  # 36
CONCURRENCY_SERVICE = (
    '"{service}" answers at most {count:d} requests at once, queueing {depth:d}'
    " for up to {timeout:MbdDuration}"
)  # 37
ANSWERED_WITH_STATUS = (
    '"{service}" should have answered {count:d} requests with status {status:d}'  # 38, plural
)
ANSWERED_WITH_STATUS_ONE = (
    '"{service}" should have answered {count:d} request with status {status:d}'  # 38, singular
)

# -- CRUD collections (40-44) ----------------------------------------------------------------
SERVES_COLLECTION = '"{service}" serves a "{collection}" collection at {path:MbdPath} with:'  # 40
SERVES_EMPTY_COLLECTION = (
    '"{service}" serves an empty "{collection}" collection at {path:MbdPath}'  # 41
)
COLLECTION_CONTAINS = 'the "{collection}" collection should contain:'  # 42
COLLECTION_COUNT = 'the "{collection}" collection should have {count:d} items'  # 43, plural
COLLECTION_COUNT_ONE = 'the "{collection}" collection should have {count:d} item'  # 43, singular
COLLECTION_LACKS = (
    'the "{collection}" collection should not contain an item whose "{field}" is "{value}"'  # 44
)

# -- LLM APIs (45-49) ---------------------------------------------------------------------------
CHAT_ANSWERS = '"{service}" answers chat completions with:'  # 45
CHAT_ANSWERS_ABOUT = '"{service}" answers chat completions about "{topic}" with:'  # 46
CHAT_CALLS_TOOL = '"{service}" answers chat completions by calling the tool "{tool}" with:'  # 47
CHAT_ASKED_ABOUT = '"{service}" should have been asked a chat completion whose last message contains "{text}"'  # 48
CHAT_OFFERED_TOOL = '"{service}" should have been offered the tool "{tool}"'  # 49

# -- WebSocket endpoints (50-52, 55-58) ----------------------------------------------------------
WS_ON_CONNECT = '"{service}" sends on connect to {path:MbdPath}:'  # 50
WS_REPLIES = (
    'when "{service}" receives a message containing "{text}" on {path:MbdPath}, it replies:'  # 51
)
WS_RECEIVED = (
    '"{service}" should have received a message containing "{text}" on {path:MbdPath}'  # 52
)

WS_REPLIES_MATCHING = (
    'when "{service}" receives a message matching "{regex}" on {path:MbdPath}, it replies:'  # 55
)
WS_RECEIVED_COUNT = '"{service}" should have received {count:d} messages containing "{text}" on {path:MbdPath}'  # 56, plural
WS_RECEIVED_COUNT_ONE = '"{service}" should have received {count:d} message containing "{text}" on {path:MbdPath}'  # 56, singular
WS_SENT = '"{service}" should have sent a message containing "{text}" on {path:MbdPath}'  # 57
WS_DELAYS = (
    '"{service}" delays its WebSocket messages on {path:MbdPath} by {delay:MbdDuration}'  # 58
)

# -- Anthropic's Messages API (53-54) -------------------------------------------------------------
MESSAGES_ANSWERS = '"{service}" answers Anthropic messages with:'  # 53
MESSAGES_ANSWERS_ABOUT = '"{service}" answers Anthropic messages about "{topic}" with:'  # 54

# -- webhooks (63-64) ---------------------------------------------------------------------------
CALLS_BACK = 'after answering, "{service}" calls back {url} with:'  # 63
CALLED_BACK = '"{service}" should have called back {url}'  # 64


class Kind(Enum):
    """Set-up phrases are registered for every keyword (Given, When, And); assertions for Then."""

    SETUP = "set-up"
    ASSERTION = "assertion"


class Extra(Enum):
    """What a phrase takes besides the values in its text, appended as the last argument."""

    NONE = "none"
    DOCSTRING = "docstring"  # the docstring's text (behave: None when there is none)
    TABLE = "table"  # the table under the step, as a StepTable
    LOCATION = "location"  # the step's own feature file and line, named by its errors


def fields(pattern: str) -> tuple[str, ...]:
    """The named fields of a ``parse`` pattern, in the order the text has them."""
    return tuple(name for _, name, _, _ in Formatter().parse(pattern) if name)


@dataclass(frozen=True)
class Phrase:
    """One row of the vocabulary: what the runners register and what the step then calls.

    A step calls ``impl(mocks, *values, extra)``: ``values`` are the pattern's fields in the
    order ``args`` names them (by default the text's order), already converted by the pattern's
    types (``MbdDuration`` gives milliseconds); ``extra`` is left out when it is ``Extra.NONE``.
    """

    number: int
    pattern: str
    kind: Kind
    impl: Callable[..., object]
    extra: Extra = Extra.NONE
    args: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.args:
            object.__setattr__(self, "args", fields(self.pattern))
        if sorted(self.args) != sorted(fields(self.pattern)):
            raise ValueError(
                f"phrase {self.number}: args {self.args} must name the fields of its pattern "
                f"{fields(self.pattern)}, each once"
            )

    @property
    def setup(self) -> bool:
        return self.kind is Kind.SETUP

    def run(self, mocks: ScenarioMocks, values: Mapping[str, Any], extra: object = None) -> None:
        """Carry the step out: ``values`` are the fields parsed from the step's text."""
        positional = [values[name] for name in self.args]
        if self.extra is not Extra.NONE:
            positional.append(extra)
        try:
            self.impl(mocks, *positional)
        except AdminError as exc:  # what the step asked for was refused: the step's mistake
            if exc.status not in (400, 422):
                raise
            where = f"{exc.pointer}: " if exc.pointer else ""
            raise StepUsageError(f"the server refused this step: {where}{exc.title}") from None


SETUP, ASSERTION = Kind.SETUP, Kind.ASSERTION
DOCSTRING, TABLE, LOCATION = Extra.DOCSTRING, Extra.TABLE, Extra.LOCATION

PHRASES: tuple[Phrase, ...] = (
    Phrase(1, STUB_STATUS, SETUP, impl.respond_status),
    Phrase(2, STUB_BODY, SETUP, impl.respond_body, DOCSTRING),
    Phrase(3, STUB_JSON, SETUP, impl.respond_json, DOCSTRING),
    Phrase(4, STUB_HEADERS, SETUP, impl.respond_headers, TABLE),
    Phrase(5, STUB_SEQUENCE, SETUP, impl.respond_in_order, TABLE),
    Phrase(6, STUB_TIMES_THEN, SETUP, impl.respond_times_then),
    Phrase(7, STUB_DELAY, SETUP, impl.respond_after),
    Phrase(8, STUB_TIMEOUT, SETUP, impl.times_out),
    Phrase(9, STUB_DROP, SETUP, impl.drops_connection),
    Phrase(10, STUB_MALFORMED, SETUP, impl.malformed_response),
    Phrase(11, SERVICE_UNAVAILABLE, SETUP, impl.unavailable),
    Phrase(12, STUB_WHEN_MATCHES, SETUP, impl.respond_when_matches, TABLE),
    Phrase(13, UNMATCHED_STATUS, SETUP, impl.unmatched_get_status),
    Phrase(14, SWITCH_MAP, SETUP, impl.switch_map, LOCATION),
    Phrase(15, CLEAR_REQUESTS, SETUP, impl.clear_requests),
    Phrase(16, WAIT_RECEIVED, SETUP, impl.wait_received),
    Phrase(17, RECEIVED_COUNT, ASSERTION, impl.received_count),
    Phrase(17, RECEIVED_COUNT_ONE, ASSERTION, impl.received_count),
    Phrase(18, NOT_RECEIVED, ASSERTION, impl.not_received),
    Phrase(19, RECEIVED_JSON, ASSERTION, impl.received_json, DOCSTRING),
    Phrase(20, RECEIVED_BODY, ASSERTION, impl.received_body, DOCSTRING),
    Phrase(21, RECEIVED_HEADER, ASSERTION, impl.received_header),
    Phrase(22, RECEIVED_NO_HEADER, ASSERTION, impl.received_no_header),
    Phrase(23, RECEIVED_QUERY, ASSERTION, impl.received_query),
    Phrase(24, RECEIVED_IN_ORDER, ASSERTION, impl.received_in_order, TABLE),
    Phrase(
        25,
        NTH_REQUEST_JSON,
        ASSERTION,
        impl.nth_request_json,
        DOCSTRING,
        args=("service", "n", "method", "path"),
    ),
    Phrase(26, NO_UNEXPECTED, ASSERTION, impl.no_unexpected_requests),
    Phrase(27, ALL_STUBS_USED, ASSERTION, impl.all_stubs_used),
    Phrase(28, LATENCY_DISTRIBUTION, SETUP, sim_steps.latency_distribution, TABLE),
    Phrase(29, ERROR_RATE, SETUP, sim_steps.error_rate),
    Phrase(30, DROP_RATE, SETUP, sim_steps.drop_rate),
    Phrase(31, NETWORK_CONDITIONS, SETUP, sim_steps.network_conditions, TABLE),
    Phrase(
        32,
        OBSERVED_LATENCY,
        ASSERTION,
        sim_steps.observed_latency,
        args=("service", "q", "low", "high"),
    ),
    Phrase(34, RATE_LIMIT_ROUTE, SETUP, limit_steps.rate_limit_route),
    Phrase(35, RATE_LIMIT_SERVICE, SETUP, limit_steps.rate_limit_service),
    Phrase(36, CONCURRENCY_ROUTE, SETUP, limit_steps.concurrency_route),
    Phrase(37, CONCURRENCY_SERVICE, SETUP, limit_steps.concurrency_service),
    Phrase(38, ANSWERED_WITH_STATUS, ASSERTION, limit_steps.answered_with_status),
    Phrase(38, ANSWERED_WITH_STATUS_ONE, ASSERTION, limit_steps.answered_with_status),
    Phrase(40, SERVES_COLLECTION, SETUP, crud_steps.serves_collection, TABLE),
    Phrase(41, SERVES_EMPTY_COLLECTION, SETUP, crud_steps.serves_empty_collection),
    Phrase(42, COLLECTION_CONTAINS, ASSERTION, crud_steps.contains, TABLE),
    Phrase(43, COLLECTION_COUNT, ASSERTION, crud_steps.has_count),
    Phrase(43, COLLECTION_COUNT_ONE, ASSERTION, crud_steps.has_count),
    Phrase(44, COLLECTION_LACKS, ASSERTION, crud_steps.lacks),
    Phrase(45, CHAT_ANSWERS, SETUP, llm_steps.answers_chat, DOCSTRING),
    Phrase(46, CHAT_ANSWERS_ABOUT, SETUP, llm_steps.answers_chat_about, DOCSTRING),
    Phrase(47, CHAT_CALLS_TOOL, SETUP, llm_steps.answers_chat_with_tool, DOCSTRING),
    Phrase(48, CHAT_ASKED_ABOUT, ASSERTION, llm_steps.asked_about),
    Phrase(49, CHAT_OFFERED_TOOL, ASSERTION, llm_steps.offered_tool),
    Phrase(50, WS_ON_CONNECT, SETUP, websocket_steps.sends_on_connect, DOCSTRING),
    Phrase(51, WS_REPLIES, SETUP, websocket_steps.replies_to, DOCSTRING),
    Phrase(52, WS_RECEIVED, ASSERTION, websocket_steps.received_message),
    Phrase(53, MESSAGES_ANSWERS, SETUP, llm_steps.answers_messages, DOCSTRING),
    Phrase(54, MESSAGES_ANSWERS_ABOUT, SETUP, llm_steps.answers_messages_about, DOCSTRING),
    Phrase(55, WS_REPLIES_MATCHING, SETUP, websocket_steps.replies_to_matching, DOCSTRING),
    Phrase(56, WS_RECEIVED_COUNT, ASSERTION, websocket_steps.received_messages),
    Phrase(56, WS_RECEIVED_COUNT_ONE, ASSERTION, websocket_steps.received_messages),
    Phrase(57, WS_SENT, ASSERTION, websocket_steps.sent_message),
    Phrase(58, WS_DELAYS, SETUP, websocket_steps.delays_messages),
    Phrase(63, CALLS_BACK, SETUP, webhook_steps.calls_back, DOCSTRING),
    Phrase(64, CALLED_BACK, ASSERTION, webhook_steps.called_back),
)
