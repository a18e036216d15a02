"""Assertion phrases 16-27: they read the service's journal and fail with a report.

Positive checks wait until they hold or ``settings.timeout`` passes (requests may still be in
flight): counts of a method and path wait on the server (``POST /requests/wait``), the others
poll. Negative ones (18, 26) look once, after ``settings.settle``. The journal is fetched to
build a failure report: what the service received, the closest request and a field-by-field
diff, all with service-relative paths.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from mockbdd.bdd.received import (
    Expectation,
    Received,
    closest_report,
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
from mockbdd.client.errors import VerificationError

MAX_SERVER_WAIT_S = 60.0  # the server's limit for one POST /requests/wait


class MockAssertionError(AssertionError):
    """A mock assertion that does not hold; the message is the whole report."""


# ------------------------------------------------------------------------------ journal access


def received(mocks: ScenarioMocks, service: str) -> list[Received]:
    """What ``service`` received, in arrival order, with service-relative paths."""
    logged = mocks.handle.requests(service)
    return [Received.from_logged(i, r, service) for i, r in enumerate(logged, 1)]


def eventually(
    mocks: ScenarioMocks,
    service: str,
    done: Callable[[list[Received]], bool],
    timeout: float | None = None,
) -> tuple[bool, list[Received]]:
    """Poll the journal until ``done`` holds or ``timeout`` (default: the settings') passes."""
    limit = mocks.settings.timeout if timeout is None else timeout
    deadline = time.monotonic() + limit
    while True:
        seen = received(mocks, service)
        if done(seen):
            return True, seen
        left = deadline - time.monotonic()
        if left <= 0:
            return False, seen
        time.sleep(min(mocks.settings.poll_interval, left))


def wait_count(
    mocks: ScenarioMocks, service: str, method: str, path: str, count: int, timeout: float
) -> tuple[bool, int]:
    """Wait on the server until ``count`` requests to ``method path`` arrived: (reached, the
    count the server saw)."""
    deadline = time.monotonic() + timeout
    while True:
        chunk = min(max(deadline - time.monotonic(), 0.0), MAX_SERVER_WAIT_S)
        try:
            return True, mocks.handle.wait_for(count, method, path, service, timeout=chunk)
        except VerificationError as exc:
            if time.monotonic() >= deadline:
                return False, exc.actual


def settled_count(mocks: ScenarioMocks, service: str, method: str, path: str) -> int:
    """The count of ``method path`` on the server, after the settle time."""
    time.sleep(mocks.settings.settle)
    return mocks.handle.count(method, path, service)


def _fits(expectation: Expectation) -> Callable[[Received], bool]:
    return lambda r: not expectation.diffs(r)


def _waited(mocks: ScenarioMocks, timeout: float | None = None) -> str:
    return f"{mocks.settings.timeout if timeout is None else timeout:g} s"


# ------------------------------------------------------------------------------ 16-18


def wait_received(
    mocks: ScenarioMocks, service: str, count: int, method: str, path: str, timeout_ms: int
) -> None:
    """16: wait until ``count`` (or more) requests arrived, up to ``timeout_ms``."""
    route_path(service, path)
    timeout = timeout_ms / 1000
    ok, got = wait_count(mocks, service, method, path, count, timeout)
    if not ok:
        expect = Expectation(method, path)
        seen = received(mocks, service)
        headline = (
            f'"{service}" has not received {count} {method} {_requests(count)} to {path} '
            f"within {_waited(mocks, timeout)} (it received {got})"
        )
        raise MockAssertionError(failure(headline, service, seen, closest_report(expect, seen)))


def received_count(mocks: ScenarioMocks, service: str, count: int, method: str, path: str) -> None:
    """17: exactly ``count`` requests (waits until that many arrived; 0 checks after settling)."""
    route_path(service, path)
    if count == 0:
        got = settled_count(mocks, service, method, path)
    else:
        _, got = wait_count(mocks, service, method, path, count, mocks.settings.timeout)
    if got == count:
        return
    expect = Expectation(method, path)
    fits = _fits(expect)
    seen = received(mocks, service)
    headline = (
        f'"{service}" should have received {count} {method} {_requests(count)} to {path}, '
        f"but it received {got}"
    )
    if got < count:
        headline += f" within {_waited(mocks)}"
    others = [r for r in seen if not fits(r)]
    near = closest_report(expect, others) if got < count else ""
    raise MockAssertionError(failure(headline, service, seen, near))


def not_received(mocks: ScenarioMocks, service: str, method: str, path: str) -> None:
    """18: none at all, checked once after the settle time."""
    route_path(service, path)
    got = settled_count(mocks, service, method, path)
    if got:
        seen = received(mocks, service)
        headline = (
            f'"{service}" should not have received any {method} request to {path}, '
            f"but it received {got}"
        )
        raise MockAssertionError(failure(headline, service, seen))


def _requests(count: int) -> str:
    return "request" if count == 1 else "requests"


# ------------------------------------------------------------------------------ 19-23


def received_matching(mocks: ScenarioMocks, service: str, expect: Expectation) -> None:
    """At least one request fits ``expect`` (waits up to the timeout)."""
    route_path(service, expect.path)
    fits = _fits(expect)
    ok, seen = eventually(mocks, service, lambda rs: any(map(fits, rs)))
    if not ok:
        headline = (
            f'"{service}" should have received a {expect.describe()}, but no request matched '
            f"within {_waited(mocks)}"
        )
        raise MockAssertionError(failure(headline, service, seen, closest_report(expect, seen)))


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
    ok, seen = eventually(mocks, service, lambda rs: _in_order(wanted, rs) == len(wanted))
    if ok:
        return
    done = _in_order(wanted, seen)
    expected = "\n".join(
        f"  {'ok ' if i < done else '-> ' if i == done else '   '}{e.method} {e.path}"
        for i, e in enumerate(wanted)
    )
    headline = (
        f'"{service}" should have received these requests in order, but after the first '
        f"{done} of {len(wanted)} the next one did not come within {_waited(mocks)}:\n{expected}"
    )
    raise MockAssertionError(failure(headline, service, seen))


def _in_order(wanted: Sequence[Expectation], seen: Sequence[Received]) -> int:
    """How many of ``wanted`` appear in ``seen`` as an ordered subsequence."""
    done = 0
    for req in seen:
        if done < len(wanted) and not wanted[done].route_diffs(req):
            done += 1
    return done


def nth_request_json(
    mocks: ScenarioMocks, service: str, n: int, method: str, path: str, body: str | None
) -> None:
    """25: the ``n``-th request (from 1, arrival order) to this route has this JSON (subset)."""
    if n < 1:
        raise StepUsageError(f"requests are counted from 1, got {n}")
    route_path(service, path)
    document = parse_json_text(body, "the expected JSON body")
    expect = Expectation(method, path, json_subset=document)
    on_route = Expectation(method, path)

    def route(rs: list[Received]) -> list[Received]:
        return [r for r in rs if not on_route.diffs(r)]

    ok, _ = wait_count(mocks, service, method, path, n, mocks.settings.timeout)
    seen = received(mocks, service)
    if not ok or len(route(seen)) < n:
        got = len(route(seen))
        headline = (
            f'request {n} to {method} {path} on "{service}" never came: it received '
            f"{plural(got, 'such request')} within {_waited(mocks)}"
        )
        raise MockAssertionError(failure(headline, service, seen, closest_report(on_route, seen)))
    target = route(seen)[n - 1]
    diffs = expect.diffs(target)
    if diffs:
        headline = (
            f'request {n} to {method} {path} on "{service}" (#{target.number} of the service) '
            "does not have the expected JSON body"
        )
        detail = "\n".join(
            [f"request {n}: {target.method} {target.url}", *(d.render() for d in diffs)]
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
    """27: every stub on the service served at least once since it was added; waits up to the
    timeout, like every positive assertion (requests may still be in flight)."""
    route_path(service, "/")
    deadline = time.monotonic() + mocks.settings.timeout
    while True:
        unused = unused_stubs(mocks, service)
        left = deadline - time.monotonic()
        if not unused or left <= 0:
            break
        time.sleep(min(mocks.settings.poll_interval, left))
    if unused:
        raise MockAssertionError(
            f'mockbdd: every response stubbed on "{service}" should have been used within '
            f"{_waited(mocks)}\n{unused_stubs_report(mocks, service, unused)}\n"
            + listing(service, received(mocks, service))
        )
