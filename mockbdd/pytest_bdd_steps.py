"""The mockbdd step library for pytest-bdd, registered by the pytest plugin when pytest-bdd is
active (``config.pluginmanager.import_plugin``), so its step fixtures are global.

The patterns are behave's (:mod:`mockbdd.bdd.vocabulary`), compiled case-sensitively as behave
does; docstrings and tables arrive as pytest-bdd's ``docstring`` and ``datatable`` arguments.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import pytest
from pytest_bdd import parsers, step, then

from mockbdd.bdd import steps_impl as impl
from mockbdd.bdd import vocabulary as v
from mockbdd.bdd.scenario_mocks import ScenarioMocks, StepTable, StepUsageError
from mockbdd.bdd.step_checks import MockAssertionError
from mockbdd.pytest_plugin import STEP_AT_KEY

Mocks = ScenarioMocks
Table = list[list[str]]


def _p(pattern: str) -> Any:
    return parsers.parse(pattern, case_sensitive=True, extra_types=v.TYPES)


def _table(datatable: Table | None) -> StepTable:
    return StepTable.from_lists(datatable)


P = ParamSpec("P")
R = TypeVar("R")


def _reported(func: Callable[P, R]) -> Callable[P, R]:
    """Report a failed mock assertion (or a misused step) as its message alone: pytest-bdd runs
    steps through pytest's fixture machinery, whose frames would bury the report."""

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        __tracebackhide__ = True
        try:
            return func(*args, **kwargs)
        except (MockAssertionError, StepUsageError) as exc:
            message = str(exc)
        pytest.fail(message, pytrace=False)  # outside the except: no chained traceback

    return run


# ------------------------------------------------------------------------------ set-up


@step(_p(v.STUB_STATUS))
@_reported
def _respond_status(
    mockbdd_scenario: Mocks, service: str, method: str, path: str, status: int
) -> None:
    impl.respond_status(mockbdd_scenario, service, method, path, status)


@step(_p(v.STUB_BODY))
@_reported
def _respond_body(
    mockbdd_scenario: Mocks, service: str, method: str, path: str, status: int, docstring: str
) -> None:
    impl.respond_body(mockbdd_scenario, service, method, path, status, docstring)


@step(_p(v.STUB_JSON))
@_reported
def _respond_json(
    mockbdd_scenario: Mocks, service: str, method: str, path: str, status: int, docstring: str
) -> None:
    impl.respond_json(mockbdd_scenario, service, method, path, status, docstring)


@step(_p(v.STUB_HEADERS))
@_reported
def _respond_headers(
    mockbdd_scenario: Mocks, service: str, method: str, path: str, status: int, datatable: Table
) -> None:
    impl.respond_headers(mockbdd_scenario, service, method, path, status, _table(datatable))


@step(_p(v.STUB_SEQUENCE))
@_reported
def _respond_in_order(
    mockbdd_scenario: Mocks, service: str, method: str, path: str, datatable: Table
) -> None:
    impl.respond_in_order(mockbdd_scenario, service, method, path, _table(datatable))


@step(_p(v.STUB_TIMES_THEN))
@_reported
def _respond_times_then(
    mockbdd_scenario: Mocks,
    service: str,
    method: str,
    path: str,
    status: int,
    times: int,
    then_status: int,
) -> None:
    impl.respond_times_then(mockbdd_scenario, service, method, path, status, times, then_status)


@step(_p(v.STUB_DELAY))
@_reported
def _respond_after(
    mockbdd_scenario: Mocks, service: str, method: str, path: str, delay: int
) -> None:
    impl.respond_after(mockbdd_scenario, service, method, path, delay)


@step(_p(v.STUB_TIMEOUT))
@_reported
def _times_out(mockbdd_scenario: Mocks, service: str, method: str, path: str) -> None:
    impl.times_out(mockbdd_scenario, service, method, path)


@step(_p(v.STUB_DROP))
@_reported
def _drops_connection(mockbdd_scenario: Mocks, service: str, method: str, path: str) -> None:
    impl.drops_connection(mockbdd_scenario, service, method, path)


@step(_p(v.STUB_MALFORMED))
@_reported
def _malformed(mockbdd_scenario: Mocks, service: str, method: str, path: str) -> None:
    impl.malformed_response(mockbdd_scenario, service, method, path)


@step(_p(v.SERVICE_UNAVAILABLE))
@_reported
def _unavailable(mockbdd_scenario: Mocks, service: str) -> None:
    impl.unavailable(mockbdd_scenario, service)


@step(_p(v.STUB_WHEN_MATCHES))
@_reported
def _respond_when(
    mockbdd_scenario: Mocks, service: str, method: str, path: str, status: int, datatable: Table
) -> None:
    impl.respond_when_matches(mockbdd_scenario, service, method, path, status, _table(datatable))


@step(_p(v.UNMATCHED_STATUS))
@_reported
def _unmatched_status(mockbdd_scenario: Mocks, service: str, status: int) -> None:
    impl.unmatched_get_status(mockbdd_scenario, service, status)


@step(_p(v.SWITCH_MAP))
@_reported
def _switch_map(
    mockbdd_scenario: Mocks, request: pytest.FixtureRequest, service: str, name: str
) -> None:
    at = request.node.stash.get(STEP_AT_KEY, None)
    impl.switch_map(mockbdd_scenario, service, name, at)


@step(_p(v.CLEAR_REQUESTS))
@_reported
def _clear_requests(mockbdd_scenario: Mocks, service: str) -> None:
    impl.clear_requests(mockbdd_scenario, service)


@step(_p(v.WAIT_RECEIVED))
@_reported
def _wait_received(
    mockbdd_scenario: Mocks, service: str, count: int, method: str, path: str, timeout: int
) -> None:
    impl.wait_received(mockbdd_scenario, service, count, method, path, timeout)


# ------------------------------------------------------------------------------ assertions


@then(_p(v.RECEIVED_COUNT))
@then(_p(v.RECEIVED_COUNT_ONE))
@_reported
def _received_count(
    mockbdd_scenario: Mocks, service: str, count: int, method: str, path: str
) -> None:
    impl.received_count(mockbdd_scenario, service, count, method, path)


@then(_p(v.NOT_RECEIVED))
@_reported
def _not_received(mockbdd_scenario: Mocks, service: str, method: str, path: str) -> None:
    impl.not_received(mockbdd_scenario, service, method, path)


@then(_p(v.RECEIVED_JSON))
@_reported
def _received_json(
    mockbdd_scenario: Mocks, service: str, method: str, path: str, docstring: str
) -> None:
    impl.received_json(mockbdd_scenario, service, method, path, docstring)


@then(_p(v.RECEIVED_BODY))
@_reported
def _received_body(
    mockbdd_scenario: Mocks, service: str, method: str, path: str, docstring: str
) -> None:
    impl.received_body(mockbdd_scenario, service, method, path, docstring)


@then(_p(v.RECEIVED_HEADER))
@_reported
def _received_header(
    mockbdd_scenario: Mocks, service: str, method: str, path: str, name: str, value: str
) -> None:
    impl.received_header(mockbdd_scenario, service, method, path, name, value)


@then(_p(v.RECEIVED_NO_HEADER))
@_reported
def _received_no_header(
    mockbdd_scenario: Mocks, service: str, method: str, path: str, name: str
) -> None:
    impl.received_no_header(mockbdd_scenario, service, method, path, name)


@then(_p(v.RECEIVED_QUERY))
@_reported
def _received_query(
    mockbdd_scenario: Mocks, service: str, method: str, path: str, name: str, value: str
) -> None:
    impl.received_query(mockbdd_scenario, service, method, path, name, value)


@then(_p(v.RECEIVED_IN_ORDER))
@_reported
def _received_in_order(mockbdd_scenario: Mocks, service: str, datatable: Table) -> None:
    impl.received_in_order(mockbdd_scenario, service, _table(datatable))


@then(_p(v.NTH_REQUEST_JSON))
@_reported
def _nth_request_json(
    mockbdd_scenario: Mocks, n: int, method: str, path: str, service: str, docstring: str
) -> None:
    impl.nth_request_json(mockbdd_scenario, service, n, method, path, docstring)


@then(_p(v.NO_UNEXPECTED))
@_reported
def _no_unexpected(mockbdd_scenario: Mocks, service: str) -> None:
    impl.no_unexpected_requests(mockbdd_scenario, service)


@then(_p(v.ALL_STUBS_USED))
@_reported
def _all_used(mockbdd_scenario: Mocks, service: str) -> None:
    impl.all_stubs_used(mockbdd_scenario, service)
