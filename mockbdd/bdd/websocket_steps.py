"""Phrases 50-52: a WebSocket endpoint of a service in one line each (what it sends on
connect, what it replies to a message), and an assertion on what it received. The phrases of a
route write one ``webSocket`` stub between them: each adds to the script of the route's step
stub (a connection is answered by one stub)."""

from __future__ import annotations

import time
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
            mapping["webSocket"] = script
            mocks.admin.update_stub(stub.id, mapping)
            return
    mocks.admin.create_stub({
        "priority": STEP_PRIORITY,
        "request": {"method": "GET", "urlPath": url},
        "webSocket": {key: [entry]},
        "metadata": step_metadata(service),
    })  # fmt: skip


def sends_on_connect(mocks: ScenarioMocks, service: str, path: str, text: str | None) -> None:
    """50: each connection to the WebSocket ``path`` is sent the docstring first."""
    _add_to_script(mocks, service, path, "onConnect", {"text": _message(text, "the message")})


def replies_to(mocks: ScenarioMocks, service: str, text: str, path: str, reply: str | None) -> None:
    """51: a message containing ``text`` on the WebSocket ``path`` is answered with the docstring."""
    if not text:
        raise StepUsageError('say what the message contains: a message containing "ping"')
    rule = {"match": {"contains": text}, "reply": [{"text": _message(reply, "the reply")}]}
    _add_to_script(mocks, service, path, "onMessage", rule)


def received_message(mocks: ScenarioMocks, service: str, text: str, path: str) -> None:
    """52: the WebSocket ``path`` of ``service`` received a message containing ``text``."""
    url = route_path(service, path)
    deadline = time.monotonic() + mocks.settings.timeout
    while mocks.admin.count_websocket_messages({"contains": text}, "in", url) == 0:
        if time.monotonic() >= deadline:
            got = [m.get("text", "(binary)") for m in mocks.admin.websocket_messages("in", url)]
            listed = "\n".join(f"  - {t!r}" for t in got) or "  (no message at all)"
            raise MockAssertionError(
                f'"{service}" should have received a message containing "{text}" on the '
                f"WebSocket {path} within {mocks.settings.timeout:g} s; it received:\n{listed}"
            )
        time.sleep(POLL_S)
