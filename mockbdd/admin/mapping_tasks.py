"""Admin tasks for stub mappings (``/__admin/mappings``)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from mockbdd.admin.mapping_files import MappingFiles, apply
from mockbdd.admin.types import (
    AdminContext,
    AdminRequest,
    AdminResponse,
    Conflict,
    check_reach,
    int_query,
)
from mockbdd.domain.errors import InvalidInput, NotFound
from mockbdd.domain.requests import Body
from mockbdd.domain.stubs import StubMapping
from mockbdd.wire.files import MappingFileError, load_mapping_sources
from mockbdd.wire.mappings import (
    parse_import_options,
    parse_mappings_document,
    parse_stub_mapping,
    stub_to_json,
)
from mockbdd.wire.patterns import parse_content_pattern


def _page(req: AdminRequest, items: list[Any]) -> list[Any]:
    offset = int_query(req, "offset", 0)
    limit = int_query(req, "limit", len(items))
    return items[offset : offset + limit]


async def list_mappings(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    stubs = [stub_to_json(s) for s in ctx.ns.stubs]
    return AdminResponse(json={"mappings": _page(req, stubs), "meta": {"total": len(stubs)}})


def check_contracts(ctx: AdminContext, stubs: list[StubMapping], pointer: str = "") -> None:
    """Refuse stubs whose answers break a document the namespace validates against (an
    OpenAPI import with ``validate``), naming the first and the reason."""
    for i, stub in enumerate(stubs):
        for validator in ctx.ns.validators:
            reason = validator.refuse(stub)
            if reason is not None:
                where = f"{pointer}/{i}/response" if pointer else "/response"
                raise InvalidInput(where, f"{reason} (OpenAPI document {validator.name!r})")


def _files(ctx: AdminContext) -> MappingFiles | None:
    """The mapping folder's registry when the root's stubs change (a namespace has none)."""
    return ctx.runtime.mapping_files() if ctx.ns is ctx.engine.default else None


async def _persist(ctx: AdminContext, stubs: list[StubMapping]) -> None:
    """WireMock's add and edit: a persistent stub is written to the mapping folder (and so
    restored by resets); an edit that drops ``persistent`` leaves the file alone."""
    files = _files(ctx)
    if files is None:
        return
    writes = [w for stub in stubs for w in files.edited(stub)]
    if writes:
        await asyncio.to_thread(apply, writes)
        ctx.ns.keep_also(stub for stub in stubs if stub.persistent)


async def _unpersist(ctx: AdminContext, stub_ids: list[str]) -> None:
    """Before stubs are removed: the files of the persistent ones are deleted (refused, and
    nothing changed, for a stub of a multi-mapping file), and resets no longer restore them."""
    files = _files(ctx)
    if files is None:
        return
    deletions = files.remove(stub_ids)
    if deletions:
        await asyncio.to_thread(apply, (), deletions.values())
        ctx.ns.forget_initial(deletions)


async def create_mapping(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    stub = parse_stub_mapping(req.json(), extensions=ctx.runtime.extensions)
    check_contracts(ctx, [stub])
    check_reach(ctx.runtime, [stub])
    await _persist(ctx, [stub])
    ctx.ns.add_stub(stub)
    return AdminResponse(201, stub_to_json(stub))


async def delete_mappings(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    """WireMock's ``DELETE /mappings`` deletes the files of the persistent stubs too."""
    await _unpersist(ctx, [stub.id for stub in ctx.ns.stubs])
    ctx.ns.remove_all_stubs()
    return AdminResponse(200, {})


async def get_mapping(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    stub = ctx.ns.stubs.get(req.params["id"])
    if stub is None:
        raise NotFound(f"no stub mapping with id {req.params['id']!r}")
    return AdminResponse(json=stub_to_json(stub))


async def edit_mapping(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    stub_id = req.params["id"]
    if ctx.ns.stubs.get(stub_id) is None:
        raise NotFound(f"no stub mapping with id {stub_id!r}")
    body = req.json_object()
    body = {**body, "id": stub_id}
    body.pop("uuid", None)
    stub = parse_stub_mapping(body, extensions=ctx.runtime.extensions)
    check_contracts(ctx, [stub])
    check_reach(ctx.runtime, [stub])
    await _persist(ctx, [stub])
    ctx.ns.edit_stub(stub)
    return AdminResponse(json=stub_to_json(stub))


async def delete_mapping(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    stub_id = req.params["id"]
    if ctx.ns.stubs.get(stub_id) is None:
        raise NotFound(f"no stub mapping with id {stub_id!r}")
    await _unpersist(ctx, [stub_id])
    ctx.ns.remove_stub(stub_id)
    return AdminResponse(200, {})


async def import_mappings(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    """All or nothing: every mapping is decoded before any is stored."""
    body = req.json_object()
    if "mappings" not in body:
        raise InvalidInput("/mappings", "required: a list of mappings")
    stubs = parse_mappings_document(
        {"mappings": body["mappings"]}, extensions=ctx.runtime.extensions
    )
    check_contracts(ctx, list(stubs), "/mappings")
    check_reach(ctx.runtime, stubs, "/mappings/{i}")
    options = parse_import_options(body.get("importOptions"))
    stored: list[StubMapping] = []  # newest last, as they are added
    present = {stub.id for stub in ctx.ns.stubs}
    for stub in reversed(stubs):  # WireMock: the first mapping of an import ends up newest
        if options.duplicatePolicy == "IGNORE" and stub.id in present:
            continue
        stored.append(stub)
        present.add(stub.id)
    dropped: list[str] = []
    if options.deleteAllNotInImport:
        keep = {s.id for s in stubs}
        dropped = [existing.id for existing in ctx.ns.stubs if existing.id not in keep]
    await _unpersist(ctx, dropped)
    await _persist(ctx, stored)
    for stub_id in dropped:
        ctx.ns.remove_stub(stub_id)
    for stub in stored:
        ctx.ns.add_stub(stub)
    return AdminResponse(200, {})


async def reload_mapping_folder(ctx: AdminContext) -> None:
    """WireMock's resets read the root's mapping folder again (files written, restored or
    deleted since count); a file that no longer loads is refused (409) and nothing changes."""
    files = _files(ctx)
    if files is None or not files.folder.is_dir():
        return
    try:
        loaded = await asyncio.to_thread(
            load_mapping_sources, files.folder, extensions=ctx.runtime.extensions
        )
    except MappingFileError as exc:
        raise Conflict(
            f"the mapping folder cannot be reloaded, nothing was reset: {'; '.join(exc.problems)}; "
            "fix or remove the file and reset again"
        ) from None
    files.reloaded(loaded)
    ctx.ns.set_initial_stubs(tuple(item.stub for item in loaded))


async def reset_mappings(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    await reload_mapping_folder(ctx)
    ctx.ns.reset_mappings()
    return AdminResponse(200, {})


async def save_mappings(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    """WireMock's save: every stub not already in the mapping folder is written there, one
    file per stub (``<name>-<id>.json``, or ``<id>.json``), so a reset and a restart keep it."""
    if ctx.ns is not ctx.engine.default:
        raise Conflict(
            "the stubs of a namespace are not saved: a namespace lives as long as its test; "
            "save the root's stubs (POST /__admin/mappings/save) instead"
        )
    files = ctx.runtime.mapping_files()
    if files is None:
        raise Conflict(
            "nothing saved: the server was started without a mapping folder; start it with "
            "--mappings DIR (or --root-dir DIR) to save stubs there"
        )
    on_disk = {stub.id: stub.source for stub in ctx.ns.initial_stubs}
    unsaved = [stub for stub in ctx.ns.stubs if on_disk.get(stub.id) != stub.source]
    writes = files.save(unsaved)
    # as WireMock's save, every stub is persistent now: removing one deletes its file
    files.mark_persistent(stub.id for stub in ctx.ns.stubs)
    written = await asyncio.to_thread(apply, writes)
    ctx.ns.keep_stubs()
    return AdminResponse(200, {"saved": written})


def metadata_filter(ctx: AdminContext, req: AdminRequest) -> Callable[[StubMapping], bool]:
    """Whether a stub's metadata (as a JSON document) matches the content pattern in the body."""
    pattern = parse_content_pattern(req.json_object(), "", extensions=ctx.runtime.extensions)

    def matches(stub: StubMapping) -> bool:
        return pattern.match_body(Body(json.dumps(stub.metadata or {}).encode())).is_exact

    return matches


def _metadata_matches(ctx: AdminContext, req: AdminRequest) -> list[StubMapping]:
    matches = metadata_filter(ctx, req)
    return [stub for stub in ctx.ns.stubs if matches(stub)]


async def find_by_metadata(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    stubs = [stub_to_json(s) for s in _metadata_matches(ctx, req)]
    return AdminResponse(json={"mappings": stubs, "meta": {"total": len(stubs)}})


async def remove_by_metadata(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    matched = _metadata_matches(ctx, req)
    await _unpersist(ctx, [stub.id for stub in matched])
    for stub in matched:
        ctx.ns.remove_stub(stub.id)
    return AdminResponse(200, {})


async def unmatched_mappings(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    stubs = [stub_to_json(s) for s in ctx.ns.unused_stubs()]
    return AdminResponse(json={"mappings": stubs, "meta": {"total": len(stubs)}})


async def remove_unmatched_mappings(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    """WireMock's ``DELETE /mappings/unmatched``: removes the stubs never hit, answers them."""
    unused = ctx.ns.unused_stubs()
    await _unpersist(ctx, [stub.id for stub in unused])
    for stub in unused:
        ctx.ns.remove_stub(stub.id)
    stubs = [stub_to_json(s) for s in unused]
    return AdminResponse(json={"mappings": stubs, "meta": {"total": len(stubs)}})
