"""Serving mock traffic: one domain call plans the answer, then the transport carries it out
(delay, fault, static bytes, proxy, file or dribble) and completes the journal entry once.

With stages taking part in a namespace (``STAGES``; see :class:`Stages`), admit runs before the
plan, shape after it and observe after completion; with none, a static answer takes the same fast
path as ever.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from aiohttp import web

from mockbdd.domain.faults import FAULTS
from mockbdd.domain.journal import ResponseRecord, ServeEvent
from mockbdd.domain.namespace import Namespace
from mockbdd.domain.near_miss import NearMiss, render_unmatched_report
from mockbdd.domain.plan import NearMissSearch, Selection, ServePlan
from mockbdd.domain.responses import (
    TRANSFORMERS,
    ChunkedDribbleDelay,
    EventStream,
    LazyTransformer,
    PreparingTransformer,
    ResponseDefinition,
    ServeContext,
    TransformContext,
)
from mockbdd.extensions import Extensions
from mockbdd.server import prepared
from mockbdd.server import recorded as recording
from mockbdd.server.faults import SocketFaultContext, planned_head
from mockbdd.server.listeners import ListenerRunner, webhook_renderer
from mockbdd.server.mounts import ServiceMounts
from mockbdd.server.proxy import Proxy
from mockbdd.server.response_cache import CachedResponse, ResponseCache, matched_stub_headers
from mockbdd.server.stages import (
    STAGES,
    Admission,
    Observed,
    ObserveMany,
    Pipeline,
    Stage,
    Stages,
)
from mockbdd.templating import TemplateRenderFailed

if TYPE_CHECKING:
    from mockbdd.server.deadline import Deadlines  # at the first delay (it brings ctypes)
    from mockbdd.server.websockets import WebSockets  # at the first webSocket session
    from mockbdd.templating.files import TemplateFiles  # only with --templates (Jinja2)

log = logging.getLogger("mockbdd.server")
_TEXT_PLAIN = {"Content-Type": "text/plain; charset=utf-8"}
MAX_EXTRA_HEADS = 256
NEAR_MISS_SLICE_S = 0.001  # a near-miss search gives the loop back after about this long
_FAILED = ResponseRecord(500, (), b"mockbdd internal error; see the server log")
Answer = tuple[web.StreamResponse, ResponseRecord]
Observers = tuple[ObserveMany, ...]  # a pipeline's observe hooks; () when none takes part


async def plugin_session(
    request: web.BaseRequest,
    handler: Callable[[Any], Awaitable[None]],
    ns: Namespace,
    journal: WebSockets,
    path: str,
) -> Answer:
    """:func:`mockbdd.server.plugin_sockets.plugin_session`, its module (and the webSocket
    player's) imported at the first service plugin's WebSocket session (idle RSS). That one
    then takes this name's place here: later sessions call it straight away."""
    from mockbdd.server import plugin_sockets

    globals()["plugin_session"] = plugin_sockets.plugin_session
    return await plugin_sockets.plugin_session(request, handler, ns, journal, path)


class DataPlane:
    def __init__(
        self,
        files_root: Path | None,
        max_body_bytes: int,
        proxy_allow: tuple[str, ...] = (),
        prepared_heads: bool = True,
        *,
        extensions: Extensions,
        stages: tuple[Stage, ...] = (),
        exposed_on: str | None = None,
        templates: TemplateFiles | None = None,
    ) -> None:
        """``stages``: the server's own (metrics, event streams), after the registered ones;
        ``templates``: the template files that answer what no stub matches (``--templates``)."""
        self.templates = templates
        self.files_root = files_root.resolve() if files_root is not None else None
        self.max_body_bytes = max_body_bytes
        self.proxy = Proxy(proxy_allow, max_body_bytes, exposed_on=exposed_on)
        self._cache = ResponseCache(prepared_heads)
        self._record = recording.Recorder()  # repeated requests share one RecordedRequest
        self._date = prepared.DateLine()
        self._faults = dict(extensions.items(FAULTS))
        self._transformers = dict(extensions.items(TRANSFORMERS))
        self._preparing: dict[str, bool] = {}
        # serve-event listeners (webhooks) run as the last observe stage, where stubs name them
        templating = webhook_renderer(extensions.get(TRANSFORMERS, "response-template"))
        self.listeners = ListenerRunner(extensions, self.proxy.refusal, templating)
        # mounted service plugins answer under their service prefix, after the registered
        # admit stages (limits apply to them too) and before the stubs
        self.mounts = ServiceMounts(extensions)
        self._websockets: WebSockets | None = None  # made at the first webSocket session
        registered = tuple(extensions.items(STAGES))
        own = tuple((getattr(s, "name", type(s).__name__), s) for s in stages)
        self._stages = Stages(
            (*registered, *own, ("mounts", self.mounts.stage), ("listeners", self.listeners.stage))
        )
        self.in_flight = 0  # requests received and not yet answered (mockbdd_in_flight)
        # the events completed since the loop last ran ``_notify``, as runs of consecutive
        # events with the same observers (under load, one run per loop turn), in order
        self._observing: list[tuple[Observers, list[Observed]]] = []
        self._run_observers: Observers = ()  # the last run's (() once ``_notify`` has run)
        self._run: list[Observed] = []
        self._near_miss_turn = asyncio.Lock()  # one search at a time: one slice per loop turn
        self._deadlines: Deadlines | None = None  # made on the serving loop, at the first delay
        # static answers with a limit's headers: (answer, headers) -> (record, prepared head)
        self._extra: dict[
            tuple[int, int],
            tuple[CachedResponse, tuple[tuple[str, str], ...], ResponseRecord, bytes | None],
        ] = {}
        self._last_extra: tuple[object, object, ResponseRecord, bytes | None] = (
            None,
            None,
            _FAILED,
            None,
        )

    async def serve(self, ns: Namespace, request: web.BaseRequest, path: str) -> web.StreamResponse:
        started = time.perf_counter()
        self.in_flight += 1
        release: Callable[[], None] | None = None  # an admit stage's, once the exchange is over
        try:
            body = (
                await recording.read_capped(request, self.max_body_bytes)
                if request.body_exists
                else b""
            )
            recorded = self._record(request, path, body)
            stages = self._stages.for_namespace(ns)
            observers: Observers = () if stages is None else stages.observe
            if stages is None or not (stages.admit or stages.shape):  # the same path for all
                plan, queued = ns.serve(recorded), 0.0
            elif not stages.admit:  # shape only (chaos, network...): nothing to await
                plan = self._shaped(stages, ns, ns.serve(recorded), started, 0.0)
                queued = 0.0
            else:  # admit hooks decide at once, or hand back what to await (a queue)
                queued = 0.0
                admitted: ServePlan | None = None
                selection: Selection | None = None  # a hook's match of the request, still good
                extra: tuple[tuple[str, str], ...] = ()
                for name, admit in stages.admit:
                    found = admit(ns, recorded)
                    if found is None:
                        continue
                    if type(found) is not Admission:
                        if not isinstance(found, (ResponseDefinition, Admission)):  # a queue
                            waiting = time.perf_counter()
                            selection = None  # the state may move while this waits
                            found = await found
                            queued += (time.perf_counter() - waiting) * 1000
                            if found is None:
                                continue
                        if not isinstance(found, Admission):  # an answer instead of the stubs
                            admitted = ns.intercept(recorded, found, name, extra)
                            break
                    answer, headers, selected, released = found  # one unpacking, no lookups
                    if released is not None:
                        release = released if release is None else _both(release, found)
                    if headers:
                        extra += headers  # () + headers is headers itself: cached heads hold
                    if answer is not None:
                        admitted = ns.intercept(recorded, answer, name, extra)
                        break
                    if selected is not None:
                        selection = selected
                plan = ns.serve(recorded, selection, extra) if admitted is None else admitted
                if stages.shape:
                    plan = self._shaped(stages, ns, plan, started, queued)
            definition = plan.response
            if definition is None:
                return await self._not_matched(ns, plan, started, queued, observers)
            processing = (time.perf_counter() - started) * 1000 - queued
            if plan.delay_ms > 0:  # sampled and capped by the domain
                await self._delay(plan.delay_ms, started + queued / 1000)  # queueing is not delay
            if plan.fault is not None or not definition.is_static:
                return await self._dynamic(
                    ns, request, plan, definition, started, processing, queued, observers
                )
            return self._static(
                ns, request, plan, definition, started, processing, queued, observers
            )
        finally:
            self.in_flight -= 1
            if release is not None:
                try:
                    release()
                except Exception:  # a broken stage must not cost this answer
                    log.exception("mockbdd: a data-plane stage failed releasing a request")

    async def _delay(self, delay_ms: float, started: float) -> None:
        """Wait until ``delay_ms`` after the request arrived (``started``, perf_counter): the
        time spent reading and matching counts towards the delay. Ends on a timerfd, to the
        tens of microseconds, not on the loop's millisecond timers (``deadline.Deadlines``)."""
        deadlines = self._deadlines
        if deadlines is None:  # once per server: later delays find it made
            from mockbdd.server.deadline import Deadlines

            deadlines = self._deadlines = Deadlines(asyncio.get_running_loop())
        await deadlines.sleep_until(started + delay_ms / 1000)

    @property
    def websockets(self) -> WebSockets:
        """webSocket stubs' sessions and their messages; made, and their module imported, at
        the first session or the first look at the messages (idle RSS)."""
        if self._websockets is None:
            from mockbdd.server.websockets import WebSockets

            self._websockets = WebSockets()
        return self._websockets

    async def close_websockets(self) -> None:
        """Close every webSocket session (1001 "going away"), if any was ever opened."""
        if self._websockets is not None:
            await self._websockets.close_all()

    def close(self) -> None:
        """Release what serving holds outside the loop's sockets (the delays' timerfd)."""
        if self._deadlines is not None:
            self._deadlines.close()
            self._deadlines = None

    def _shaped(
        self, stages: Pipeline, ns: Namespace, plan: ServePlan, started: float, queued: float
    ) -> ServePlan:
        """``plan`` as the shape hooks leave it (a hook that raises: journaled as a 500)."""
        try:
            for shape in stages.shape:
                plan = shape(ns, plan)
        except Exception:
            elapsed = self._ms(started)
            self._finish(ns, plan.event, _FAILED, elapsed, elapsed, queued, stages.observe)
            raise
        return plan

    def _static(
        self,
        ns: Namespace,
        request: web.BaseRequest,
        plan: ServePlan,
        definition: ResponseDefinition,
        started: float,
        processing: float,
        queued: float,
        observers: Observers,
    ) -> web.StreamResponse:
        """The common case: status, headers and body all fixed (no coroutine of its own)."""
        cached = self._cache.get(definition, plan.stub)
        total = (time.perf_counter() - started) * 1000
        extra = plan.headers  # this answer's own (a limit's), after the definition's
        record = cached.record(definition)
        head = cached.head
        if extra:
            last = self._last_extra  # the same answer and headers as the request before?
            if last[0] is cached and last[1] is extra:
                record, head = last[2], last[3]
            else:
                record, head = self._with_headers(cached, record, extra)
        ns.complete(plan.event, record, processing, total, queued, plan.delay_ms)
        if observers:
            if observers is self._run_observers:  # ``_observed``, inlined for the common case
                self._run.append((ns, plan.event))
            else:
                self._observed(ns, plan.event, observers)
        if head is not None and prepared.can_prepare(request):
            return prepared.PreparedResponse(head, self._date(), definition.body, definition.status)
        headers = cached.headers()
        if extra:
            headers.extend(extra)
        response = web.Response(
            status=definition.status, reason=cached.reason, body=definition.body, headers=headers
        )
        if cached.close:
            response.force_close()
        return response

    def _with_headers(
        self, cached: CachedResponse, record: ResponseRecord, extra: tuple[tuple[str, str], ...]
    ) -> tuple[ResponseRecord, bytes | None]:
        """The record and the prepared head of a static answer with ``extra`` headers after its
        own, made once per answer and header tuple: a limit that is not reached gives the same
        tuple to request after request (``limits._headers``), so nothing is built for them."""
        key = (id(cached), id(extra))
        found = self._extra.get(key)
        if found is None or found[0] is not cached or found[1] is not extra:
            if len(self._extra) >= MAX_EXTRA_HEADS:
                self._extra.clear()
            head = None if cached.head is None else cached.head + prepared.header_lines(extra)
            made = ResponseRecord(record.status, record.headers + extra, record.body)
            found = self._extra[key] = (cached, extra, made, head)
        self._last_extra = found
        return found[2], found[3]

    async def _dynamic(
        self,
        ns: Namespace,
        request: web.BaseRequest,
        plan: ServePlan,
        definition: ResponseDefinition,
        started: float,
        processing: float,
        queued: float,
        observers: Observers,
    ) -> web.StreamResponse:
        # what the journal says if this raises (or a fault is cut short by a shutdown)
        record = _FAILED if plan.fault is None else ResponseRecord(fault=str(plan.fault))
        if plan.headers:  # one answer's headers: a definition of its own, not cached
            definition = dataclasses.replace(definition, headers=definition.headers + plan.headers)
        try:
            response, record = await self._dynamic_answer(ns, request, plan, definition)
            return response
        finally:
            total = self._ms(started)
            self._finish(
                ns, plan.event, record, processing, total, queued, observers, plan.delay_ms
            )

    async def _dynamic_answer(
        self,
        ns: Namespace,
        request: web.BaseRequest,
        plan: ServePlan,
        definition: ResponseDefinition,
    ) -> Answer:
        if definition.transformers:  # the stub's transformers, in its order, per request
            transformed = self._transform(ns, plan, definition)
            if isinstance(transformed, str):
                return _text(500, transformed), ResponseRecord(500, (), transformed.encode())
            if (
                not plan.headers  # else ``definition`` is this answer's own already
                and transformed.status == definition.status
                and transformed.headers == definition.headers
                and transformed.status_message == definition.status_message
            ):  # only the body was made for this answer: the stub's head is kept as it is
                cached = self._cache.get(definition, plan.stub)
                if (
                    plan.fault is None
                    and cached.head is not None
                    and _body_only(transformed)
                    and bool(transformed.body) == bool(definition.body)  # same Content-Type
                    and len(transformed.body) <= prepared.MAX_PREPARED_BODY
                    and prepared.can_prepare(request)
                ):  # the static answer's fast path, its head given this body's length
                    body = transformed.body
                    head = _with_length(cached.head, cached.body_length, len(body))
                    answer = prepared.PreparedResponse(head, self._date(), body, transformed.status)
                    return answer, ResponseRecord(transformed.status, transformed.headers, body)
            else:
                cached = self._cache.build(transformed, plan.stub)  # one answer's: never kept
            definition = transformed
        elif plan.headers:
            cached = self._cache.build(definition, plan.stub)
        else:
            cached = self._cache.get(definition, plan.stub)
        if plan.fault is not None:
            return await self._fault(request, plan.fault, definition, cached)
        if definition.websocket is not None:
            script = definition.websocket
            served = None if script.templating is None else serve_context(ns, plan)
            return await self.websockets.session(ns, request, script, plan.event.request, served)
        if definition.socket_handler is not None:
            path = plan.event.request.path
            return await plugin_session(
                request, definition.socket_handler, ns, self.websockets, path
            )
        if definition.proxy_base_url is not None:
            proxied = await self.proxy.forward(plan.event.request, definition)
            record = record_of(proxied)
            proxied.headers.popall("Matched-Stub-Name", None)  # the upstream's, if any
            if plan.stub is not None:
                proxied.headers.update(matched_stub_headers(plan.stub))
            return proxied, record
        response, record = await self._respond(request, definition, cached)
        if cached.close:
            response.force_close()
        return response, record

    def _transform(
        self, ns: Namespace, plan: ServePlan, definition: ResponseDefinition
    ) -> ResponseDefinition | str:
        """The answer the stub's transformers make of ``definition`` for this request, or why
        one of them failed (a transformer that raises costs this answer only: 500 naming it).
        Each sees the namespace it serves through one :class:`TransformContext`; a preparing
        transformer renders what it prepared when the stub was decoded."""
        context: TransformContext | None = None  # made for the first transformer that asks
        prepared = definition.prepared
        request = plan.event.request
        served: ServeContext | None = None
        for i, (name, parameters) in enumerate(definition.transformers):
            transformer = self._transformers.get(name)
            if transformer is None:  # decoded where it was registered, but not here
                return f"mockbdd: no response transformer named {name!r} on this server\n"
            if isinstance(transformer, LazyTransformer):  # imported once, then kept
                transformer = self._transformers[name] = transformer.load()
            preparing = self._preparing.get(name)
            if (
                preparing is None
            ):  # a runtime-checked protocol: asked once per name, not per request
                preparing = self._preparing[name] = isinstance(transformer, PreparingTransformer)
            made = prepared[i] if i < len(prepared) else None
            try:
                if made is not None and preparing:
                    if served is None:
                        served = serve_context(ns, plan)
                    render = cast(PreparingTransformer, transformer).render
                    definition = render(made, definition, request, parameters, served)
                else:
                    if context is None:
                        context = TransformContext(ns, None if plan.stub is None else plan.stub.id)
                    definition = transformer.transform(definition, request, parameters, context)
            except TemplateRenderFailed as failed:  # the template's own words, no trace
                return str(failed)
            except Exception as exc:
                log.exception("mockbdd: response transformer %r failed", name)
                return f"mockbdd: response transformer {name!r} failed: {exc}\n"
        return definition

    async def _fault(
        self,
        request: web.BaseRequest,
        fault: str,
        definition: ResponseDefinition,
        cached: CachedResponse,
    ) -> Answer:
        name = str(fault)
        action = self._faults.get(name)
        if action is None:  # the stub was decoded where this fault exists, but not here
            text = (
                f"mockbdd: no fault named {name!r} on this server "
                f"(known: {', '.join(sorted(self._faults))})\n"
            )
            return _text(500, text), ResponseRecord(500, (), text.encode())
        head = planned_head(definition, tuple(cached.multidict.items()), cached.reason)
        ctx = SocketFaultContext(request, head, definition.body)
        try:
            await action(ctx)
        finally:
            ctx.close()  # a fault ends the connection, whatever the action did
        return web.Response(status=500), ResponseRecord(fault=name)  # never written

    async def _template_file(
        self, ns: Namespace, plan: ServePlan, started: float, queued: float, observers: Observers
    ) -> web.StreamResponse | None:
        """A template file's answer (or the resource-creation default) for an unmatched
        request, journaled; None when none applies."""
        assert self.templates is not None
        request = plan.event.request
        found = await asyncio.to_thread(self.templates.find, request.path)
        answer = self.templates.answer(found, request, serve_context(ns, plan))
        if answer is None:
            return None
        elapsed = self._ms(started)
        record = ResponseRecord(answer.status, answer.headers, answer.body)
        self._finish(ns, plan.event, record, elapsed, elapsed, queued, observers)
        return web.Response(status=answer.status, body=answer.body, headers=answer.headers)

    async def _not_matched(
        self, ns: Namespace, plan: ServePlan, started: float, queued: float, observers: Observers
    ) -> web.StreamResponse:
        if self.templates is not None:
            answered = await self._template_file(ns, plan, started, queued, observers)
            if answered is not None:
                return answered
        search = plan.near_misses
        misses = [] if search is None else await self.search(search)
        body = render_unmatched_report(plan.event.request, misses).encode()
        elapsed = self._ms(started)
        extra = plan.headers
        record = ResponseRecord(404, extra, body)
        self._finish(ns, plan.event, record, elapsed, elapsed, queued, observers)
        if extra:
            return web.Response(status=404, body=body, headers=(*_TEXT_PLAIN.items(), *extra))
        return web.Response(status=404, body=body, headers=_TEXT_PLAIN)

    async def search(self, search: NearMissSearch) -> list[NearMiss]:
        """Run ``search`` a slice at a time, giving the loop back between slices: a report
        over 10,000 stubs must not hold up other namespaces' traffic while it is worked out.
        The one way near misses are ranked on the loop: 404 reports and the admin routes."""
        async with self._near_miss_turn:
            deadline = time.perf_counter() + NEAR_MISS_SLICE_S
            while not search.step():
                if time.perf_counter() >= deadline:
                    await asyncio.sleep(0)
                    deadline = time.perf_counter() + NEAR_MISS_SLICE_S
            return search.result()

    def _finish(
        self,
        ns: Namespace,
        event: ServeEvent,
        record: ResponseRecord,
        processing: float,
        total: float,
        queued: float,
        observers: Observers,
        added_delay: float = 0.0,
    ) -> None:
        ns.complete(event, record, processing, total, queued, added_delay)
        if observers:
            self._observed(ns, event, observers)

    def _observed(self, ns: Namespace, event: ServeEvent, observers: Observers) -> None:
        """Queue ``event`` for ``observers``. One loop callback hands every event queued before
        it runs to each observer in one call: under load that is one callback per loop turn,
        and one call per observer, not one per request."""
        if observers is not self._run_observers:  # a new run (the first since ``_notify``)
            if not self._observing:
                asyncio.get_running_loop().call_soon(self._notify)
            self._run_observers, self._run = observers, [(ns, event)]
            self._observing.append((observers, self._run))
        else:
            self._run.append((ns, event))

    def _notify(self) -> None:
        runs, self._observing, self._run_observers = self._observing, [], ()
        self._run = []  # the events are the observers' now (a deleted namespace may go)
        for observers, batch in runs:
            for observe in observers:
                try:
                    observe(batch)
                except Exception:  # a broken observer must not silence the others
                    log.exception(
                        "mockbdd: data-plane stage %r failed observing %d events",
                        observe,
                        len(batch),
                    )

    @staticmethod
    def _ms(started: float) -> float:
        return (time.perf_counter() - started) * 1000

    async def _respond(
        self, request: web.BaseRequest, definition: ResponseDefinition, cached: CachedResponse
    ) -> Answer:
        body = definition.body
        if definition.body_file_name is not None:
            loaded = await self._read_file(definition.body_file_name)
            if loaded is None:
                text = f"mockbdd: body file {definition.body_file_name!r} not found under the files root"
                reason = prepared.reason_phrase(500, None)
                response = web.Response(status=500, reason=reason, text=text, headers=_TEXT_PLAIN)
                return response, ResponseRecord(500, (), text.encode())
            body = loaded
            if definition.file_template is not None:  # a template transformer's, this answer's
                try:
                    body = definition.file_template(body)
                except TemplateRenderFailed as failed:
                    text = str(failed)
                    response = web.Response(status=500, text=text, headers=_TEXT_PLAIN)
                    return response, ResponseRecord(500, (), text.encode())
        if definition.sse is not None and request.method != "HEAD":
            return await self._event_stream(request, definition, cached, definition.sse)
        if definition.sse is not None:
            body = definition.sse.body()
        record = ResponseRecord(definition.status, definition.headers, body)
        dribble = definition.chunked_dribble_delay
        if dribble is None or request.method == "HEAD":
            response = web.Response(
                status=definition.status, reason=cached.reason, body=body, headers=cached.headers()
            )
            return response, record
        return await self._dribble(request, definition, cached, body, dribble), record

    async def _dribble(
        self,
        request: web.BaseRequest,
        definition: ResponseDefinition,
        cached: CachedResponse,
        body: bytes,
        dribble: ChunkedDribbleDelay,
    ) -> web.StreamResponse:
        response = web.StreamResponse(
            status=definition.status, reason=cached.reason, headers=cached.headers()
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

    async def _event_stream(
        self,
        request: web.BaseRequest,
        definition: ResponseDefinition,
        cached: CachedResponse,
        stream: EventStream,
    ) -> Answer:
        """``text/event-stream``: each event written (and flushed) after its delay. A client
        that leaves mid-stream ends it; the journal records what was sent."""
        response = web.StreamResponse(
            status=definition.status, reason=cached.reason, headers=cached.headers()
        )
        await response.prepare(request)
        sent = [stream.preamble()]
        try:
            if sent[0]:
                await response.write(sent[0])
            for event in stream.events:
                if event.delay_ms > 0:
                    await asyncio.sleep(event.delay_ms / 1000)
                await response.write(event.wire)
                sent.append(event.wire)
            await response.write_eof()
        except (ConnectionResetError, ConnectionError):
            pass  # the client went away: nothing more to send
        return response, ResponseRecord(definition.status, definition.headers, b"".join(sent))

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


def _both(first: Callable[[], None], then: Admission) -> Callable[[], None]:
    """Two admit stages' releases, each called once and in order (rare: one is the rule)."""
    second = then.release
    assert second is not None

    def release() -> None:
        try:
            first()
        finally:
            second()

    return release


def _body_only(definition: ResponseDefinition) -> bool:
    """Nothing to carry out but status, headers and body (a transformed answer)."""
    return (
        definition.body_file_name is None
        and definition.sse is None
        and definition.chunked_dribble_delay is None
        and definition.proxy_base_url is None
        and definition.websocket is None
        and definition.socket_handler is None
        and definition.fault is None
    )


def _with_length(head: bytes, length: int, new: int) -> bytes:
    """A prepared head (``prepared.serialise_head``) for a body of ``new`` bytes instead."""
    if new == length:
        return head
    return head.replace(
        b"\r\nContent-Length: %d\r\n" % length, b"\r\nContent-Length: %d\r\n" % new, 1
    )


def serve_context(ns: Namespace, plan: ServePlan) -> ServeContext:
    """What a preparing transformer knows besides the request (see ``ServeContext``)."""
    event = plan.event
    parameters: Mapping[str, str] = {}
    if plan.stub is not None:
        variables = getattr(plan.stub.request.url, "variables", None)  # urlPathTemplate's
        if variables is not None:
            parameters = variables(event.request.path) or {}
    return ServeContext(
        ns.name, event.id, event.seq, ns.seed, parameters, ns.values, ns.collections
    )


def _text(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text, headers=_TEXT_PLAIN)


def record_of(response: web.Response) -> ResponseRecord:
    body = response.body if isinstance(response.body, bytes) else b""
    return ResponseRecord(response.status, tuple(response.headers.items()), body)
