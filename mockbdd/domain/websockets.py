"""WebSocket stubs (DESIGN §14): what a mock WebSocket endpoint does once a stub has accepted the
upgrade. A :class:`WebSocketScript` is configuration (frozen, decoded once); the server plays it
for each connection and journals the messages both ways."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from mockbdd.domain.delays import DelayDistribution, FixedDelay
from mockbdd.domain.patterns import ContentPattern
from mockbdd.domain.simulation import Chaos, Network
from mockbdd.records import record

if TYPE_CHECKING:  # domain.responses imports this module (and domain.namespace imports that)
    from mockbdd.domain.namespace import Settings
    from mockbdd.domain.requests import RecordedRequest
    from mockbdd.domain.responses import ServeContext

MAX_MESSAGE_BYTES = 1024 * 1024  # a frame over this closes the connection (1009, too big)
MAX_QUEUED_MESSAGES = 1024  # messages waiting for a client that does not read: past it, 1008
MAX_SEND_BUFFER_BYTES = 1024 * 1024  # written, not yet taken by the client: past it, 1008


class MessageTemplate(Protocol):
    """A compiled template (``mockbdd.templating.Template``): rendered per message."""

    def render(self, context: Mapping[str, Any]) -> str: ...


@runtime_checkable
class MessageTemplating(Protocol):
    """A template transformer that can render WebSocket messages (``response-template`` and
    ``jinja``): compile once, build the request part of the model once per connection, and
    say a render failure in its own words (the frame sent instead of the reply)."""

    def compile(self, source: str, name: str) -> MessageTemplate: ...

    def context(
        self, request: RecordedRequest, parameters: Mapping[str, Any], context: ServeContext
    ) -> Mapping[str, Any]: ...

    def failure(self, exc: Any) -> str: ...


@record
class Send:
    """One message to send after ``delay_ms``: text (``text`` or ``json``, as written once) or
    binary (``base64``); ``template`` is the text compiled, when the script is templated and
    the text holds an expression."""

    text: str | None = None
    data: bytes | None = None
    delay_ms: int = 0
    template: MessageTemplate | None = field(default=None, compare=False)


@record
class Close:
    code: int = 1000
    reason: str = ""
    after_ms: int = 0


@record
class OnMessage:
    """When a message from the client matches ``match``: send ``reply``, then ``close``."""

    match: ContentPattern
    reply: tuple[Send, ...] = ()
    close: Close | None = None


@record
class Periodic:
    """``send`` every ``every_ms``, ``count`` times (None: until the connection ends)."""

    every_ms: int
    send: Send
    count: int | None = None


@record
class Templating:
    """The script's template transformer, by ``name``, with its ``parameters``."""

    name: str
    engine: MessageTemplating
    parameters: Mapping[str, Any]


@record
class MessageRateLimit:
    """Per connection: ``messages`` from the client per ``period_ms`` (``burst`` at once,
    default ``messages``); past it the connection is closed (1008) or the message ignored."""

    messages: int
    period_ms: int
    burst: int | None = None
    on_exceed: Literal["close", "drop"] = "close"

    @property
    def capacity(self) -> int:
        return self.messages if self.burst is None else self.burst

    @property
    def per_second(self) -> float:
        return self.messages * 1000 / self.period_ms


@record
class MessageConditions:
    """What happens to the messages of a connection on the way (DESIGN §14, §11): a ``delay``
    drawn per message the stub sends, ``chaos`` and ``network`` conditions drawn per message
    (lost, cut, or closed with 1011), and a ``rate_limit`` on the client's messages.
    ``added_delays`` are the namespace's delays (:meth:`under`), drawn after ``delay``."""

    delay: DelayDistribution | None = None
    chaos: Chaos | None = None
    network: Network | None = None
    rate_limit: MessageRateLimit | None = None
    added_delays: tuple[DelayDistribution, ...] = ()

    def __bool__(self) -> bool:
        return self.on_sends or self.rate_limit is not None

    @property
    def on_sends(self) -> bool:
        """Whether anything is drawn for the messages the server sends."""
        return not (
            self.delay is None and self.chaos is None and self.network is None
            and not self.added_delays
        )  # fmt: skip

    def under(self, settings: Settings) -> MessageConditions:
        """These (a stub's) conditions in a namespace whose settings in force are ``settings``:
        the stub's ``chaos`` and ``network`` over the namespace's, and the namespace's delays
        (``fixedDelay``, ``delayDistribution``) added to the stub's, as for HTTP answers."""
        sim = settings.simulation
        delays: list[DelayDistribution] = []
        if settings.fixed_delay_ms:
            delays.append(FixedDelay(settings.fixed_delay_ms))
        if settings.delay_distribution is not None:
            delays.append(settings.delay_distribution)
        chaos = self.chaos if self.chaos is not None else sim.chaos
        network = self.network if self.network is not None else sim.network
        if chaos is self.chaos and network is self.network and not delays:
            return self
        return MessageConditions(self.delay, chaos, network, self.rate_limit, tuple(delays))


NO_CONDITIONS = MessageConditions()


@record
class WebSocketScript:
    on_connect: tuple[Send, ...] = ()
    on_message: tuple[OnMessage, ...] = ()
    periodic: tuple[Periodic, ...] = ()
    close: Close | None = None  # the server ends the connection ``after_ms`` after it opens
    templating: Templating | None = None
    conditions: MessageConditions = NO_CONDITIONS

    def reply_to(self, text: str) -> OnMessage | None:
        """The first ``onMessage`` rule the message matches."""
        for rule in self.on_message:
            if rule.match.match(text).is_exact:
                return rule
        return None
