"""Phrases 50-52 and 55-58: a WebSocket endpoint of a service in one line each (what it sends
on connect, what it replies to a message containing a text or matching a regular expression),
how long its messages take on the way, and assertions on what it received (one message, or how
many) and sent. The phrases of a route
write one ``webSocket`` stub between them: each adds to the script of the route's step stub (a
connection is answered by one stub). A reply with ``{{`` is a Handlebars template
(``response-template``): ``{{message.body}}`` is the message it answers."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from mockbdd.bdd.scenario_mocks import ScenarioMocks, StepUsageError, route_path, step_stubs
from mockbdd.bdd.step_checks import MockAssertionError
from mockbdd.bdd.steps_impl import STEP_PRIORITY, step_metadata

POLL_S = 0.05  # the assertion reads the server's count until it holds or the timeout is over


def _message(text: str | None, what: str) -> str:
    if text is None or text == "":
        raise StepUsageError(f"write {what} in the docstring under the step")
    return text


def _add_to_script(mocks: ScenarioMocks, service: str, path: str, key: str, entry: Any) -> None:
    url = route_path(service, path)
    for stub in step_stubs(mocks, service):
        if stub.request.get("urlPath") == url and isinstance(stub.raw.get("webSocket"), dict):
            mapping = dict(stub.raw)
            script = dict(mapping["webSocket"])
            script[key] = [*script.get(key, []), entry]
            mapping["webSocket"] = _templated(script, entry)
            mocks.admin.update_stub(stub.id, mapping)
            return
    mocks.admin.create_stub({
        "priority": STEP_PRIORITY,
        "request": {"method": "GET", "urlPath": url},
        "webSocket": _templated({key: [entry]}, entry),
        "metadata": step_metadata(service),
    })  # fmt: skip


def delays_messages(mocks: ScenarioMocks, service: str, path: str, delay_ms: int) -> None:
    """58: every message the WebSocket ``path`` sends waits ``delay_ms`` more (the script's
    ``fixedDelayMilliseconds``; later messages wait behind earlier ones, as on one stream)."""
    url = route_path(service, path)
    for stub in step_stubs(mocks, service):
        if stub.request.get("urlPath") == url and isinstance(stub.raw.get("webSocket"), dict):
            mapping = dict(stub.raw)
            mapping["webSocket"] = {**mapping["webSocket"], "fixedDelayMilliseconds": delay_ms}
            mocks.admin.update_stub(stub.id, mapping)
            return
    raise StepUsageError(
        f'say first what "{service}" sends or replies on the WebSocket {path} '
        "(phrases 50, 51 or 55), then how long its messages take"
    )


def _templated(script: dict[str, Any], entry: Any) -> dict[str, Any]:
    """``script``, rendered with Handlebars once a message it sends holds an expression."""
    if "{{" in str(entry) and not script.get("transformers"):
        script["transformers"] = ["response-template"]
    return script


def sends_on_connect(mocks: ScenarioMocks, service: str, path: str, text: str | None) -> None:
    """50: each connection to the WebSocket ``path`` is sent the docstring first."""
    _add_to_script(mocks, service, path, "onConnect", {"text": _message(text, "the message")})


def replies_to(mocks: ScenarioMocks, service: str, text: str, path: str, reply: str | None) -> None:
    """51: a message containing ``text`` on the WebSocket ``path`` is answered with the docstring."""
    if not text:
        raise StepUsageError('say what the message contains: a message containing "ping"')
    rule = {"match": {"contains": text}, "reply": [{"text": _message(reply, "the reply")}]}
    _add_to_script(mocks, service, path, "onMessage", rule)


def replies_to_matching(
    mocks: ScenarioMocks, service: str, regex: str, path: str, reply: str | None
) -> None:
    """55: a message matching the regular expression ``regex`` (the whole message, as
    WireMock's ``matches``) on the WebSocket ``path`` is answered with the docstring."""
    try:
        re.compile(regex)
    except re.error as exc:
        raise StepUsageError(f"not a regular expression: {regex!r} ({exc})") from None
    rule = {"match": {"matches": regex}, "reply": [{"text": _message(reply, "the reply")}]}
    _add_to_script(mocks, service, path, "onMessage", rule)


def received_message(mocks: ScenarioMocks, service: str, text: str, path: str) -> None:
    """52: the WebSocket ``path`` of ``service`` received a message containing ``text``."""
    _wait_for(mocks, service, "in", text, path, lambda n: n > 0, "received a message")


def received_messages(mocks: ScenarioMocks, service: str, count: int, text: str, path: str) -> None:
    """56: the WebSocket ``path`` of ``service`` received exactly ``count`` messages
    containing ``text`` (waiting up to the timeout for them to come)."""
    what = f"received {count} message{'' if count == 1 else 's'}"
    _wait_for(mocks, service, "in", text, path, lambda n: n == count, what)


def sent_message(mocks: ScenarioMocks, service: str, text: str, path: str) -> None:
    """57: the WebSocket ``path`` of ``service`` sent a message containing ``text``."""
    _wait_for(mocks, service, "out", text, path, lambda n: n > 0, "sent a message")


def _wait_for(
    mocks: ScenarioMocks,
    service: str,
    direction: str,
    text: str,
    path: str,
    holds: Callable[[int], bool],
    what: str,
) -> None:
    url = route_path(service, path)
    deadline = time.monotonic() + mocks.settings.timeout
    while not holds(mocks.admin.count_websocket_messages({"contains": text}, direction, url)):
        if time.monotonic() >= deadline:
            messages = mocks.admin.websocket_messages(direction, url)
            got = [m.get("text", "(binary)") for m in messages]
            listed = "\n".join(f"  - {t!r}" for t in got) or "  (no message at all)"
            done = "received" if direction == "in" else "sent"
            raise MockAssertionError(
                f'"{service}" should have {what} containing "{text}" on the WebSocket {path} '
                f"within {mocks.settings.timeout:g} s; it {done}:\n{listed}"
            )
        time.sleep(POLL_S)
