"""CRUD collections from the admin side: ``GET /collections``, ``GET|PUT|DELETE
/collections/{name}`` (read, replace, clear). The data plane serves them through ``crud``
stubs."""

from __future__ import annotations

from mockbdd.admin.types import AdminContext, AdminRequest, AdminResponse
from mockbdd.domain.errors import NotFound
from mockbdd.wire.collections import collection_json, parse_collection, spec_json


async def list_collections(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    return AdminResponse(
        json={
            "collections": [
                {"name": c.spec.name, **spec_json(c.spec), "total": len(c)}
                for c in ctx.ns.collections
            ]
        }
    )


def _known(ctx: AdminContext) -> str:
    return ", ".join(ctx.ns.collections.names()) or "none"


async def get_collection(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    name = req.params["name"]
    found = ctx.ns.collections.get(name)
    if found is None:
        raise NotFound(f"no collection named {name!r} (known: {_known(ctx)})")
    return AdminResponse(json=collection_json(found))


async def put_collection(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    """A list replaces the items (the spec stays); an object replaces items and spec."""
    name = req.params["name"]
    initial = parse_collection(name, req.json(), "", ctx.ns.collections.spec_of(name))
    ctx.ns.define_collections((initial,))
    found = ctx.ns.collections.get(name)
    assert found is not None
    return AdminResponse(json=collection_json(found))


async def clear_collection(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    name = req.params["name"]
    found = ctx.ns.collections.get(name)
    if found is None:
        raise NotFound(f"no collection named {name!r} (known: {_known(ctx)})")
    found.clear()
    return AdminResponse(200, {})
