"""Serving mock traffic: match in the domain, then delay, fault or answer on the socket."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from aiohttp import web

from mockbdd.domain.faults import inject
from mockbdd.domain.journal import ResponseRecord
from mockbdd.domain.namespace import Namespace
from mockbdd.domain.near_miss import render_unmatched_report
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.server import prepared
from mockbdd.server import recorded as recording
from mockbdd.server.faults import SocketFaultInjector
from mockbdd.server.proxy import Proxy
from mockbdd.server.response_cache import CachedResponse, ResponseCache, matched_stub_headers

_TEXT_PLAIN = {"Content-Type": "text/plain; charset=utf-8"}


class DataPlane:
    def __init__(
        self,
        files_root: Path | None,
        max_body_bytes: int,
        proxy_allow: tuple[str, ...] = (),
        prepared_heads: bool = True,
    ) -> None:
        self.files_root = files_root.resolve() if files_root is not None else None
        self.max_body_bytes = max_body_bytes
        self.proxy = Proxy(proxy_allow, max_body_bytes)
        self._cache = ResponseCache(prepared_heads)
        self._date = prepared.DateLine()

    async def serve(self, ns: Namespace, request: web.BaseRequest, path: str) -> web.StreamResponse:
        started = time.perf_counter()
        body = (
            await recording.read_capped(request, self.max_body_bytes)
            if request.body_exists
            else b""
        )
        recorded = recording.record(request, path, body)
        event, stub, definition = ns.serve(recorded)
        if definition is None or stub is None:
            report = render_unmatched_report(recorded, ns.near_misses(recorded))
            event.response = ResponseRecord(404, (), report.encode())
            event.total_ms = event.processing_ms = (time.perf_counter() - started) * 1000
            return web.Response(status=404, text=report, headers=_TEXT_PLAIN)
        event.processing_ms = (time.perf_counter() - started) * 1000
        delay = ns.delay_ms(definition)  # capped by the domain at MAX_DELAY_MS
        if delay > 0:
            await asyncio.sleep(delay / 1000)
        if definition.is_static:  # the common case: fixed status, headers and body
            cached = self._cache.get(definition, stub)
            event.response = cached.record(definition)
            event.total_ms = (time.perf_counter() - started) * 1000
            if cached.head is not None and prepared.can_prepare(request):
                return prepared.PreparedResponse(
                    cached.head, self._date(), definition.body, definition.status
                )
            response = web.Response(
                status=definition.status,
                reason=cached.reason,
                body=definition.body,
                headers=cached.headers(),
            )
            if cached.close:
                response.force_close()
            return response
        try:
            if definition.proxy_base_url is not None and definition.fault is None:
                response = await self.proxy.forward(recorded, definition)
                event.response = record_of(response)
                response.headers.popall("Matched-Stub-Name", None)  # the upstream's, if any
                response.headers.update(matched_stub_headers(stub))
                return response
            event.response = ResponseRecord()
            cached = self._cache.get(definition, stub)
            answer = await self._answer(request, definition, cached, event.response)
            if cached.close:
                answer.force_close()
            return answer
        finally:
            event.total_ms = (time.perf_counter() - started) * 1000

    async def _answer(
        self,
        request: web.BaseRequest,
        definition: ResponseDefinition,
        cached: CachedResponse,
        record: ResponseRecord,
    ) -> web.StreamResponse:
        if definition.fault is not None:
            record.fault = definition.fault.value
            inject(definition.fault, SocketFaultInjector(request))
            return web.Response(status=500)  # never written: the connection is gone
        body = definition.body
        if definition.body_file_name is not None:
            loaded = await self._read_file(definition.body_file_name)
            if loaded is None:
                text = f"mockbdd: body file {definition.body_file_name!r} not found under the files root"
                record.status = 500
                record.body = text.encode()
                reason = prepared.reason_phrase(500, None)
                return web.Response(status=500, reason=reason, text=text, headers=_TEXT_PLAIN)
            body = loaded
        record.status = definition.status
        record.headers = definition.headers
        record.body = body
        dribble = definition.chunked_dribble_delay
        headers = cached.headers()
        if dribble is None or request.method == "HEAD":
            return web.Response(
                status=definition.status, reason=cached.reason, body=body, headers=headers
            )
        response = web.StreamResponse(
            status=definition.status, reason=cached.reason, headers=headers
        )
        response.content_length = len(body)  # framed by length: works for HTTP/1.0 too
        await response.prepare(request)
        chunks = max(1, min(dribble.number_of_chunks, len(body) or 1))
        pause = dribble.total_duration_ms / 1000 / chunks
        for i in range(chunks):  # exactly ``chunks`` non-empty slices, sizes differing by one
            await response.write(body[i * len(body) // chunks : (i + 1) * len(body) // chunks])
            if i < chunks - 1:
                await asyncio.sleep(pause)
        await response.write_eof()
        return response

    async def _read_file(self, name: str) -> bytes | None:
        if self.files_root is None:
            return None
        try:
            target = (self.files_root / name).resolve()
        except (OSError, ValueError):
            return None
        if not target.is_relative_to(self.files_root):
            return None
        try:
            return await asyncio.to_thread(target.read_bytes)
        except (OSError, ValueError):  # missing, unreadable, or a name the OS refuses
            return None


def record_of(response: web.Response) -> ResponseRecord:
    body = response.body if isinstance(response.body, bytes) else b""
    return ResponseRecord(response.status, tuple(response.headers.items()), body)
