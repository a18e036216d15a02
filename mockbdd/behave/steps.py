"""The mockbdd step library for behave: ``from mockbdd.behave.steps import *`` in ``steps/``.

Importing registers every phrase of DESIGN §7 once per process. Registration pins behave's
``parse`` matcher and restores whichever matcher the user had chosen (a user's
``use_step_matcher("re")`` would otherwise turn these patterns into regexes). The custom types
carry an ``Mbd`` prefix: behave's type registry is shared with the user's steps. Set-up phrases
are registered with ``@step`` so Given, When and And all accept them; assertions are Then steps.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import behave
from behave.matchers import get_step_matcher_factory, register_type, use_step_matcher

from mockbdd.bdd import steps_impl as impl
from mockbdd.bdd import vocabulary as v
from mockbdd.bdd.scenario_mocks import ScenarioMocks, StepTable, StepUsageError
from mockbdd.bdd.step_checks import MockAssertionError

__all__: list[str] = []

StepFunc = Callable[..., None]
_DEFINITIONS: list[tuple[str, str, StepFunc]] = []

_NO_NAMESPACE = (
    "mockbdd: this scenario has no mock namespace. Call mockbdd.behave.before_scenario(context, "
    "scenario) from before_scenario in environment.py (see mockbdd.behave)"
)


def _mocks(context: Any) -> ScenarioMocks:
    mocks = getattr(context, "mockbdd_scenario", None)
    if not isinstance(mocks, ScenarioMocks):
        raise RuntimeError(_NO_NAMESPACE)
    return mocks


def _table(context: Any) -> StepTable:
    table = context.table
    if table is None:
        raise impl.StepUsageError("this step needs a table under it")
    return StepTable(tuple(table.headings), tuple(tuple(row.cells) for row in table.rows))


def _setup(*patterns: str) -> Callable[[StepFunc], StepFunc]:
    return _define("step", patterns)


def _then(*patterns: str) -> Callable[[StepFunc], StepFunc]:
    return _define("then", patterns)


def _define(keyword: str, patterns: tuple[str, ...]) -> Callable[[StepFunc], StepFunc]:
    def record(func: StepFunc) -> StepFunc:
        _DEFINITIONS.extend((keyword, pattern, _reported(func)) for pattern in patterns)
        return func

    return record


def _reported(func: StepFunc) -> StepFunc:
    """A misused step fails with its message alone (behave prints a traceback for any error
    that is not an assertion, which would bury it). behave finds the step's location through
    ``__wrapped__``."""

    @functools.wraps(func)
    def run(context: Any, *args: Any, **kwargs: Any) -> None:
        try:
            func(context, *args, **kwargs)
        except StepUsageError as exc:
            raise MockAssertionError(str(exc)) from None

    return run


def _step_location(context: Any) -> tuple[str | None, int | None] | None:
    """The feature file and line of the step running now: behave does not put the step on
    the context, but it resets every step of the scenario to ``untested`` before running it,
    and marks each one passed as it goes, so the running step is the first untested one."""
    scenario = getattr(context, "scenario", None)
    for step in getattr(scenario, "all_steps", None) or ():
        if getattr(step.status, "name", "") == "untested":
            return str(step.filename), int(step.line)
    return None


# ------------------------------------------------------------------------------ set-up


@_setup(v.STUB_STATUS)
def _respond_status(context: Any, service: str, method: str, path: str, status: int) -> None:
    impl.respond_status(_mocks(context), service, method, path, status)


@_setup(v.STUB_BODY)
def _respond_body(context: Any, service: str, method: str, path: str, status: int) -> None:
    impl.respond_body(_mocks(context), service, method, path, status, context.text)


@_setup(v.STUB_JSON)
def _respond_json(context: Any, service: str, method: str, path: str, status: int) -> None:
    impl.respond_json(_mocks(context), service, method, path, status, context.text)


@_setup(v.STUB_HEADERS)
def _respond_headers(context: Any, service: str, method: str, path: str, status: int) -> None:
    impl.respond_headers(_mocks(context), service, method, path, status, _table(context))


@_setup(v.STUB_SEQUENCE)
def _respond_in_order(context: Any, service: str, method: str, path: str) -> None:
    impl.respond_in_order(_mocks(context), service, method, path, _table(context))


@_setup(v.STUB_TIMES_THEN)
def _respond_times_then(
    context: Any, service: str, method: str, path: str, status: int, times: int, then_status: int
) -> None:
    impl.respond_times_then(_mocks(context), service, method, path, status, times, then_status)


@_setup(v.STUB_DELAY)
def _respond_after(context: Any, service: str, method: str, path: str, delay: int) -> None:
    impl.respond_after(_mocks(context), service, method, path, delay)


@_setup(v.STUB_TIMEOUT)
def _times_out(context: Any, service: str, method: str, path: str) -> None:
    impl.times_out(_mocks(context), service, method, path)


@_setup(v.STUB_DROP)
def _drops_connection(context: Any, service: str, method: str, path: str) -> None:
    impl.drops_connection(_mocks(context), service, method, path)


@_setup(v.STUB_MALFORMED)
def _malformed(context: Any, service: str, method: str, path: str) -> None:
    impl.malformed_response(_mocks(context), service, method, path)


@_setup(v.SERVICE_UNAVAILABLE)
def _unavailable(context: Any, service: str) -> None:
    impl.unavailable(_mocks(context), service)


@_setup(v.STUB_WHEN_MATCHES)
def _respond_when(context: Any, service: str, method: str, path: str, status: int) -> None:
    impl.respond_when_matches(_mocks(context), service, method, path, status, _table(context))


@_setup(v.UNMATCHED_STATUS)
def _unmatched_status(context: Any, service: str, status: int) -> None:
    impl.unmatched_get_status(_mocks(context), service, status)


@_setup(v.SWITCH_MAP)
def _switch_map(context: Any, service: str, name: str) -> None:
    impl.switch_map(_mocks(context), service, name, _step_location(context))


@_setup(v.CLEAR_REQUESTS)
def _clear_requests(context: Any, service: str) -> None:
    impl.clear_requests(_mocks(context), service)


@_setup(v.WAIT_RECEIVED)
def _wait_received(
    context: Any, service: str, count: int, method: str, path: str, timeout: int
) -> None:
    impl.wait_received(_mocks(context), service, count, method, path, timeout)


# ------------------------------------------------------------------------------ assertions


@_then(v.RECEIVED_COUNT, v.RECEIVED_COUNT_ONE)
def _received_count(context: Any, service: str, count: int, method: str, path: str) -> None:
    impl.received_count(_mocks(context), service, count, method, path)


@_then(v.NOT_RECEIVED)
def _not_received(context: Any, service: str, method: str, path: str) -> None:
    impl.not_received(_mocks(context), service, method, path)


@_then(v.RECEIVED_JSON)
def _received_json(context: Any, service: str, method: str, path: str) -> None:
    impl.received_json(_mocks(context), service, method, path, context.text)


@_then(v.RECEIVED_BODY)
def _received_body(context: Any, service: str, method: str, path: str) -> None:
    impl.received_body(_mocks(context), service, method, path, context.text)


@_then(v.RECEIVED_HEADER)
def _received_header(
    context: Any, service: str, method: str, path: str, name: str, value: str
) -> None:
    impl.received_header(_mocks(context), service, method, path, name, value)


@_then(v.RECEIVED_NO_HEADER)
def _received_no_header(context: Any, service: str, method: str, path: str, name: str) -> None:
    impl.received_no_header(_mocks(context), service, method, path, name)


@_then(v.RECEIVED_QUERY)
def _received_query(
    context: Any, service: str, method: str, path: str, name: str, value: str
) -> None:
    impl.received_query(_mocks(context), service, method, path, name, value)


@_then(v.RECEIVED_IN_ORDER)
def _received_in_order(context: Any, service: str) -> None:
    impl.received_in_order(_mocks(context), service, _table(context))


@_then(v.NTH_REQUEST_JSON)
def _nth_request_json(context: Any, n: int, method: str, path: str, service: str) -> None:
    impl.nth_request_json(_mocks(context), service, n, method, path, context.text)


@_then(v.NO_UNEXPECTED)
def _no_unexpected(context: Any, service: str) -> None:
    impl.no_unexpected_requests(_mocks(context), service)


@_then(v.ALL_STUBS_USED)
def _all_used(context: Any, service: str) -> None:
    impl.all_stubs_used(_mocks(context), service)


# ------------------------------------------------------------------------------ registration


def ensure_registered() -> None:
    """Register the phrases through behave's own decorators, with the ``parse`` matcher pinned
    and the user's matcher restored. Idempotent: behave ignores a step function registered
    again from the same location (behavex re-runs ``before_all`` in one process)."""
    factory = get_step_matcher_factory()
    previous = factory.current_matcher.NAME
    use_step_matcher("parse")
    try:
        register_type(**v.TYPES)
        for keyword, pattern, func in _DEFINITIONS:
            decorator = behave.step if keyword == "step" else behave.then
            decorator(pattern)(func)
    finally:
        use_step_matcher(previous)


ensure_registered()
