"""``/__admin/plugins``: the service plugins installed and mounted, mounting, reconfiguring and
unmounting."""

from __future__ import annotations

from typing import Any

from mockbdd.admin.types import AdminContext, AdminRequest, AdminResponse
from mockbdd.domain.errors import NotFound
from mockbdd.domain.frozen import thaw


def _mount_json(ctx: AdminContext, mount: Any) -> dict[str, Any]:
    return {
        "plugin": mount.plugin,
        "service": mount.service,
        "config": thaw(mount.config),
        "url": f"{ctx.runtime.base_url(ctx.ns)}/{mount.service}",
    }


async def list_plugins(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    mounts = ctx.runtime.mounts
    listed = [_mount_json(ctx, m) for m in mounts.listed(ctx.ns)]
    return AdminResponse(200, {"plugins": list(mounts.plugins), "mounts": listed})


async def mount_plugin(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    body = req.json_object()
    mount, replaced = await ctx.runtime.mounts.mount(
        ctx.ns, req.params["name"], body.get("service"), body.get("config")
    )
    return AdminResponse(200 if replaced else 201, _mount_json(ctx, mount))


async def unmount_service(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    service = req.params["service"]
    if not await ctx.runtime.mounts.unmount(ctx.ns, service):
        raise NotFound(f"no service plugin is mounted as {service!r} in this namespace")
    return AdminResponse(200, {"unmounted": service})


async def configure_mount(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    """``{"config": {...}}`` merged over the mount's config (its keys replace the mount's): a
    mount that can take it in place keeps its state (candles, clock, connections); any other
    is mounted again."""
    body = req.json_object()
    mount = await ctx.runtime.mounts.configure(ctx.ns, req.params["service"], body.get("config"))
    return AdminResponse(200, _mount_json(ctx, mount))
