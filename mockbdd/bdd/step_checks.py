"""Assertion phrases 16-27: they read the service's journal and fail with a report.

Positive checks poll the journal until they hold or ``settings.timeout`` passes (requests may
still be in flight); negative ones (18, 26) look once, after ``settings.settle``. A failure shows
what the service received, the closest request and a field-by-field diff.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mockbdd.bdd.received import (
    Expectation,
    Received,
    closest_report,
    failure,
    full_path,
    listing,
    plural,
)
from mockbdd.bdd.scenario_mocks import (
    ScenarioMocks,
    StepTable,
    StepUsageError,
    describe_stub,
    parse_json_text,
    route_path,
    stub_service,
)


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


def settled(mocks: ScenarioMocks, service: str) -> list[Received]:
    time.sleep(mocks.settings.settle)
    return received(mocks, service)


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
    expect = Expectation(method, path)
    fits = _fits(expect)
    timeout = timeout_ms / 1000
    ok, seen = eventually(mocks, service, lambda rs: sum(map(fits, rs)) >= count, timeout)
    if not ok:
        got = sum(map(fits, seen))
        headline = (
            f'"{service}" has not received {count} {method} {_requests(count)} to {path} '
            f"within {_waited(mocks, timeout)} (it received {got})"
        )
        raise MockAssertionError(failure(headline, service, seen, closest_report(expect, seen)))


def received_count(mocks: ScenarioMocks, service: str, count: int, method: str, path: str) -> None:
    """17: exactly ``count`` requests (waits until that many arrived; 0 checks after settling)."""
    route_path(service, path)
    expect = Expectation(method, path)
    fits = _fits(expect)
    if count == 0:
        seen = settled(mocks, service)
    else:
        _, seen = eventually(mocks, service, lambda rs: sum(map(fits, rs)) >= count)
    got = sum(map(fits, seen))
    if got == count:
        return
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
    fits = _fits(Expectation(method, path))
    seen = settled(mocks, service)
    got = sum(map(fits, seen))
    if got:
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

    ok, seen = eventually(mocks, service, lambda rs: len(route(rs)) >= n)
    if not ok:
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


def _under(service: str | None, url: str) -> bool:
    if service is None:
        return True
    prefix = full_path(service, "")
    return url == prefix or url.startswith((prefix + "/", prefix + "?"))


def unexpected_requests_report(mocks: ScenarioMocks, service: str | None) -> str:
    """'' when no request to ``service`` (None: any) went unmatched, else the report."""
    logged = [r for r in mocks.admin.unmatched_requests() if _under(service, str(r.get("url")))]
    if not logged:
        return ""
    logged.sort(key=lambda r: r.get("loggedDate", 0))
    where = f'"{service}"' if service else "this scenario's mocks"
    lines = [f"{where} received {plural(len(logged), 'request')} that no stub matched:"]
    lines += [f"  {r.get('method')} {r.get('url')}" for r in logged]
    misses = mocks.admin.near_misses_for_request(_loggable(logged[0]))
    if misses:
        first = logged[0]
        lines.append(f"closest stub for {first.get('method')} {first.get('url')}:")
        lines += [f"  {line}" for line in str(misses[0].get("diff", "")).splitlines()]
    return "\n".join(lines)


def _loggable(logged: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("url", "method", "headers", "body", "bodyAsBase64")
    return {k: logged[k] for k in keys if k in logged}


def unused_stubs_report(mocks: ScenarioMocks, service: str | None) -> str:
    """'' when every stub of ``service`` (None: all) was served at least once, else the list."""
    unused = [
        s for s in mocks.admin.unmatched_stubs() if service is None or stub_service(s) == service
    ]
    if not unused:
        return ""
    where = f'on "{service}"' if service else "in this scenario"
    lines = [f"{plural(len(unused), 'stub')} {where} never answered a request:"]
    for stub in unused:
        owner = service or stub_service(stub)
        label = "" if service or owner is None else f'"{owner}" '
        lines.append(f"  {label}{describe_stub(stub, owner)}")
    return "\n".join(lines)


def no_unexpected_requests(mocks: ScenarioMocks, service: str) -> None:
    """26: after the settle time, no request to the service went unmatched."""
    route_path(service, "/")
    time.sleep(mocks.settings.settle)
    report = unexpected_requests_report(mocks, service)
    if report:
        raise MockAssertionError(
            f'mockbdd: "{service}" should not have received unexpected requests\n{report}\n'
            + listing(service, received(mocks, service))
        )


def all_stubs_used(mocks: ScenarioMocks, service: str) -> None:
    """27: every stub on the service served at least once since it was added."""
    route_path(service, "/")
    report = unused_stubs_report(mocks, service)
    if report:
        raise MockAssertionError(
            f'mockbdd: every response stubbed on "{service}" should have been used\n{report}\n'
            + listing(service, received(mocks, service))
        )
