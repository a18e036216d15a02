"""``webSocket`` stubs ⇄ :class:`WebSocketScript`, decoded once with the server's content
operators, delay types and template transformers: templates compile here, never per message."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable

from mockbdd.domain.delays import DelayDistribution, FixedDelay
from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.frozen import freeze
from mockbdd.domain.responses import TRANSFORMERS, loaded
from mockbdd.domain.websockets import (
    Close,
    MessageConditions,
    MessageRateLimit,
    MessageTemplate,
    MessageTemplating,
    OnMessage,
    Periodic,
    Send,
    Templating,
    WebSocketScript,
)
from mockbdd.extensions import Extensions
from mockbdd.wire.delay_codec import parse_delay
from mockbdd.wire.errors import unknown_name
from mockbdd.wire.models import WebSocketModel, WsCloseModel, WsSendModel
from mockbdd.wire.patterns import parse_content_pattern
from mockbdd.wire.simulation import chaos_of, network_of

Compile = Callable[[str, str], MessageTemplate] | None
_MARKERS = ("{{", "{%", "{#")  # Handlebars' and Jinja's: a text without them is sent as is


def build_websocket(model: WebSocketModel, pointer: str, extensions: Extensions) -> WebSocketScript:
    if not (model.onConnect or model.onMessage or model.periodic or model.close):
        raise InvalidInput(pointer, "give at least one of onConnect, onMessage, periodic or close")
    templating = _templating(model, pointer, extensions)
    compile_: Compile = None if templating is None else templating.engine.compile
    rules = []
    for i, rule in enumerate(model.onMessage):
        at = f"{pointer}/onMessage/{i}"
        match = parse_content_pattern(rule.match, f"{at}/match", extensions=extensions)
        reply = tuple(_send(m, f"{at}/reply/{j}", compile_) for j, m in enumerate(rule.reply))
        rules.append(OnMessage(match, reply, _close(rule.close)))
    return WebSocketScript(
        on_connect=tuple(
            _send(m, f"{pointer}/onConnect/{i}", compile_) for i, m in enumerate(model.onConnect)
        ),
        on_message=tuple(rules),
        periodic=tuple(
            Periodic(p.everyMs, _send(p.send, f"{pointer}/periodic/{i}/send", compile_), p.count)
            for i, p in enumerate(model.periodic)
        ),
        close=_close(model.close),
        templating=templating,
        conditions=_conditions(model, pointer, extensions),
    )


def _templating(model: WebSocketModel, pointer: str, extensions: Extensions) -> Templating | None:
    """The script's template transformer: the one it names, or ``response-template`` when the
    server templates every stub (``--global-response-templating``)."""
    names = list(model.transformers or ())
    if not names:
        names = [
            name
            for name, entry in extensions.items(TRANSFORMERS)
            if getattr(entry, "applies_globally", False)
        ][:1]
    if not names:
        return None
    if len(names) > 1:
        raise InvalidInput(
            f"{pointer}/transformers/1",
            f"give one template transformer for the messages, got {', '.join(names)}",
        )
    name = names[0]
    entry = extensions.get(TRANSFORMERS, name)
    found = None if entry is None else loaded(entry)
    if not isinstance(found, MessageTemplating):
        usable = sorted(
            n
            for n, other in extensions.items(TRANSFORMERS)
            if isinstance(loaded(other), MessageTemplating)
        )
        label = "message template transformer"
        reason = unknown_name(label, name, usable)
        if found is not None:  # registered, but it renders HTTP answers only
            reason += f" ({name!r} renders HTTP answers only)"
        raise InvalidInput(f"{pointer}/transformers/0", reason)
    return Templating(name, found, freeze(model.transformerParameters or {}))


def _conditions(model: WebSocketModel, pointer: str, extensions: Extensions) -> MessageConditions:
    delay: DelayDistribution | None = None
    if model.delayDistribution is not None:
        if model.fixedDelayMilliseconds is not None:
            raise InvalidInput(
                f"{pointer}/delayDistribution",
                "give either fixedDelayMilliseconds or delayDistribution",
            )
        at = f"{pointer}/delayDistribution"
        delay = parse_delay(model.delayDistribution, at, extensions=extensions)
    elif model.fixedDelayMilliseconds:
        delay = FixedDelay(model.fixedDelayMilliseconds)
    chaos = None
    if model.chaos is not None:
        for name in ("errorStatus", "errorBody"):
            if name in model.chaos.model_fields_set:
                raise InvalidInput(
                    f"{pointer}/chaos/{name}",
                    "does not apply to WebSocket messages (errorRate closes the connection "
                    "with 1011; dropRate loses the message, or cuts the connection with "
                    "dropMode 'reset')",
                )
        chaos = chaos_of(model.chaos, f"{pointer}/chaos")
    network = None if model.network is None else network_of(model.network, f"{pointer}/network")
    limit = model.rateLimit
    rate_limit = (
        None
        if limit is None
        else MessageRateLimit(limit.messages, limit.periodMs, limit.burst, limit.onExceed)
    )
    return MessageConditions(delay, chaos, network, rate_limit)


def _send(model: WsSendModel, pointer: str, compile_: Compile) -> Send:
    given = [
        name
        for name, value in (("text", model.text), ("json", model.json_), ("base64", model.base64))
        if value is not None
    ]
    if len(given) != 1:
        detail = f"got {' and '.join(given)}" if given else "got none"
        raise InvalidInput(pointer, f"give exactly one of text, json or base64 ({detail})")
    delay = model.delayMs or 0
    if model.base64 is not None:
        try:
            return Send(data=base64.b64decode(model.base64, validate=True), delay_ms=delay)
        except (binascii.Error, ValueError):
            raise InvalidInput(f"{pointer}/base64", "not valid base64") from None
    if model.text is not None:
        text, field = model.text, "text"
    else:
        text, field = json.dumps(model.json_, separators=(",", ":")), "json"
    template = None
    if compile_ is not None and any(marker in text for marker in _MARKERS):
        try:  # named by its pointer: a render failure's frame says which template failed
            template = compile_(text, f"{pointer}/{field}")
        except ValueError as exc:  # mockbdd.templating.TemplateError: the line and the reason
            line, reason = getattr(exc, "line", 0), getattr(exc, "reason", str(exc))
            where = f"line {line}: " if line else ""
            raise InvalidInput(
                f"{pointer}/{field}", f"the template does not compile: {where}{reason}"
            ) from None
    return Send(text=text, delay_ms=delay, template=template)


def _close(model: WsCloseModel | None) -> Close | None:
    return None if model is None else Close(model.code, model.reason, model.afterMs)
