"""Assertion phrases 16-27: each asks the server (``POST /__admin/requests/verify``,
``/mappings/unused``) and fails with a report built from its answer.

The server waits: a positive check returns as soon as it holds, or after ``settings.timeout``
(requests may still be in flight); a negative one (18, 17 with 0, 26) is decided after
``settings.settle``, failing as soon as it is broken. On failure the service's journal is read
once, for the report: what the service received, the closest request (the server's near miss)
and the server's field-by-field diff, all with service-relative paths.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from mockbdd.bdd.received import (
    Expectation,
    Received,
    closest_report,
    diff_lines,
    failure,
    listing,
    plural,
)
from mockbdd.bdd.scenario_mocks import (
    ScenarioMocks,
    StepTable,
    StepUsageError,
    parse_json_text,
    route_path,
)
from mockbdd.bdd.unexpected import (
    unexpected_requests_report,
    unused_stubs,
    unused_stubs_report,
)
from mockbdd.client.models import VerifyResult

MAX_SERVER_WAIT_S = 60.0  # the server's limit for one wait


class MockAssertionError(AssertionError):
    """A mock assertion that does not hold; the message is the whole report."""


# ------------------------------------------------------------------------------ server access


def received(mocks: ScenarioMocks, service: str) -> list[Received]:
    """What ``service`` received, in arrival order, with service-relative paths."""
    logged = mocks.handle.requests(service)
    return [Received.from_logged(i, r, service) for i, r in enumerate(logged, 1)]


def waited(ask: Callable[[float], VerifyResult], timeout: float) -> VerifyResult:
    """Ask the server, waiting up to ``timeout`` s, in waits the server accepts (60 s each)."""
    deadline = time.monotonic() + timeout
    while True:
        result = ask(min(max(deadline - time.monotonic(), 0.0), MAX_SERVER_WAIT_S))
        decided = result.holds or result.count >= result.expected or result.nth_found
        if decided or time.monotonic() >= deadline:
            return result


def verify(
    mocks: ScenarioMocks,
    service: str,
    expect: Expectation,
    count: int,
    mode: str,
    timeout: float,
) -> VerifyResult:
    """The server's verdict on ``count`` requests fitting ``expect`` on ``service``."""
    pattern = expect.pattern(service)

    def ask(wait: float) -> VerifyResult:
        return mocks.admin.verify_requests(pattern, count, mode=mode, timeout=wait, service=service)

    return waited(ask, timeout)


def _waited(mocks: ScenarioMocks, timeout: float | None = None) -> str:
    return f"{mocks.settings.timeout if timeout is None else timeout:g} s"


def _requests(count: int) -> str:
    return "request" if count == 1 else "requests"


# ------------------------------------------------------------------------------ 16-18


def wait_received(
    mocks: ScenarioMocks, service: str, count: int, method: str, path: str, timeout_ms: int
) -> None:
    """16: wait until ``count`` (or more) requests arrived, up to ``timeout_ms``."""
    route_path(service, path)
    timeout = timeout_ms / 1000
    result = verify(mocks, service, Expectation(method, path), count, "atLeast", timeout)
    if not result.holds:
        headline = (
            f'"{service}" has not received {count} {method} {_requests(count)} to {path} '
            f"within {_waited(mocks, timeout)} (it received {result.count})"
        )
        near = closest_report(result.near_misses, service)
        raise MockAssertionError(failure(headline, service, received(mocks, service), near))


def received_count(mocks: ScenarioMocks, service: str, count: int, method: str, path: str) -> None:
    """17: exactly ``count`` requests (waits until that many arrived; 0 checks after settling)."""
    route_path(service, path)
    timeout = mocks.settings.settle if count == 0 else mocks.settings.timeout
    result = verify(mocks, service, Expectation(method, path), count, "exactly", timeout)
    if result.holds:
        return
    got = result.count
    headline = (
        f'"{service}" should have received {count} {method} {_requests(count)} to {path}, '
        f"but it received {got}"
    )
    if got < count:
        headline += f" within {_waited(mocks)}"
    near = closest_report(result.near_misses, service)
    raise MockAssertionError(failure(headline, service, received(mocks, service), near))


def not_received(mocks: ScenarioMocks, service: str, method: str, path: str) -> None:
    """18: none at all, decided after the settle time."""
    route_path(service, path)
    result = verify(mocks, service, Expectation(method, path), 0, "none", mocks.settings.settle)
    if not result.holds:
        headline = (
            f'"{service}" should not have received any {method} request to {path}, '
            f"but it received {result.count}"
        )
        raise MockAssertionError(failure(headline, service, received(mocks, service)))


# ------------------------------------------------------------------------------ 19-23


def received_matching(mocks: ScenarioMocks, service: str, expect: Expectation) -> None:
    """At least one request fits ``expect`` (the server waits up to the timeout)."""
    route_path(service, expect.path)
    result = verify(mocks, service, expect, 1, "atLeast", mocks.settings.timeout)
    if not result.holds:
        headline = (
            f'"{service}" should have received a {expect.describe()}, but no request matched '
            f"within {_waited(mocks)}"
        )
        near = closest_report(result.near_misses, service)
        raise MockAssertionError(failure(headline, service, received(mocks, service), near))


def received_json(
    mocks: ScenarioMocks, service: str, method: str, path: str, body: str | None
) -> None:
    """19: a request whose JSON body contains the docstring's JSON (extra members allowed)."""
    document = parse_json_text(body, "the expected JSON body")
    received_matching(mocks, service, Expectation(method, path, json_subset=document))


def received_body(
    mocks: ScenarioMocks, service: str, method: str, path: str, body: str | None
) -> None:
    """20: a request whose body is exactly the docstring's text."""
    received_matching(mocks, service, Expectation(method, path, body=body or ""))


def received_header(
    mocks: ScenarioMocks, service: str, method: str, path: str, name: str, value: str
) -> None:
    """21: a request with header ``name`` (any case) equal to ``value``."""
    received_matching(mocks, service, Expectation(method, path, header=(name, value)))


def received_no_header(
    mocks: ScenarioMocks, service: str, method: str, path: str, name: str
) -> None:
    """22: a request to the route that does not carry header ``name``."""
    received_matching(mocks, service, Expectation(method, path, without_header=name))


def received_query(
    mocks: ScenarioMocks, service: str, method: str, path: str, name: str, value: str
) -> None:
    """23: a request with query parameter ``name`` equal to ``value``."""
    received_matching(mocks, service, Expectation(method, path, query=(name, value)))


# ------------------------------------------------------------------------------ 24-25


def received_in_order(mocks: ScenarioMocks, service: str, table: StepTable) -> None:
    """24: table ``| method | path |``; these requests arrived in this order (others may come
    in between)."""
    wanted = [Expectation(r["method"].upper(), r["path"]) for r in table.dicts(["method", "path"])]
    if not wanted:
        raise StepUsageError("the table of requests has no rows")
    for item in wanted:
        route_path(service, item.path)
    patterns = [e.route(service) for e in wanted]

    def ask(wait: float) -> VerifyResult:
        return mocks.admin.verify_in_order(patterns, timeout=wait, service=service)

    result = waited(ask, mocks.settings.timeout)
    if result.holds:
        return
    done = result.count
    expected = "\n".join(
        f"  {'ok ' if i < done else '-> ' if i == done else '   '}{e.method} {e.path}"
        for i, e in enumerate(wanted)
    )
    headline = (
        f'"{service}" should have received these requests in order, but after the first '
        f"{done} of {len(wanted)} the next one did not come within {_waited(mocks)}:\n{expected}"
    )
    near = closest_report(result.near_misses, service)
    raise MockAssertionError(failure(headline, service, received(mocks, service), near))


def nth_request_json(
    mocks: ScenarioMocks, service: str, n: int, method: str, path: str, body: str | None
) -> None:
    """25: the ``n``-th request (from 1, arrival order) to this route has this JSON (subset)."""
    if n < 1:
        raise StepUsageError(f"requests are counted from 1, got {n}")
    route_path(service, path)
    document = parse_json_text(body, "the expected JSON body")
    route = Expectation(method, path).route(service)
    full = Expectation(method, path, json_subset=document).pattern(service)

    def ask(wait: float) -> VerifyResult:
        return mocks.admin.verify_nth(route, n, full, timeout=wait, service=service)

    result = waited(ask, mocks.settings.timeout)
    if result.holds:
        return
    seen = received(mocks, service)
    if not result.nth_found:
        got = mocks.handle.count(method, path, service)
        headline = (
            f'request {n} to {method} {path} on "{service}" never came: it received '
            f"{plural(got, 'such request')} within {_waited(mocks)}"
        )
        near = closest_report(result.near_misses, service)
        raise MockAssertionError(failure(headline, service, seen, near))
    target = result.near_misses[0]
    headline = (
        f'request {n} to {method} {path} on "{service}" (#{target.number} of the service) '
        "does not have the expected JSON body"
    )
    url = Received.from_logged(0, target.request, service).url
    detail = "\n".join(
        [f"request {n}: {target.request.method} {url}", *diff_lines(target, matched=False)]
    )
    raise MockAssertionError(failure(headline, service, seen, detail))


# ------------------------------------------------------------------------------ 26-27


def no_unexpected_requests(mocks: ScenarioMocks, service: str) -> None:
    """26: after the settle time, no request to the service went unmatched (or met only the
    catch-all)."""
    route_path(service, "/")
    time.sleep(mocks.settings.settle)
    report = unexpected_requests_report(mocks, service)
    if report:
        raise MockAssertionError(
            f'mockbdd: "{service}" should not have received unexpected requests\n{report}\n'
            + listing(service, received(mocks, service))
        )


def all_stubs_used(mocks: ScenarioMocks, service: str) -> None:
    """27: every stub on the service served at least once since it was added; the server waits
    up to the timeout, like every positive assertion (requests may still be in flight)."""
    route_path(service, "/")
    unused = unused_stubs(mocks, service, mocks.settings.timeout)
    if unused:
        raise MockAssertionError(
            f'mockbdd: every response stubbed on "{service}" should have been used within '
            f"{_waited(mocks)}\n{unused_stubs_report(mocks, service, unused)}\n"
            + listing(service, received(mocks, service))
        )
