"""Tag maps applied by the server: ``GET /tag-maps``, ``POST /tag-maps/{name}/apply``,
and ``POST /namespaces {"tagMaps": [...]}``. Everything is validated before anything is applied."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mockbdd.admin.types import AdminContext, AdminRequest, AdminResponse, check_reach
from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.namespace import InitialCollection, Namespace, Settings
from mockbdd.domain.stubs import StubMapping
from mockbdd.extensions import Extensions
from mockbdd.records import record
from mockbdd.wire.collections import parse_collections
from mockbdd.wire.mappings import parse_stub_mapping, stub_to_json
from mockbdd.wire.settings import parse_settings

if TYPE_CHECKING:  # the BDD layer loads only when a server uses tag maps
    from mockbdd.tagmaps.registry import TagMapRegistry
    from mockbdd.tagmaps.resolve import Resolution


@record
class TagMapPlan:
    """A resolution decoded into engine objects, ready to apply in one step."""

    stubs: tuple[StubMapping, ...] = ()
    settings: Settings | None = None
    scenarios: tuple[tuple[str, str], ...] = ()
    collections: tuple[InitialCollection, ...] = ()
    # (service, plugin, config): service plugins the namespace mounts (``mount_into``)
    mounts: tuple[tuple[str, str, Any], ...] = ()

    async def mount_into(self, ctx: AdminContext, ns: Namespace, pointer: str = "") -> None:
        """Mount the plan's service plugins; ``InvalidInput`` names the service's field."""
        for service, plugin, config in self.mounts:
            try:
                await ctx.runtime.mounts.mount(ns, plugin, service, config)
            except InvalidInput as exc:
                raise InvalidInput(f"{pointer}/mounts/{service}{exc.pointer}", exc.reason) from None

    def apply_to(self, ns: Namespace) -> None:
        if self.collections:  # first: the only step here that can still refuse
            ns.define_collections(self.collections)
        for stub in self.stubs:
            ns.add_stub(stub)
        if self.settings is not None:
            ns.update_settings(self.settings)
        for name, state in self.scenarios:
            ns.set_scenario_state(name, state)


def plan_resolution(resolution: Resolution, pointer: str, extensions: Extensions) -> TagMapPlan:
    stubs = []
    for i, resolved in enumerate(resolution.stubs):
        try:
            stubs.append(parse_stub_mapping(resolved.mapping, extensions=extensions))
        except InvalidInput as exc:
            raise InvalidInput(
                pointer, f"map {resolved.map_name!r}, service {resolved.service!r}, stub {i}: {exc}"
            ) from None
    settings = None
    if resolution.settings:
        try:
            settings = parse_settings(dict(resolution.settings), extensions=extensions)
        except InvalidInput as exc:
            raise InvalidInput(f"{pointer}/settings", str(exc)) from None
    collections: tuple[InitialCollection, ...] = ()
    if resolution.collections:
        collections = parse_collections(dict(resolution.collections), f"{pointer}/collections")
    mounts = tuple(
        (service, str(m["plugin"]), m.get("config") or {})
        for service, m in resolution.mounts.items()
    )
    return TagMapPlan(
        tuple(stubs), settings, tuple(resolution.scenarios.items()), collections, mounts
    )


def plan_tag_maps(
    registry: TagMapRegistry, tags: Sequence[str], extensions: Extensions
) -> TagMapPlan:
    """``tags`` are tag bodies as written after ``@mock:`` (``payments_slow:delay=300ms``)."""
    from mockbdd.tagmaps.errors import MockBddError
    from mockbdd.tagmaps.resolve import resolve

    try:
        resolution = resolve(registry, scenario=[f"@mock:{t}" for t in tags], extensions=extensions)
    except MockBddError as exc:
        raise InvalidInput("/tagMaps", str(exc)) from None
    return plan_resolution(resolution, "/tagMaps", extensions)


async def list_tag_maps(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    return AdminResponse(json={"tagMaps": ctx.runtime.tag_map_registry().describe()})


async def apply_tag_map(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    body = req.json_object()
    params: dict[str, Any] = body.get("params", body)
    if not isinstance(params, dict):
        raise InvalidInput("/params", "must be an object of parameter values")
    from mockbdd.tagmaps.errors import MockBddError
    from mockbdd.tagmaps.resolve import resolve_map

    try:
        resolution = resolve_map(
            ctx.runtime.tag_map_registry(),
            req.params["name"],
            params,
            extensions=ctx.runtime.extensions,
        )
    except MockBddError as exc:
        raise InvalidInput("/params", str(exc)) from None
    plan = plan_resolution(resolution, "", ctx.runtime.extensions)
    check_reach(ctx.runtime, plan.stubs, "/mappings/{i}")  # as a stub created directly is
    await plan.mount_into(ctx, ctx.ns)  # first: a plugin may still refuse its config
    plan.apply_to(ctx.ns)
    return AdminResponse(
        json={
            "mappings": [stub_to_json(s) for s in plan.stubs],
            "services": list(resolution.services),
        }
    )
