"""Near misses: the closest stubs for a request, or the closest requests for a pattern, and a report."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mockbdd.domain.journal import ServeEvent
from mockbdd.domain.matching import NO_MATCH
from mockbdd.domain.request_pattern import FieldResult, RequestMatchResult, RequestPattern
from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ResponseSequence
from mockbdd.domain.scenarios import ScenarioStates
from mockbdd.domain.stubs import StubMapping

MAX_NEAR_MISSES = 3
_CUTOFF = 0.9  # further than this is not "near"


@dataclass(frozen=True, slots=True)
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
    """The stubs closest to ``request``. With the namespace's ``scenarios`` and sequence
    ``cursors``, a stub skipped for its scenario state or its exhausted ``notFound`` sequence
    gets a mismatched row saying so (without them, only the request fields are compared)."""
    misses = []
    for stub in stubs:
        result = stub.request.evaluate(request)
        for row in _skip_rows(stub, scenarios, cursors):
            result = result.with_row(row)
        misses.append(NearMiss(request, stub.request, result, stub=stub))
    return _best(misses, limit)


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
    misses = [NearMiss(e.request, pattern, pattern.evaluate(e.request), event=e) for e in events]
    return _best(misses, limit)


def _best(misses: list[NearMiss], limit: int) -> list[NearMiss]:
    near = [m for m in misses if m.result.distance <= _CUTOFF]
    near.sort(key=lambda m: m.result.distance)
    return near[:limit]


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
