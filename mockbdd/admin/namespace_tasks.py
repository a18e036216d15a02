"""Admin tasks for namespaces (``/__admin/namespaces``, root only): open ready, list, delete."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from mockbdd.admin.tag_map_tasks import TagMapPlan, plan_tag_maps
from mockbdd.admin.types import (
    AdminContext,
    AdminRequest,
    AdminResponse,
    Conflict,
    check_reach,
)
from mockbdd.domain.errors import InvalidInput, unknown_field
from mockbdd.domain.namespace import Namespace
from mockbdd.wire.collections import parse_collections
from mockbdd.wire.delay_codec import MAX_SEED
from mockbdd.wire.mappings import parse_stub_mapping
from mockbdd.wire.settings import parse_settings

MAX_TTL_SECONDS = 365 * 24 * 3600


def namespace_json(ctx: AdminContext, ns: Namespace) -> dict[str, Any]:
    at = ns.expires_at()
    return {
        "name": ns.name,
        "baseUrl": ctx.runtime.base_url(ns),
        "adminUrl": ctx.runtime.admin_url(ns),
        "expiresAt": None
        if at is None
        else datetime.fromtimestamp(at, tz=timezone.utc).isoformat().replace("+00:00", "Z"),
        "port": ns.port,
        "labels": dict(ns.labels),
    }


_NAMESPACE_FIELDS = (
    "name",
    "tagMaps",
    "ttlSeconds",
    "port",
    "mappings",
    "settings",
    "scenarioStates",
    "collections",
    "seed",
    "mounts",
    "labels",
)
MAX_LABELS = 16
MAX_LABEL_CHARS = 1000


def _labels(body: Mapping[str, Any]) -> dict[str, str]:
    labels = body.get("labels", {})
    if not isinstance(labels, dict) or len(labels) > MAX_LABELS:
        raise InvalidInput("/labels", f"must be an object of at most {MAX_LABELS} strings")
    for key, value in labels.items():
        if not isinstance(value, str) or len(value) > MAX_LABEL_CHARS or len(key) > 100:
            raise InvalidInput(
                f"/labels/{key}", f"must be a string of at most {MAX_LABEL_CHARS} characters"
            )
    return dict(labels)


def _plan_contents(ctx: AdminContext, body: dict[str, Any]) -> TagMapPlan:
    """Everything a new namespace starts with, decoded before the namespace exists."""
    tag_maps = body.get("tagMaps") or []
    if not isinstance(tag_maps, list) or not all(isinstance(t, str) for t in tag_maps):
        raise InvalidInput("/tagMaps", "must be a list of tag bodies such as 'checkout_failure'")
    extensions = ctx.runtime.extensions
    plan = TagMapPlan()
    if tag_maps:
        plan = plan_tag_maps(ctx.runtime.tag_map_registry(), tag_maps, extensions)
        check_reach(ctx.runtime, plan.stubs, "/tagMaps")  # as a stub created directly is
    mappings = body.get("mappings") or []
    if not isinstance(mappings, list):
        raise InvalidInput("/mappings", "must be a list of stub mappings")
    stubs = tuple(
        parse_stub_mapping(m, f"/mappings/{i}", extensions=extensions)
        for i, m in enumerate(mappings)
    )
    check_reach(ctx.runtime, stubs, "/mappings/{i}")
    settings = plan.settings
    if body.get("settings") is not None:
        if not isinstance(body["settings"], dict):
            raise InvalidInput("/settings", "must be an object")
        try:
            settings = parse_settings(body["settings"], extensions=extensions)
        except InvalidInput as exc:
            raise InvalidInput(f"/settings{exc.pointer}", exc.reason) from None
    states = body.get("scenarioStates") or {}
    if not isinstance(states, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in states.items()
    ):
        raise InvalidInput("/scenarioStates", "must map scenario names to state names")
    collections = plan.collections
    if body.get("collections") is not None:
        collections += parse_collections(body["collections"], "/collections")
    return TagMapPlan(
        plan.stubs + stubs,
        settings,
        plan.scenarios + tuple(states.items()),
        collections,
        plan.mounts + _mounts(body.get("mounts")),
    )


def _mounts(value: Any) -> tuple[tuple[str, str, Any], ...]:
    """``mounts: {service: {plugin, config?}}``: service plugins the namespace opens with."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise InvalidInput("/mounts", "must map service names to {plugin, config}")
    out = []
    for service, mount in value.items():
        if not isinstance(mount, dict) or not isinstance(mount.get("plugin"), str):
            raise InvalidInput(f"/mounts/{service}", "must be {plugin: <name>, config?: {...}}")
        extra = sorted(set(mount) - {"plugin", "config"})
        if extra:
            raise InvalidInput(
                f"/mounts/{service}/{extra[0]}", unknown_field(extra[0], ("plugin", "config"))
            )
        out.append((service, mount["plugin"], mount.get("config") or {}))
    return tuple(out)


async def create_namespace(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    """One call opens a ready namespace: stubs, settings and scenario states, all or nothing."""
    body = req.json_object()
    unknown = sorted(set(body) - set(_NAMESPACE_FIELDS))
    if unknown:
        raise InvalidInput(f"/{unknown[0]}", unknown_field(unknown[0], _NAMESPACE_FIELDS))
    name = body.get("name")
    if name is not None and not isinstance(name, str):
        raise InvalidInput("/name", "must be a string")
    ttl = body.get("ttlSeconds")
    if ttl is not None and (
        not isinstance(ttl, int | float)
        or isinstance(ttl, bool)
        or not math.isfinite(ttl)
        or not 0 < ttl <= MAX_TTL_SECONDS
    ):
        raise InvalidInput("/ttlSeconds", f"must be a number of seconds in (0, {MAX_TTL_SECONDS}]")
    port = body.get("port")
    if port is not None and (
        not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535
    ):
        raise InvalidInput("/port", "must be a port number (0 = any free port)")
    seed = body.get("seed")
    if seed is not None and (
        not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED
    ):
        raise InvalidInput("/seed", f"must be a whole number in 0..{MAX_SEED}")
    labels = _labels(body)
    plan = _plan_contents(ctx, body)
    ns = ctx.engine.create(name, ttl, seed)
    ns.set_labels(labels)
    try:
        plan.apply_to(ns)
        await plan.mount_into(ctx, ns)
        # what POST .../reset restores
        ns.set_baseline(plan.stubs, ns.settings, plan.scenarios, plan.collections)
        if port is not None:
            ns.set_port(await ctx.runtime.open_port(ns, port))
    except OSError as exc:
        ctx.engine.delete(ns.name)
        raise Conflict(
            f"port {port} cannot be opened for namespace {ns.name!r}: {exc.strerror}"
        ) from None
    except BaseException:
        ctx.engine.delete(ns.name)
        raise
    return AdminResponse(201, namespace_json(ctx, ns))


async def list_namespaces(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    return AdminResponse(json={"namespaces": [namespace_json(ctx, ns) for ns in ctx.engine]})


async def delete_namespace(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    ns = ctx.engine.delete(req.params["ns"])
    if ns.port is not None:
        await ctx.runtime.close_port(ns)
    return AdminResponse(200, {})
