"""Near misses: the closest stubs for a request, or the closest requests for a pattern, and a report."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mockbdd.domain.journal import ServeEvent
from mockbdd.domain.request_pattern import RequestMatchResult, RequestPattern
from mockbdd.domain.requests import RecordedRequest
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
    request: RecordedRequest, stubs: Iterable[StubMapping], limit: int = MAX_NEAR_MISSES
) -> list[NearMiss]:
    misses = [NearMiss(request, s.request, s.request.evaluate(request), stub=s) for s in stubs]
    return _best(misses, limit)


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
