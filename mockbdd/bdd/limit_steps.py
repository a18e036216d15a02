"""Phrases 34-38: rate and concurrency limits on a route or a whole service (DESIGN §11), and an
assertion on how many answers had a status (the limits' 429s and 503s, or any other).

A route's limit goes on the stub that answers the route now, as phrase 7's delay does (a stub
for exactly this method and path is edited in place; any other gets a step stub for exactly
this route, answering as it does, with the limit); a route with no stub answers 200, empty,
under the limit. A service's limit goes on every stub of the service written so far, all in
one ``bucket`` named after the service, so the routes share one budget (or one set of slots
and one queue); stubs written after the step are not limited.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from mockbdd.bdd.route_edit import on_route, with_fields
from mockbdd.bdd.scenario_mocks import ScenarioMocks, StepUsageError, route_path
from mockbdd.bdd.step_checks import MockAssertionError
from mockbdd.client.models import StubInfo
from mockbdd.wire.models import URL_FIELDS

POLL_S = 0.05


def _with_limit(stub: Mapping[str, Any], field: str, limit: Mapping[str, Any]) -> dict[str, Any]:
    """``stub`` (for a PUT) with ``field`` (``rateLimit``/``concurrency``) on every response."""
    return with_fields(stub, {field: dict(limit)})


def _limit_route(
    mocks: ScenarioMocks,
    service: str,
    method: str,
    path: str,
    field: str,
    limit: Mapping[str, Any],
) -> str:
    return on_route(mocks, service, method, path, {field: dict(limit)})


def _of_service(stub: StubInfo, service: str) -> bool:
    if stub.metadata.get("mockbdd", {}).get("service") == service:
        return True
    prefix = f"/{service}"
    for name in URL_FIELDS:
        value = stub.request.get(name)
        if isinstance(value, str):
            text = value.removeprefix("^")
            if text == prefix or text.startswith((prefix + "/", prefix + "?")):
                return True
    return False


def _limit_service(mocks: ScenarioMocks, service: str, field: str, limit: Mapping[str, Any]) -> int:
    try:
        route_path(service, "/")
    except StepUsageError:
        raise
    stubs = [s for s in mocks.admin.list_stubs() if _of_service(s, service)]
    if not stubs:
        raise StepUsageError(
            f'"{service}" has no stub to limit yet: stub its routes first (e.g. "{service}"'
            " responds to GET /path with status 200), then limit the service"
        )
    shared = {**limit, "bucket": f"service:{service}"}
    for stub in stubs:
        mocks.admin.update_stub(stub.id, _with_limit(stub.raw, field, shared))
    return len(stubs)


def _rate(requests: int, period_ms: int) -> dict[str, Any]:
    if requests < 1:
        raise StepUsageError(f"a rate limit lets at least 1 request through, got {requests}")
    if period_ms < 1:
        raise StepUsageError("the period of a rate limit must be at least 1 ms")
    return {"requests": requests, "periodMs": period_ms}


def _concurrency(count: int, depth: int, timeout_ms: int) -> dict[str, Any]:
    if count < 1:
        raise StepUsageError(f"a concurrency limit answers at least 1 request at once, got {count}")
    return {"maxInFlight": count, "queueDepth": depth, "queueTimeoutMs": timeout_ms}


def rate_limit_route(
    mocks: ScenarioMocks, service: str, requests: int, method: str, path: str, period_ms: int
) -> str:
    """34: ``method path`` lets ``requests`` through per period; the rest get 429."""
    return _limit_route(mocks, service, method, path, "rateLimit", _rate(requests, period_ms))


def rate_limit_service(mocks: ScenarioMocks, service: str, requests: int, period_ms: int) -> int:
    """35: every route of the service stubbed so far shares one budget."""
    return _limit_service(mocks, service, "rateLimit", _rate(requests, period_ms))


def concurrency_route(
    mocks: ScenarioMocks,
    service: str,
    count: int,
    method: str,
    path: str,
    depth: int,
    timeout_ms: int,
) -> str:
    """36: ``count`` answered at once, ``depth`` more queued for up to the timeout, then 503."""
    return _limit_route(
        mocks, service, method, path, "concurrency", _concurrency(count, depth, timeout_ms)
    )


def concurrency_service(
    mocks: ScenarioMocks, service: str, count: int, depth: int, timeout_ms: int
) -> int:
    """37: the service's routes stubbed so far share the slots and one queue."""
    return _limit_service(mocks, service, "concurrency", _concurrency(count, depth, timeout_ms))


def answered_with_status(mocks: ScenarioMocks, service: str, count: int, status: int) -> None:
    """38: exactly ``count`` of the service's requests were answered ``status`` (waits up to
    the assertion timeout for answers still in flight)."""
    prefix = f"/{service}"
    deadline = time.monotonic() + mocks.settings.timeout
    while True:
        events = [
            e
            for e in mocks.admin.requests()
            if e.request.url == prefix or e.request.url.startswith((prefix + "/", prefix + "?"))
        ]
        seen = sum(1 for e in events if e.response.status == status)
        if seen == count or (seen > count) or time.monotonic() >= deadline:
            break
        time.sleep(POLL_S)
    if seen != count:
        others: dict[int, int] = {}
        for e in events:
            others[e.response.status] = others.get(e.response.status, 0) + 1
        shown = ", ".join(f"{n} x {s}" for s, n in sorted(others.items())) or "nothing"
        raise MockAssertionError(
            f'"{service}" answered {seen} requests with status {status}, expected {count}'
            f" (all its answers: {shown})"
        )
