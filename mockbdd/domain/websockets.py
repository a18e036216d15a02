"""WebSocket stubs (DESIGN §14): what a mock WebSocket endpoint does once a stub has accepted the
upgrade. A :class:`WebSocketScript` is configuration (frozen, decoded once); the server plays it
for each connection and journals the messages both ways."""

from __future__ import annotations

from dataclasses import dataclass

from mockbdd.domain.patterns import ContentPattern

MAX_MESSAGE_BYTES = 1024 * 1024  # a frame over this closes the connection (1009, too big)


@dataclass(frozen=True, slots=True)
class Send:
    """One message to send after ``delay_ms``: text (``text`` or ``json``, as written once) or
    binary (``base64``)."""

    text: str | None = None
    data: bytes | None = None
    delay_ms: int = 0


@dataclass(frozen=True, slots=True)
class Close:
    code: int = 1000
    reason: str = ""
    after_ms: int = 0


@dataclass(frozen=True, slots=True)
class OnMessage:
    """When a message from the client matches ``match``: send ``reply``, then ``close``."""

    match: ContentPattern
    reply: tuple[Send, ...] = ()
    close: Close | None = None


@dataclass(frozen=True, slots=True)
class Periodic:
    """``send`` every ``every_ms``, ``count`` times (None: until the connection ends)."""

    every_ms: int
    send: Send
    count: int | None = None


@dataclass(frozen=True, slots=True)
class WebSocketScript:
    on_connect: tuple[Send, ...] = ()
    on_message: tuple[OnMessage, ...] = ()
    periodic: tuple[Periodic, ...] = ()
    close: Close | None = None  # the server ends the connection ``after_ms`` after it opens

    def reply_to(self, text: str) -> OnMessage | None:
        """The first ``onMessage`` rule the message matches."""
        for rule in self.on_message:
            if rule.match.match(text).is_exact:
                return rule
        return None
