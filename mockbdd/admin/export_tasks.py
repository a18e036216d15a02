"""``GET /__admin/requests/export?format=json|ndjson|har``: the journal to keep or to load into
another tool, with the filters of ``GET /requests``, oldest first."""

from __future__ import annotations

import json

from mockbdd.admin.journal_tasks import listed
from mockbdd.admin.types import AdminContext, AdminRequest, AdminResponse
from mockbdd.domain.errors import InvalidInput
from mockbdd.version import __version__
from mockbdd.wire.har import har_log
from mockbdd.wire.journal import serve_event_json

FORMATS = ("json", "ndjson", "har")


async def export_requests(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    kind = req.query.get("format", "json")
    if kind not in FORMATS:
        raise InvalidInput("?format", f"no export format {kind!r} (formats: {', '.join(FORMATS)})")
    events, total = listed(ctx, req)
    events.reverse()  # oldest first: the order things happened in
    ns = ctx.ns
    if kind == "har":
        origin = ctx.runtime.base_url(ns)
        return AdminResponse(
            json=har_log(
                ((e, ns.name, origin) for e in events),
                __version__,
                {ns.name: ns.labels} if ns.labels else None,
            ),
            headers={"Content-Disposition": f'attachment; filename="{ns.name}.har"'},
        )
    rows = [{"namespace": ns.name, **serve_event_json(e)} for e in events]
    if kind == "ndjson":
        text = "".join(json.dumps(row, separators=(",", ":")) + "\n" for row in rows)
        return AdminResponse(text=text, headers={"Content-Type": "application/x-ndjson"})
    return AdminResponse(json={"requests": rows, "meta": {"total": total}})
