"""Admin tasks for the request journal, verification and near misses (``/__admin/requests``)."""

from __future__ import annotations

import asyncio
from typing import Any

from mockbdd.admin.mapping_tasks import metadata_filter
from mockbdd.admin.types import AdminContext, AdminRequest, AdminResponse, int_query
from mockbdd.domain.errors import InvalidInput, NotFound
from mockbdd.domain.journal import ServeEvent
from mockbdd.domain.namespace import Namespace
from mockbdd.domain.near_miss import closest_requests
from mockbdd.wire.journal import (
    logged_request_json,
    near_miss_json,
    parse_logged_request,
    parse_timestamp,
    serve_event_json,
)
from mockbdd.wire.mappings import parse_request_pattern

MAX_WAIT_MS = 60_000


def _journal_meta(ns: Namespace) -> dict[str, Any]:
    return {
        "requestJournalDisabled": ns.journal.max_entries == 0,
        "journalTruncated": ns.journal.truncated,
        "journalEvicted": ns.journal.evicted,
    }


def _event_json(ns: Namespace, event: ServeEvent) -> dict[str, Any]:
    return serve_event_json(event)  # with the stub as it was when it served the request


def listed(ctx: AdminContext, req: AdminRequest) -> tuple[list[ServeEvent], int]:
    """The events ``GET /requests`` answers (newest first, after ``limit``) and how many
    matched its filters (``since``, ``unmatched``, ``matchingStub``) before the limit."""
    events: list[ServeEvent] = list(ctx.ns.journal.events())
    since = req.query.get("since")
    if since:
        after = parse_timestamp(since, "?since")
        events = [e for e in events if e.logged_at >= after]
    if req.query.get("unmatched", "").lower() == "true":
        events = [e for e in events if e.unmatched]  # not an admit stage's answer either
    stub_id = req.query.get("matchingStub")
    if stub_id:
        events = [e for e in events if e.stub_id == stub_id]
    total = len(events)
    return events[: int_query(req, "limit", total)], total


async def list_requests(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    events, total = listed(ctx, req)
    return AdminResponse(
        json={
            "requests": [_event_json(ctx.ns, e) for e in events],
            "meta": {"total": total},
            **_journal_meta(ctx.ns),
        }
    )


async def reset_requests(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    ctx.ns.clear_journal()
    return AdminResponse(200, {})


async def get_request(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    event = ctx.ns.journal.get(req.params["id"])
    if event is None:
        raise NotFound(f"no request with id {req.params['id']!r} in the journal")
    return AdminResponse(json=_event_json(ctx.ns, event))


async def delete_request(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    """200 also for an id not (or no longer) in the journal, as in real WireMock 3.13.2."""
    ctx.ns.remove_request(req.params["id"])
    return AdminResponse(200, {})


async def count_requests(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    pattern = parse_request_pattern(req.json_pattern(), extensions=ctx.runtime.extensions)
    return AdminResponse(json={"count": ctx.ns.journal.count(pattern), **_journal_meta(ctx.ns)})


async def find_requests(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    pattern = parse_request_pattern(req.json_pattern(), extensions=ctx.runtime.extensions)
    found = ctx.ns.journal.find(pattern)
    return AdminResponse(
        json={
            "requests": [logged_request_json(e.request, e.logged_at) for e in found],
            **_journal_meta(ctx.ns),
        }
    )


async def remove_requests(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    pattern = parse_request_pattern(req.json_pattern(), extensions=ctx.runtime.extensions)
    removed = ctx.ns.remove_requests(lambda e: pattern.matches(e.request))
    return _removed(ctx, removed)


def _removed(ctx: AdminContext, removed: list[ServeEvent]) -> AdminResponse:
    """The removed events newest first, as real WireMock 3.13.2 answers them."""
    return AdminResponse(json={"serveEvents": [_event_json(ctx.ns, e) for e in reversed(removed)]})


async def remove_requests_by_metadata(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    """Remove the events served by a stub whose metadata matches the pattern in the body."""
    matches = metadata_filter(ctx, req)
    removed = ctx.ns.remove_requests(lambda e: e.stub is not None and matches(e.stub))
    return _removed(ctx, removed)


async def unmatched_requests(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    events = [e for e in ctx.ns.journal.events() if e.unmatched]
    return AdminResponse(
        json={
            "requests": [logged_request_json(e.request, e.logged_at) for e in events],
            **_journal_meta(ctx.ns),
        }
    )


async def unmatched_near_misses(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    misses: list[dict[str, Any]] = []
    for event in ctx.ns.journal.events():
        if event.unmatched:
            at = event.logged_at
            ranked = await ctx.runtime.near_misses(ctx.ns, event.request)
            misses.extend(near_miss_json(m, logged_at=at) for m in ranked)
    return AdminResponse(json={"nearMisses": misses})


async def near_misses_for_request(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    request = parse_logged_request(req.json())
    misses = await ctx.runtime.near_misses(ctx.ns, request)
    return AdminResponse(json={"nearMisses": [near_miss_json(m) for m in misses]})


async def near_misses_for_pattern(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    body = req.json()
    pattern = parse_request_pattern(body, extensions=ctx.runtime.extensions)
    misses = closest_requests(pattern, ctx.ns.journal.events())
    return AdminResponse(json={"nearMisses": [near_miss_json(m, body) for m in misses]})


async def wait_for_requests(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    """Answer as soon as ``count`` requests match ``pattern``, or 408 with the near misses."""
    body = req.json_object()
    pattern = parse_request_pattern(
        body.get("pattern", {}), "/pattern", extensions=ctx.runtime.extensions
    )
    count = body.get("count", 1)
    timeout_ms = body.get("timeoutMs", 2000)
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise InvalidInput("/count", "must be a whole number >= 0")
    if not isinstance(timeout_ms, int | float) or not 0 <= timeout_ms <= MAX_WAIT_MS:
        raise InvalidInput("/timeoutMs", f"must be a number of milliseconds in 0..{MAX_WAIT_MS}")
    journal = ctx.ns.journal
    seen = journal.count(pattern)
    if seen < count:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def on_event(event: ServeEvent) -> None:
            nonlocal seen
            if pattern.matches(event.request):
                seen += 1
                if seen >= count and not done.done():
                    done.set_result(None)

        unsubscribe = journal.subscribe(on_event)
        try:
            await asyncio.wait_for(done, timeout_ms / 1000)
        except TimeoutError:
            misses = closest_requests(pattern, journal.events())
            return AdminResponse(
                408,
                {
                    "count": journal.count(pattern),
                    "expected": count,
                    "nearMisses": [near_miss_json(m, body.get("pattern", {})) for m in misses],
                    **_journal_meta(ctx.ns),
                },
            )
        finally:
            unsubscribe()
    return AdminResponse(json={"count": journal.count(pattern), **_journal_meta(ctx.ns)})
