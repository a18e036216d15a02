"""Admin tasks for observability (DESIGN §12): metrics for Prometheus and for live monitoring."""

from __future__ import annotations

from mockbdd.admin.types import AdminContext, AdminRequest, AdminResponse
from mockbdd.domain.errors import NotFound

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


async def metrics(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    """``GET /__admin/metrics``: Prometheus text exposition format."""
    text = ctx.runtime.metrics().text()
    return AdminResponse(text=text, headers={"Content-Type": PROMETHEUS_TEXT})


async def metrics_json(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    """``GET /__admin/metrics.json``: the same samples, plus rates and latency percentiles over
    the last 10 s and 60 s."""
    return AdminResponse(json=ctx.runtime.metrics().snapshot())


async def events(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    """``GET /__admin/events`` when the server keeps no event stream: the WebSocket itself is
    answered by the transport (:mod:`mockbdd.server.events`)."""
    raise NotFound("this server keeps no event stream: it was started with --event-history 0")
