"""Phrases 63-64: a callback after an answer, and an assertion that it was delivered.

63 adds a ``webhook`` serve-event listener to the stub that the scenario's previous step wrote
for the service (so it reads as an afterthought of that step), POSTing the docstring to the URL.
64 looks at the service's journal: each serve event keeps its callbacks as sub-events
(``WEBHOOK_REQUEST``, then ``WEBHOOK_RESPONSE`` or ``ERROR``)."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from mockbdd.bdd.scenario_mocks import ScenarioMocks, StepUsageError, step_stubs
from mockbdd.bdd.step_checks import MockAssertionError
from mockbdd.client.models import ServeEvent

POLL_S = 0.05  # callbacks are sent after the answer: the journal is read until they show
_SERVICE_TARGET = re.compile(r'"(?P<service>[^"]+)"\s+(?P<path>/\S*)\Z')


def _target(mocks: ScenarioMocks, url: str) -> str:
    """An absolute URL (the system under test's), or ``"service" /path``: a mocked service of
    the scenario, for callbacks that go to another mock."""
    found = _SERVICE_TARGET.match(url)
    if found is not None:
        return mocks.handle.url(found["service"]) + found["path"]
    if not url.startswith(("http://", "https://")):
        raise StepUsageError(
            f"the callback target must be an absolute URL (http://...) or a mocked service and "
            f'path ("shop" /hooks), got {url!r}'
        )
    return url


def calls_back(mocks: ScenarioMocks, service: str, url: str, body: str | None) -> None:
    """63: after answering (the service's newest step stub), POST the docstring to ``url``."""
    target = _target(mocks, url)
    stubs = step_stubs(mocks, service)
    if not stubs:
        raise StepUsageError(
            f'"after answering" adds a callback to the answer of the step before it: write a '
            f'step that stubs an answer of "{service}" first (e.g. "{service}" responds to '
            "POST /path with status 202)"
        )
    newest = stubs[0]
    text = body or ""
    try:
        json.loads(text)
        content_type = "application/json"
    except ValueError:
        content_type = "text/plain"
    parameters = {
        "method": "POST",
        "url": target,
        "headers": {"Content-Type": content_type},
        "body": text,
    }
    mapping: dict[str, Any] = dict(newest.raw)
    listeners = list(mapping.get("serveEventListeners") or [])
    listeners.append({"name": "webhook", "parameters": parameters})
    mapping["serveEventListeners"] = listeners
    mocks.admin.update_stub(newest.id, mapping)


def _callbacks(event: ServeEvent, url: str) -> list[tuple[str, str]]:
    """(outcome, detail) of each callback of ``event`` to ``url``; outcome '' while in flight."""
    found: list[tuple[str, str]] = []
    for sub in event.sub_events:
        if sub.type == "WEBHOOK_REQUEST" and sub.data.get("absoluteUrl") == url:
            found.append(("", ""))
        elif sub.type == "WEBHOOK_RESPONSE" and found and not found[-1][0]:
            found[-1] = ("answered", str(sub.data.get("status")))
        elif sub.type == "ERROR" and found and not found[-1][0]:
            found[-1] = ("failed", str(sub.data.get("message")))
    return found


def called_back(mocks: ScenarioMocks, service: str, url: str) -> None:
    """64: a callback of ``service`` reached ``url`` and was answered with a 2xx status."""
    target = _target(mocks, url)
    deadline = time.monotonic() + mocks.settings.timeout
    while True:
        seen = [
            outcome
            for event in mocks.admin.requests()
            if event.stub is not None and event.stub.service == service
            for outcome in _callbacks(event, target)
        ]
        if any(kind == "answered" and detail.startswith("2") for kind, detail in seen):
            return
        if time.monotonic() >= deadline:
            break
        time.sleep(POLL_S)
    if not seen:
        raise MockAssertionError(
            f'"{service}" did not call back {url} within {mocks.settings.timeout:g} s: no answer '
            "of it had a callback to that URL (add one with: after answering, "
            f'"{service}" calls back {url} with:)'
        )
    lines = "\n".join(
        f"  - {'answered ' + detail if kind == 'answered' else kind or 'still in flight'}"
        + (f": {detail}" if kind == "failed" else "")
        for kind, detail in seen
    )
    raise MockAssertionError(
        f'"{service}" did not get a 2xx answer calling back {url} within '
        f"{mocks.settings.timeout:g} s; its callbacks there:\n{lines}"
    )
