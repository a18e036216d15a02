"""``/__admin/websockets``: what webSocket stubs received and sent, counted by content pattern."""

from __future__ import annotations

from mockbdd.admin.types import AdminContext, AdminRequest, AdminResponse
from mockbdd.domain.errors import InvalidInput
from mockbdd.wire.patterns import parse_content_pattern

DIRECTIONS = ("in", "out")


def _direction(value: object, pointer: str) -> str | None:
    if value is None:
        return None
    if value not in DIRECTIONS:
        raise InvalidInput(
            pointer, f"'in' (from the client) or 'out' (sent by the stub), got {value!r}"
        )
    return str(value)


async def list_messages(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    direction = _direction(req.query.get("direction"), "?direction")
    path = req.query.get("path")
    messages = [
        m.json()
        for m in ctx.runtime.websockets.messages(ctx.ns)
        if (direction is None or m.direction == direction) and (path is None or m.path == path)
    ]
    return AdminResponse(200, {"messages": messages, "meta": {"total": len(messages)}})


async def count_messages(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    body = req.json_object()
    unknown = sorted(set(body) - {"pattern", "direction", "path"})
    if unknown:
        raise InvalidInput(f"/{unknown[0]}", "unknown field (valid: pattern, direction, path)")
    if "pattern" not in body:
        raise InvalidInput("/pattern", 'give a content pattern over the message: {"contains": "x"}')
    pattern = parse_content_pattern(body["pattern"], "/pattern", extensions=ctx.runtime.extensions)
    path = body.get("path")
    if path is not None and not isinstance(path, str):
        raise InvalidInput("/path", "the path of the WebSocket endpoint, a string")
    direction = _direction(body.get("direction"), "/direction")
    count = ctx.runtime.websockets.count(ctx.ns, pattern, direction, path)
    return AdminResponse(200, {"count": count})


async def reset_messages(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    ctx.runtime.websockets.clear(ctx.ns)
    return AdminResponse(200, {})
