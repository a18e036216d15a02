"""mockbdd's own admin tasks for the questions the BDD layer asks, answered by the engine:

- ``POST /requests/match``: a dry run (which stub would answer this request now, and with what);
- ``POST /requests/verify``: a count (or an order, or the n-th request) checked against an
  expectation, waiting server-side, with the server's near-miss diff;
- ``POST /mappings/switch``: every stub of some services replaced in one synchronous step
  (phrase 14: concurrent traffic never sees a half-switched namespace);
- ``POST /mappings/unused``: the stubs of a service never served yet, waiting for them.

Nothing here journals a request or changes a stub, except the switch.
"""

from __future__ import annotations

import asyncio
import enum
import json
from collections.abc import Callable
from typing import Any, Protocol

from mockbdd.admin.journal_tasks import MAX_WAIT_MS
from mockbdd.admin.tag_map_tasks import TagMapPlan
from mockbdd.admin.types import AdminContext, AdminRequest, AdminResponse
from mockbdd.admin.verify_report import near_miss_report, numbered, under
from mockbdd.domain.errors import InvalidInput, unknown_field
from mockbdd.domain.journal import JournalReader, ServeEvent
from mockbdd.domain.namespace import InitialCollection, Namespace, Selection
from mockbdd.domain.near_miss import NearMiss, closest_requests
from mockbdd.domain.request_pattern import RequestPattern
from mockbdd.domain.requests import Body, RecordedRequest
from mockbdd.domain.responses import ResponseSequence
from mockbdd.domain.stubs import StubMapping
from mockbdd.domain.urls import UrlPathTemplate, UrlRegex
from mockbdd.extensions import Extensions
from mockbdd.services import check_service
from mockbdd.wire.collections import parse_collections
from mockbdd.wire.journal import near_miss_json, parse_logged_request
from mockbdd.wire.mappings import parse_request_pattern, parse_stub_mapping, stub_to_json
from mockbdd.wire.patterns import parse_content_pattern
from mockbdd.wire.settings import parse_settings

# ------------------------------------------------------------------------------ helpers


def _whole(body: dict[str, Any], key: str, default: int, least: int = 0) -> int:
    value = body.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise InvalidInput(f"/{key}", f"must be a whole number >= {least}")
    return value


def _timeout_s(body: dict[str, Any]) -> float:
    value = body.get("timeoutMs", 0)
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not 0 <= value <= MAX_WAIT_MS
    ):
        raise InvalidInput("/timeoutMs", f"must be a number of milliseconds in 0..{MAX_WAIT_MS}")
    return float(value) / 1000


def _service(body: dict[str, Any], pointer: str = "/service") -> str | None:
    value = body.get("service")
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(pointer, "must be a service name")
    try:
        return check_service(value)
    except ValueError as exc:
        raise InvalidInput(pointer, str(exc)) from None


def stub_service(stub: StubMapping) -> str | None:
    """The service a stub belongs to: ``metadata.mockbdd.service`` (steps and tag maps set it),
    else the first segment of the literal start of its URL matcher."""
    meta = (stub.metadata or {}).get("mockbdd")
    if isinstance(meta, dict) and isinstance(meta.get("service"), str):
        return str(meta["service"])
    url = stub.request.url
    if url.literal_path is not None:
        text = url.literal_path
    elif isinstance(url, UrlPathTemplate):
        text = url.expected
    elif isinstance(url, UrlRegex):
        text = _literal_start(url.expected)
    else:
        return None
    first = text[1:].split("/", 1)[0] if text.startswith("/") else ""
    return first if first and "{" not in first else None


def _literal_start(regex: str) -> str:
    """The literal text a regex starts with (``\\.`` and ``\\-`` unescaped), up to a segment end."""
    out: list[str] = []
    i = 1 if regex.startswith("^") else 0
    while i < len(regex):
        char = regex[i]
        if char == "\\" and i + 1 < len(regex) and regex[i + 1] in ".-/_":
            out.append(regex[i + 1])
            i += 2
        elif char.isalnum() or char in "/_-":
            out.append(char)
            i += 1
        else:
            break
    text = "".join(out)
    segment_closed = i == len(regex) or regex[i] in "($" or text.count("/") > 1
    return text if segment_closed else ""


async def _until(journal: JournalReader, decided: Callable[[ServeEvent], bool], s: float) -> None:
    """Wait until ``decided`` holds for a newly journaled event, or ``s`` seconds pass."""
    if s <= 0:
        return
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_event(event: ServeEvent) -> None:
        if not done.done() and decided(event):
            done.set_result(None)

    unsubscribe = journal.subscribe(on_event)
    try:
        await asyncio.wait_for(done, s)
    except TimeoutError:
        pass
    finally:
        unsubscribe()


# ------------------------------------------------------------------------------ match


def _response_json(selection: Selection) -> Any:
    """The JSON of the response the selection would give (a sequence's item as configured)."""
    stub, source = selection.stub, selection.stub.source
    if isinstance(stub.response, ResponseSequence):
        items = source.get("responses")
        for i, item in enumerate(stub.response.items):
            if item.response is selection.response and isinstance(items, list):
                return items[i]
        return None  # pragma: no cover - a sequence's response is always one of its items
    return source.get("response")


def _route_only(stub: StubMapping, request: RecordedRequest) -> bool:
    """The stub constrains nothing but this method and this path (or URL)."""
    pattern = stub.request
    simple = pattern.simple_url
    if simple is None or pattern.method != request.method:
        return False
    key, target = simple
    return target == (request.url if key == "url" else request.path)


async def match_request(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    """A dry run of the data plane: the stub and response that would answer the request now
    (``Namespace.select``: no journal entry, no cursor, scenario or "used" change), the stubs
    whose method and URL accept it whatever their other conditions (``routeMatches``, in match
    order) and, when nothing answers, the closest stubs."""
    request = parse_logged_request(req.json_object())
    ns = ctx.ns
    selection = ns.select(request)
    route = [
        {
            "stub": stub_to_json(stub),
            "matches": stub.request.matches(request),
            "routeOnly": _route_only(stub, request),
        }
        for stub in ns.stubs.candidates(request.method, request.path)
        if stub.request.url.test(request)
    ]
    data: dict[str, Any] = {"matched": selection is not None, "routeMatches": route}
    if selection is not None:
        data["stub"] = stub_to_json(selection.stub)
        data["response"] = _response_json(selection)
        data["position"] = selection.position
    else:
        misses = await ctx.runtime.near_misses(ns, request)
        data["nearMisses"] = [near_miss_json(m) for m in misses]
    return AdminResponse(json=data)


# ------------------------------------------------------------------------------ verify


class Mode(enum.Enum):
    AT_LEAST = "atLeast"
    EXACTLY = "exactly"
    AT_MOST = "atMost"
    NONE = "none"


class Tracker(Protocol):
    """One kind of expectation: measured on the journal, advanced by each new event."""

    expected: int

    def measure(self, ns: Namespace) -> None: ...

    def see(self, event: ServeEvent) -> bool:
        """Advance with a new event; True once the outcome is known."""
        ...

    def decided(self) -> bool: ...

    def outcome(self) -> tuple[bool, int]:
        """(holds, count)."""
        ...

    def missing(self) -> tuple[RequestPattern, Any] | None:
        """The pattern (and its JSON) the near misses are closest to, when short of it."""
        ...


class CountTracker:
    """``count`` requests matching ``pattern``, at least, exactly or at most. An upper bound
    (at most, none, exactly 0) is checked when the wait is over, failing as soon as it is passed;
    a lower one holds as soon as it is reached."""

    def __init__(self, pattern: RequestPattern, source: Any, count: int, mode: Mode) -> None:
        self.pattern, self.source, self.expected, self.mode = pattern, source, count, mode
        self.seen = 0

    def measure(self, ns: Namespace) -> None:
        self.seen = ns.journal.count(self.pattern)

    def see(self, event: ServeEvent) -> bool:
        if self.pattern.matches(event.request):
            self.seen += 1
        return self.decided()

    def _upper_only(self) -> bool:
        return self.mode in (Mode.AT_MOST, Mode.NONE) or self.expected == 0

    def decided(self) -> bool:
        if self._upper_only():
            return self.seen > self.expected
        return self.seen >= self.expected

    def outcome(self) -> tuple[bool, int]:
        if self.mode is Mode.AT_LEAST:
            return self.seen >= self.expected, self.seen
        if self.mode is Mode.EXACTLY:
            return self.seen == self.expected, self.seen
        return self.seen <= self.expected, self.seen

    def missing(self) -> tuple[RequestPattern, Any] | None:
        return (self.pattern, self.source) if self.seen < self.expected else None


class SequenceTracker:
    """Requests matching each pattern of ``sequence`` arrived in this order (others between)."""

    def __init__(self, patterns: list[tuple[RequestPattern, Any]]) -> None:
        self.patterns = patterns
        self.expected = len(patterns)
        self.done = 0

    def measure(self, ns: Namespace) -> None:
        self.done = 0
        for event in reversed(list(ns.journal.events())):
            self.see(event)

    def see(self, event: ServeEvent) -> bool:
        if self.done < self.expected and self.patterns[self.done][0].matches(event.request):
            self.done += 1
        return self.decided()

    def decided(self) -> bool:
        return self.done == self.expected

    def outcome(self) -> tuple[bool, int]:
        return self.done == self.expected, self.done

    def missing(self) -> tuple[RequestPattern, Any] | None:
        return None if self.decided() else self.patterns[self.done]


class NthTracker:
    """The ``index``-th request matching ``pattern`` (arrival order, from 1) also matches
    ``matches``; waits for that request to arrive."""

    expected = 1

    def __init__(
        self, pattern: RequestPattern, source: Any, index: int, matches: RequestPattern
    ) -> None:
        self.pattern, self.source, self.index, self.matches = pattern, source, index, matches
        self.seen = 0
        self.target: ServeEvent | None = None

    def measure(self, ns: Namespace) -> None:
        found = ns.journal.find(self.pattern)
        self.seen = len(found)
        self.target = found[self.index - 1] if len(found) >= self.index else None

    def see(self, event: ServeEvent) -> bool:
        if self.target is None and self.pattern.matches(event.request):
            self.seen += 1
            if self.seen == self.index:
                self.target = event
        return self.decided()

    def decided(self) -> bool:
        return self.target is not None

    def outcome(self) -> tuple[bool, int]:
        holds = self.target is not None and self.matches.matches(self.target.request)
        return holds, int(holds)

    def missing(self) -> tuple[RequestPattern, Any] | None:
        return (self.pattern, self.source) if self.target is None else None


def _pattern(obj: Any, pointer: str, extensions: Extensions) -> tuple[RequestPattern, Any]:
    if obj is None:
        raise InvalidInput(pointer, "required: a request pattern")
    return parse_request_pattern(obj, pointer, extensions=extensions), obj


def _tracker(body: dict[str, Any], extensions: Extensions) -> tuple[Tracker, Mode | None]:
    if "sequence" in body:
        items = body["sequence"]
        if not isinstance(items, list) or not items:
            raise InvalidInput("/sequence", "must be a non-empty list of request patterns")
        return SequenceTracker(
            [_pattern(p, f"/sequence/{i}", extensions) for i, p in enumerate(items)]
        ), None
    pattern, source = _pattern(body.get("pattern"), "/pattern", extensions)
    if "nth" in body:
        nth = body["nth"]
        if not isinstance(nth, dict):
            raise InvalidInput("/nth", "must be an object: {index, matches}")
        index = nth.get("index")
        if not isinstance(index, int) or isinstance(index, bool) or index < 1:
            raise InvalidInput("/nth/index", "required: a whole number >= 1 (1 is the first)")
        matches, _ = _pattern(nth.get("matches"), "/nth/matches", extensions)
        return NthTracker(pattern, source, index, matches), None
    raw_mode = body.get("mode", Mode.EXACTLY.value)
    try:
        mode = Mode(raw_mode)
    except ValueError:
        known = ", ".join(m.value for m in Mode)
        raise InvalidInput("/mode", f"unknown mode {raw_mode!r} (known: {known})") from None
    count = 0 if mode is Mode.NONE else _whole(body, "count", 1)
    return CountTracker(pattern, source, count, mode), mode


def _near_misses(ns: Namespace, tracker: Tracker, service: str | None) -> list[dict[str, Any]]:
    """The closest requests of the service to what is missing; for an n-th request that came
    but does not match, that request's own diff."""
    events = list(ns.journal.events())
    numbers = numbered(events, service)
    if isinstance(tracker, NthTracker) and tracker.target is not None:
        target, pattern = tracker.target, tracker.matches
        miss = NearMiss(target.request, pattern, pattern.evaluate(target.request), event=target)
        return [near_miss_report(miss, None, service, numbers)]
    short = tracker.missing()
    if short is None:
        return []
    pattern, source = short
    scoped = (e for e in events if under(e.request.path, service))
    others = [e for e in scoped if not pattern.matches(e.request)]
    return [
        near_miss_report(m, source, service, numbers) for m in closest_requests(pattern, others)
    ]


async def verify_requests(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    """Check an expectation on the journal, waiting up to ``timeoutMs`` for it to be decided.

    Body: ``pattern`` + ``count`` (default 1) + ``mode`` (``atLeast``, ``exactly`` (default),
    ``atMost``, ``none``); or ``sequence`` (patterns in arrival order); or ``pattern`` + ``nth``
    ``{index, matches}``. ``service`` scopes the near misses to that service's requests and shows
    their paths relative to it. Always 200: ``holds`` says whether the expectation is met."""
    body = req.json_object()
    tracker, mode = _tracker(body, ctx.runtime.extensions)
    timeout = _timeout_s(body)
    service = _service(body)
    ns = ctx.ns
    tracker.measure(ns)
    if not tracker.decided():
        await _until(ns.journal, tracker.see, timeout)
    tracker.measure(ns)  # the journal is the truth (a removal or a reset may have happened)
    holds, count = tracker.outcome()
    data: dict[str, Any] = {"holds": holds, "count": count, "expected": tracker.expected}
    if mode is not None:
        data["mode"] = mode.value
    if isinstance(tracker, NthTracker):
        data["nthFound"] = tracker.target is not None
    data["nearMisses"] = [] if holds else _near_misses(ns, tracker, service)
    data["requestJournalDisabled"] = ns.journal.max_entries == 0
    data["journalTruncated"] = ns.journal.truncated
    return AdminResponse(json=data)


# ------------------------------------------------------------------------------ switch


def _services(body: dict[str, Any]) -> tuple[str, ...]:
    raw = body.get("services")
    if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
        raise InvalidInput("/services", "required: a list of service names")
    for i, name in enumerate(raw):
        try:
            check_service(name)
        except ValueError as exc:
            raise InvalidInput(f"/services/{i}", str(exc)) from None
    return tuple(raw)


def _switch_plan(body: dict[str, Any], extensions: Extensions) -> TagMapPlan:
    mappings = body.get("mappings", [])
    if not isinstance(mappings, list):
        raise InvalidInput("/mappings", "must be a list of stub mappings")
    stubs = tuple(
        parse_stub_mapping(m, f"/mappings/{i}", extensions=extensions)
        for i, m in enumerate(mappings)
    )
    settings = None
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
    collections: tuple[InitialCollection, ...] = ()
    if body.get("collections") is not None:
        collections = parse_collections(body["collections"], "/collections")
    return TagMapPlan(stubs, settings, tuple(states.items()), collections)


_SWITCH_FIELDS = ("services", "mappings", "settings", "scenarioStates", "collections")


async def switch_mappings(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    """Replace every stub of ``services`` with ``mappings`` (the last one the newest), then
    apply ``settings`` and ``scenarioStates``: all decoded first, then one synchronous step,
    so no request sees a half-switched namespace. Other services and the journal stay."""
    body = req.json_object()
    unknown = sorted(set(body) - set(_SWITCH_FIELDS))
    if unknown:
        raise InvalidInput(f"/{unknown[0]}", unknown_field(unknown[0], _SWITCH_FIELDS))
    services = set(_services(body))
    plan = _switch_plan(body, ctx.runtime.extensions)
    ns = ctx.ns
    old = [s.id for s in ns.stubs if stub_service(s) in services]
    for stub_id in old:
        ns.remove_stub(stub_id)
    plan.apply_to(ns)
    kept = {s.id for s in plan.stubs}
    return AdminResponse(
        json={
            "removed": [i for i in old if i not in kept],
            "mappings": [stub_to_json(s) for s in plan.stubs],
        }
    )


# ------------------------------------------------------------------------------ unused


def _unused(
    ns: Namespace, service: str | None, skip: Callable[[StubMapping], bool]
) -> list[StubMapping]:
    return [
        s
        for s in ns.unused_stubs()
        if not skip(s) and (service is None or stub_service(s) == service)
    ]


def _metadata_skip(body: dict[str, Any], extensions: Extensions) -> Callable[[StubMapping], bool]:
    if body.get("exceptMetadata") is None:
        return lambda stub: False
    pattern = parse_content_pattern(
        body["exceptMetadata"], "/exceptMetadata", extensions=extensions
    )
    return lambda s: pattern.match_body(Body(json.dumps(s.metadata or {}).encode())).is_exact


async def unused_mappings(ctx: AdminContext, req: AdminRequest) -> AdminResponse:
    """The stubs of ``service`` (all when absent) not served since they were added, leaving out
    those whose metadata matches ``exceptMetadata``; waits up to ``timeoutMs`` for them all to
    be used. Each comes with the service it belongs to."""
    body = req.json_object()
    service = _service(body)
    timeout = _timeout_s(body)
    skip = _metadata_skip(body, ctx.runtime.extensions)
    ns = ctx.ns
    pending = {s.id for s in _unused(ns, service, skip)}
    if pending:

        def served(event: ServeEvent) -> bool:
            pending.discard(event.stub_id or "")
            return not pending

        await _until(ns.journal, served, timeout)
    unused = _unused(ns, service, skip)
    return AdminResponse(
        json={
            "unused": [{"service": stub_service(s), "mapping": stub_to_json(s)} for s in unused],
            "meta": {"total": len(unused)},
        }
    )
