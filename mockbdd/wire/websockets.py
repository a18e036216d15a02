"""``webSocket`` stubs ⇄ :class:`WebSocketScript`, decoded once with the server's content
operators."""

from __future__ import annotations

import base64
import binascii
import json

from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.websockets import Close, OnMessage, Periodic, Send, WebSocketScript
from mockbdd.extensions import Extensions
from mockbdd.wire.models import WebSocketModel, WsCloseModel, WsSendModel
from mockbdd.wire.patterns import parse_content_pattern


def build_websocket(model: WebSocketModel, pointer: str, extensions: Extensions) -> WebSocketScript:
    if not (model.onConnect or model.onMessage or model.periodic or model.close):
        raise InvalidInput(pointer, "give at least one of onConnect, onMessage, periodic or close")
    rules = []
    for i, rule in enumerate(model.onMessage):
        at = f"{pointer}/onMessage/{i}"
        match = parse_content_pattern(rule.match, f"{at}/match", extensions=extensions)
        reply = tuple(_send(m, f"{at}/reply/{j}") for j, m in enumerate(rule.reply))
        rules.append(OnMessage(match, reply, _close(rule.close)))
    return WebSocketScript(
        on_connect=tuple(
            _send(m, f"{pointer}/onConnect/{i}") for i, m in enumerate(model.onConnect)
        ),
        on_message=tuple(rules),
        periodic=tuple(
            Periodic(p.everyMs, _send(p.send, f"{pointer}/periodic/{i}/send"), p.count)
            for i, p in enumerate(model.periodic)
        ),
        close=_close(model.close),
    )


def _send(model: WsSendModel, pointer: str) -> Send:
    given = [
        name
        for name, value in (("text", model.text), ("json", model.json_), ("base64", model.base64))
        if value is not None
    ]
    if len(given) != 1:
        detail = f"got {' and '.join(given)}" if given else "got none"
        raise InvalidInput(pointer, f"give exactly one of text, json or base64 ({detail})")
    delay = model.delayMs or 0
    if model.text is not None:
        return Send(text=model.text, delay_ms=delay)
    if model.base64 is not None:
        try:
            return Send(data=base64.b64decode(model.base64, validate=True), delay_ms=delay)
        except (binascii.Error, ValueError):
            raise InvalidInput(f"{pointer}/base64", "not valid base64") from None
    return Send(text=json.dumps(model.json_, separators=(",", ":")), delay_ms=delay)


def _close(model: WsCloseModel | None) -> Close | None:
    return None if model is None else Close(model.code, model.reason, model.afterMs)
