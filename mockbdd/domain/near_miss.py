"""Near misses: the closest stubs for a request, or the closest requests for a pattern, and a report."""

from __future__ import annotations

import heapq
import json
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from mockbdd.domain.journal import ServeEvent
from mockbdd.domain.matching import NO_MATCH
from mockbdd.domain.request_pattern import FieldResult, RequestMatchResult, RequestPattern
from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ResponseSequence
from mockbdd.domain.scenarios import ScenarioStates
from mockbdd.domain.stubs import StubMapping
from mockbdd.records import record

# WireMock's NEAR_MISS_COUNT; like WireMock, no distance cut-off: the closest three are listed
# however far they are
MAX_NEAR_MISSES = 3

T = TypeVar("T")


@record
class NearMiss:
    request: RecordedRequest
    pattern: RequestPattern
    result: RequestMatchResult
    stub: StubMapping | None = None
    event: ServeEvent | None = None


def closest_stubs(
    request: RecordedRequest,
    stubs: Iterable[StubMapping],
    limit: int = MAX_NEAR_MISSES,
    *,
    scenarios: ScenarioStates | None = None,
    cursors: Mapping[str, int] | None = None,
) -> list[NearMiss]:
    """The stubs closest to ``request``, as WireMock's NearMissCalculator ranks them: by distance
    (``RequestPattern.evaluate``), ties in the order of ``stubs`` (the store's: priority, then
    newest first, as WireMock's). With the namespace's ``scenarios`` and sequence ``cursors``, a
    stub skipped for its scenario state or its exhausted ``notFound`` sequence gets a mismatched
    row saying so (without them, only the request fields are compared)."""

    def result(stub: StubMapping, within: float | None) -> RequestMatchResult:
        found = stub.request.evaluate(request, full=within is None, within=within)
        for row in _skip_rows(stub, scenarios, cursors):
            found = found.with_row(row)
        return found

    closest = _nearest(stubs, limit, lambda stub, within: result(stub, within).distance)
    return [NearMiss(request, s.request, result(s, None), stub=s) for s in closest]


def _skip_rows(
    stub: StubMapping, scenarios: ScenarioStates | None, cursors: Mapping[str, int] | None
) -> list[FieldResult]:
    """Why ``Namespace.serve`` passes over this stub whatever the request (one row per reason)."""
    rows = []
    required, name = stub.required_scenario_state, stub.scenario_name
    if scenarios is not None and required is not None and name is not None:
        state = scenarios.state(name)
        if state != required:
            rows.append(
                FieldResult(
                    f"scenario {json.dumps(name, ensure_ascii=False)}",
                    f"requires state {json.dumps(required, ensure_ascii=False)}",
                    f"is {json.dumps(state, ensure_ascii=False)}",
                    NO_MATCH,
                )
            )
    response = stub.response
    if cursors is not None and isinstance(response, ResponseSequence):
        served = cursors.get(stub.id, 0)
        if response.is_exhausted(served):
            rows.append(
                FieldResult(
                    "responses",
                    f"{response.total} in sequence, then notFound",
                    f"all {served} served",
                    NO_MATCH,
                )
            )
    return rows


def closest_requests(
    pattern: RequestPattern, events: Iterable[ServeEvent], limit: int = MAX_NEAR_MISSES
) -> list[NearMiss]:
    """The requests closest to ``pattern``, ties in the order of ``events`` (newest first)."""

    def distance(event: ServeEvent, within: float) -> float:
        return pattern.evaluate(event.request, full=False, within=within).distance

    closest = _nearest(events, limit, distance)
    return [NearMiss(e.request, pattern, pattern.evaluate(e.request), event=e) for e in closest]


def _nearest(items: Iterable[T], limit: int, distance: Callable[[T, float], float]) -> list[T]:
    """The ``limit`` items of smallest distance, ties in input order (``sorted(...)[:limit]``, as
    WireMock's stable sort), in one pass. ``distance(item, within)`` may answer any value above
    ``within`` for an item farther than that: once ``limit`` items are held, ``within`` is the
    farthest of them, and a farther item cannot get in (which lets bodies be compared with a
    bound)."""
    held: list[tuple[float, int, T]] = []  # max-heap on (distance, position): (-d, -i)
    if limit <= 0:
        return []
    for position, item in enumerate(items):
        if len(held) < limit:
            heapq.heappush(held, (-distance(item, 1.0), -position, item))
            continue
        farthest = -held[0][0]
        found = distance(item, farthest)
        if found < farthest:  # equal: the earlier one stays
            heapq.heapreplace(held, (-found, -position, item))
    return [item for _, _, item in sorted(held, key=lambda e: (-e[0], -e[1]))]


def render_diff(miss: NearMiss, left: str = "expected", right: str = "actual") -> str:
    """Field-by-field diff: one line per field, mismatches marked."""
    width = max([len(r.field) for r in miss.result.fields] + [5])
    lines = []
    for row in miss.result.fields:
        mark = "  " if row.result.is_exact else "✗ "
        lines.append(f"  {mark}{row.field:<{width}}  {left}: {row.expected}")
        if not row.result.is_exact:
            lines.append(f"    {'':<{width}}  {right}: {row.actual}")
    return "\n".join(lines)


def render_unmatched_report(request: RecordedRequest, misses: list[NearMiss]) -> str:
    """The plain-text body of the 404 for an unmatched request."""
    head = f"Request was not matched: {request.method} {request.url}\n"
    if not misses:
        return head + "\nNo stub is close to this request (none configured, or none similar).\n"
    parts = [head]
    for i, m in enumerate(misses, 1):
        stub = m.stub
        label = (stub.name or stub.id) if stub is not None else "pattern"
        parts.append(f"\nClosest stub #{i}: {label} (distance {m.result.distance:.2f})")
        parts.append(render_diff(m, left="stub", right="request"))
    return "\n".join(parts) + "\n"
