"""Response definitions (config) and sequences of them; runtime cursors live in the namespace."""

from __future__ import annotations

import enum
import importlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from mockbdd.domain.delays import DelayDistribution
from mockbdd.domain.limits import ConcurrencyLimit, RateLimit
from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.simulation import Simulation
from mockbdd.extensions import Kind
from mockbdd.records import record

if TYPE_CHECKING:  # the namespace module imports this one
    from mockbdd.domain.namespace import Namespace
    from mockbdd.domain.websockets import WebSocketScript  # with the first webSocket stub


@record
class ChunkedDribbleDelay:
    number_of_chunks: int
    total_duration_ms: int


@record
class SseEvent:
    """One server-sent event, written after ``delay_ms`` (from the previous event, or from the
    head for the first). ``wire`` is its ``text/event-stream`` encoding, made once."""

    data: str
    event: str | None = None
    id: str | None = None
    delay_ms: int = 0
    wire: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lines = [f"event: {self.event}"] if self.event is not None else []
        if self.id is not None:
            lines.append(f"id: {self.id}")
        lines.extend(f"data: {line}" for line in self.data.split("\n"))
        object.__setattr__(self, "wire", ("\n".join(lines) + "\n\n").encode())


@record
class EventStream:
    """A ``text/event-stream`` answer (``response.sse``): the events, one at a time, and the
    ``retry`` the client is told first."""

    events: tuple[SseEvent, ...]
    retry_ms: int | None = None

    def preamble(self) -> bytes:
        return f"retry: {self.retry_ms}\n\n".encode() if self.retry_ms is not None else b""

    def body(self) -> bytes:
        """Everything the stream writes, as the journal records it."""
        return self.preamble() + b"".join(e.wire for e in self.events)


@record
class ResponseDefinition:
    """What to answer. ``body`` is pre-encoded once at definition time, never per request."""

    status: int = 200
    status_message: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    body_file_name: str | None = None
    delay: DelayDistribution | None = None
    chunked_dribble_delay: ChunkedDribbleDelay | None = None
    fault: str | None = None  # a name registered under FAULTS (``Fault`` for the built-ins)
    proxy_base_url: str | None = None
    additional_proxy_request_headers: tuple[tuple[str, str], ...] = ()
    remove_proxy_request_headers: tuple[str, ...] = ()
    proxy_url_prefix_to_remove: str | None = None
    # (name, transformerParameters) per registered transformer, in the stub's order; applied
    # at serve time by the data plane's shape stage
    transformers: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    # what each transformer's ``prepare`` made of this definition when it was decoded (its
    # compiled templates), aligned with ``transformers``; None where it has no ``prepare``
    prepared: tuple[object, ...] = field(default=(), compare=False)
    # set by a template transformer for one answer: renders the body file's contents once read
    file_template: Callable[[bytes], bytes] | None = field(default=None, compare=False)
    sse: EventStream | None = None  # written event by event, each after its delay
    websocket: WebSocketScript | None = None  # a webSocket stub: the upgrade is accepted
    # a service plugin's WebSocket route (``service_plugins.websocket_route``): the upgrade is
    # accepted and this coroutine function runs with the socket
    socket_handler: Callable[[Any], Awaitable[None]] | None = field(default=None, compare=False)
    # the stub's own chaos, network, bandwidth, degradation and limits (DESIGN §11)
    simulation: Simulation | None = None
    rate_limit: RateLimit | None = None  # this stub's own limits (the admit stage applies them)
    concurrency: ConcurrencyLimit | None = None
    is_static: bool = field(init=False)  # answered from the definition alone (the hot path)

    def __post_init__(self) -> None:
        static = (
            self.fault is None
            and self.body_file_name is None
            and self.chunked_dribble_delay is None
            and self.proxy_base_url is None
            and not self.transformers
            and self.sse is None
            and self.websocket is None
            and self.socket_handler is None
        )
        object.__setattr__(self, "is_static", static)


@record
class TransformContext:
    """What a transformer may use besides the request: the namespace being served (its
    collections, state and seed) and the id of the stub that matched (None for an answer no
    stub gave)."""

    namespace: Namespace
    stub_id: str | None = None


@runtime_checkable
class Transformer(Protocol):
    """A response transformer, named in a stub's ``transformers`` (WireMock's shape) and given
    its ``transformerParameters`` (read-only JSON: mappings and tuples)."""

    def check(self, parameters: Mapping[str, Any]) -> None:
        """Called once, when a stub naming this transformer is decoded: raise ``ValueError``
        (its message is the reason) to refuse the stub."""

    def transform(
        self,
        response: ResponseDefinition,
        request: RecordedRequest,
        parameters: Mapping[str, Any],
        context: TransformContext,
    ) -> ResponseDefinition:
        """The answer to send for ``request`` instead of ``response`` (the stub's, or the one
        an earlier transformer returned), in the namespace ``context`` names."""


@record
class ServeContext:
    """What a preparing transformer may know of the request it answers besides the request:
    the namespace's name and seed, the serve event's id and sequence number, the path
    parameters of the stub's ``urlPathTemplate``, and the namespace's key/value ``values``
    (the ``state`` templates read and write; cleared on reset)."""

    namespace: str
    event_id: str
    seq: int
    seed: int | None
    path_parameters: Mapping[str, str]
    values: dict[str, Any]
    collections: Any = None  # the namespace's CRUD collections (``crud`` in Jinja), read-only there


@runtime_checkable
class PreparingTransformer(Protocol):
    """A transformer that does its costly work once per stub (templates compile when the stub
    is decoded, never per request)."""

    def prepare(self, response: ResponseDefinition, parameters: Mapping[str, Any]) -> object:
        """What ``render`` needs of ``response`` (compiled templates), made once when the stub
        is decoded; None when there is nothing to do (the transformer is then left out and a
        static answer stays on the fast path). Raise ``ValueError`` to refuse the stub."""

    def render(
        self,
        prepared: object,
        response: ResponseDefinition,
        request: RecordedRequest,
        parameters: Mapping[str, Any],
        context: ServeContext,
    ) -> ResponseDefinition:
        """The answer for ``request``, from what ``prepare`` made."""


TRANSFORMERS: Kind[Transformer] = Kind(
    "response transformer",
    lambda name, entry: "" if isinstance(entry, Transformer) else "needs check() and transform()",
)


class LazyTransformer:
    """A transformer imported when a stub first names it: ``module``'s class ``name``, built
    with ``options`` as keyword arguments. Built-ins that most runs never use register this
    way, so a server that serves none of them does not hold their modules. Where a transformer
    is used rather than checked, :func:`loaded` gives the real one (a preparing transformer's
    ``prepare``/``render`` are reached only through it); ``applies_globally`` is known without
    importing anything."""

    __slots__ = ("_loaded", "applies_globally", "module", "name", "options")

    def __init__(self, module: str, name: str, **options: Any) -> None:
        self.module = module
        self.name = name
        self.options = options
        self.applies_globally = bool(options.get("applies_globally", False))
        self._loaded: Transformer | None = None

    def load(self) -> Transformer:
        if self._loaded is None:
            built: Transformer = getattr(importlib.import_module(self.module), self.name)(
                **self.options
            )
            self._loaded = built
        return self._loaded

    def check(self, parameters: Mapping[str, Any]) -> None:
        self.load().check(parameters)

    def transform(
        self,
        response: ResponseDefinition,
        request: RecordedRequest,
        parameters: Mapping[str, Any],
        context: TransformContext,
    ) -> ResponseDefinition:
        return self.load().transform(response, request, parameters, context)

    def __repr__(self) -> str:
        return f"LazyTransformer({self.module}.{self.name})"


def loaded(entry: Transformer) -> Transformer:
    """``entry`` itself, or what a :class:`LazyTransformer` stands for (imported now)."""
    return entry.load() if isinstance(entry, LazyTransformer) else entry


class WhenExhausted(enum.Enum):
    REPEAT_LAST = "repeatLast"
    LOOP = "loop"
    NOT_FOUND = "notFound"


@record
class SequenceItem:
    response: ResponseDefinition
    times: int = 1


@record
class ResponseSequence:
    """A list of responses played in order (``times`` each), then ``when_exhausted``."""

    items: tuple[SequenceItem, ...]
    when_exhausted: WhenExhausted = WhenExhausted.REPEAT_LAST
    total: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", sum(item.times for item in self.items))

    def response_at(self, served: int) -> ResponseDefinition | None:
        """The response for the request after ``served`` earlier ones; None when exhausted (notFound)."""
        if served >= self.total:
            if self.when_exhausted is WhenExhausted.NOT_FOUND:
                return None
            if self.when_exhausted is WhenExhausted.REPEAT_LAST:
                return self.items[-1].response
            served %= self.total
        for item in self.items:
            if served < item.times:
                return item.response
            served -= item.times
        return self.items[-1].response  # pragma: no cover - total covers every index

    def is_exhausted(self, served: int) -> bool:
        return self.when_exhausted is WhenExhausted.NOT_FOUND and served >= self.total
