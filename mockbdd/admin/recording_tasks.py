"""WireMock's recorder: ``POST /recordings/start``, ``GET /recordings/status``,
``POST /recordings/stop`` and ``POST /recordings/snapshot``, per namespace.

Start adds a stub that proxies every request to ``targetBaseUrl`` (and nowhere else: the URL is
the target's origin plus the request's path, redirects are not followed, and a server started
with ``--proxy-allow`` refuses a target it does not list). Stop removes it and turns what it
proxied into stub mappings (:mod:`mockbdd.wire.recording`): added to the namespace, returned,
and with ``persist`` written to the server's ``--mappings`` folder (bodies over the
``extractBodyCriteria`` thresholds to ``--files``), where ``mockbdd serve`` loads them back.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockbdd.admin.types import AdminContext, AdminRequest, AdminResponse, Conflict
from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.journal import ServeEvent
from mockbdd.domain.namespace import Namespace
from mockbdd.domain.stubs import StubMapping
from mockbdd.wire.mappings import parse_stub_mapping
from mockbdd.wire.recording import RecordedStub, RecordSpec, parse_record_spec, selected, stubs_of

MAX_RECORDED = 100_000  # events one recording keeps; past it the oldest are dropped


@dataclass
class Recording:
    spec: RecordSpec
    proxy_id: str
    namespace: Namespace | None = None  # the namespace recording (a deleted one's name may return)
    events: list[ServeEvent] = field(default_factory=list)
    unsubscribe: Any = None


class Recorder:
    """The recordings under way, by namespace name, and whether each namespace ever recorded."""

    def __init__(self) -> None:
        self.active: dict[str, Recording] = {}
        self.stopped: set[str] = set()

    def of(self, ns: Namespace) -> Recording | None:
        """The recording under way in ``ns`` (one left by a deleted namespace of the same name
        is forgotten)."""
        found = self.active.get(ns.name)
        if found is not None and found.namespace is not ns:
            del self.active[ns.name]
            self.stopped.discard(ns.name)
            return None
        return found

    def status(self, ns: Namespace) -> str:
        if self.of(ns) is not None:
            return "Recording"
        return "Stopped" if ns.name in self.stopped else "NeverStarted"


def keeper(recording: Recording) -> Callable[[ServeEvent], None]:
    """The journal listener that keeps what the recording's proxy stub served (the newest
    ``MAX_RECORDED``)."""

    def keep(event: ServeEvent) -> None:
        if event.stub_id == recording.proxy_id:
            recording.events.append(event)
            if len(recording.events) > MAX_RECORDED:
                del recording.events[0]

    return keep


def _proxy_stub(target: str, ident: str, ctx: AdminContext) -> StubMapping:
    mapping = {
        "id": ident,
        "request": {"method": "ANY", "urlPattern": ".*"},
        "response": {"proxyBaseUrl": target},
        "metadata": {"mockbdd": {"recording": True}},
    }
    return parse_stub_mapping(mapping, extensions=ctx.runtime.extensions)


async def start_recording(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    spec = parse_record_spec(
        req.json() if req.body.strip() else {}, start=True, extensions=ctx.runtime.extensions
    )
    recorder = ctx.runtime.recorder()
    ns = ctx.ns
    running = recorder.of(ns)
    if running is not None:
        raise Conflict(f"already recording from {running.spec.target}: stop that recording first")
    assert spec.target is not None
    refused = ctx.runtime.outbound_refusal(spec.target)
    if refused is not None:
        raise InvalidInput("/targetBaseUrl", f"this server may not reach it: {refused}")
    recording = Recording(spec, str(uuid.uuid4()), ns)
    recording.unsubscribe = ns.journal.subscribe_completed(keeper(recording))
    ns.add_stub(_proxy_stub(spec.target, recording.proxy_id, ctx))
    recorder.active[ns.name] = recording
    return AdminResponse(200, {})


async def recording_status(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    return AdminResponse(json={"status": ctx.runtime.recorder().status(ctx.ns)})


async def stop_recording(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    recorder = ctx.runtime.recorder()
    ns = ctx.ns
    recording = recorder.of(ns)
    recorder.active.pop(ns.name, None)
    if recording is None:
        raise Conflict("no recording is under way: POST /recordings/start first")
    recorder.stopped.add(ns.name)
    recording.unsubscribe()
    ns.remove_stub(recording.proxy_id)
    return await _finish(ctx, recording.spec, recording.events)


async def snapshot_recording(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    """Stubs made of what the journal holds (proxied requests, unless
    ``filters.allowNonProxied``), oldest first."""
    spec = parse_record_spec(
        req.json() if req.body.strip() else {}, start=False, extensions=ctx.runtime.extensions
    )
    events = list(ctx.ns.journal.events())
    events.reverse()
    return await _finish(ctx, spec, events)


async def _finish(ctx: AdminContext, spec: RecordSpec, events: list[ServeEvent]) -> AdminResponse:
    folder = ctx.runtime.recordings_dir()
    files = ctx.runtime.files_dir()
    # WireMock extracts bodies over the thresholds to files whether or not it persists
    recorded = stubs_of(selected(events, spec), spec, extract=files is not None)
    stubs = [parse_stub_mapping(r.mapping, extensions=ctx.runtime.extensions) for r in recorded]
    for stub in stubs:
        ctx.ns.add_stub(stub)
    persist = folder if spec.persist else None
    if files is not None or persist is not None:
        await asyncio.to_thread(_write, persist, files, recorded)
    if persist is not None:
        ctx.ns.keep_also(stubs)
        registry = ctx.runtime.mapping_files()
        if registry is not None and ctx.ns is ctx.engine.default:  # deleting them deletes files
            for stub, item in zip(stubs, recorded, strict=True):
                registry.track(stub, persist / recorded_file_name(item.mapping))
    if spec.ids_only:
        return AdminResponse(json={"ids": [r.mapping["id"] for r in recorded]})
    return AdminResponse(json={"mappings": [r.mapping for r in recorded]})


def recorded_file_name(mapping: dict[str, Any]) -> str:
    return f"{mapping['name']}-{mapping['id']}.json"


def _write(folder: Path | None, files: Path | None, recorded: list[RecordedStub]) -> None:
    """Each mapping into ``folder`` (None: not persisted), each extracted body into ``files``."""
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    for item in recorded:
        mapping = item.mapping
        if folder is not None:
            (folder / recorded_file_name(mapping)).write_text(
                json.dumps(mapping, indent=2) + "\n", encoding="utf-8"
            )
        if item.body_file is not None and files is not None:
            files.mkdir(parents=True, exist_ok=True)
            file_name, body = item.body_file
            (files / file_name).write_bytes(body)
