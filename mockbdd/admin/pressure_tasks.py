"""``/__admin/pressure`` (DESIGN §11): real memory and CPU for a while, within the server's
caps; ``GET`` reports it, ``DELETE`` ends it. A namespace's reset or deletion ends it too."""

from __future__ import annotations

from typing import Any

from mockbdd.admin.types import AdminContext, AdminRequest, AdminResponse
from mockbdd.domain.errors import InvalidInput, unknown_field

FIELDS = ("memoryMb", "cpuPercent", "durationMs")
MAX_DURATION_MS = 3_600_000  # an hour


def _whole(body: dict[str, Any], name: str, low: int, high: int) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(f"/{name}", f"must be a whole number in {low}..{high}, got {value!r}")
    return value


def parse_pressure(body: dict[str, Any]) -> tuple[int, int, int]:
    """(memoryMb, cpuPercent, durationMs) of a pressure request, checked field by field."""
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise InvalidInput(f"/{unknown[0]}", unknown_field(unknown[0], FIELDS))
    memory = _whole(body, "memoryMb", 0, 1 << 20) or 0
    cpu = _whole(body, "cpuPercent", 0, 6400) or 0
    duration = _whole(body, "durationMs", 1, MAX_DURATION_MS)
    if duration is None:
        raise InvalidInput("/durationMs", "is required: how long the pressure lasts, in ms")
    if not memory and not cpu:
        raise InvalidInput("/", "give memoryMb or cpuPercent (or both), above 0")
    return memory, cpu, duration


async def apply_pressure(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    memory, cpu, duration = parse_pressure(req.json_object())
    report = await ctx.runtime.pressure.apply(ctx.ns.name, memory, cpu, duration)
    return AdminResponse(200, report)


async def get_pressure(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    return AdminResponse(200, ctx.runtime.pressure.report(ctx.ns.name))


async def release_pressure(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    released = await ctx.runtime.pressure.release(ctx.ns.name)
    return AdminResponse(200, {"released": released, **ctx.runtime.pressure.report(ctx.ns.name)})
