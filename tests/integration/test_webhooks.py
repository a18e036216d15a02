"""Webhooks (``serveEventListeners`` / ``postServeActions`` named ``webhook``) over real sockets:
a second mock server started by the test is the target that receives the callbacks."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockbdd.server.embedded import MockServer


@pytest.fixture
def target() -> Iterator[MockServer]:
    with MockServer() as s:
        yield s


@pytest.fixture
def callbacks(target: MockServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=target.url, timeout=10) as client:
        created = client.post(
            "/__admin/mappings",
            json={
                "request": {"urlPath": "/callback"},
                "response": {"status": 202, "body": "got it"},
            },
        )
        assert created.status_code == 201, created.text
        yield client


def received(client: httpx.Client, want: int = 1, within_s: float = 10.0) -> list[dict[str, Any]]:
    """The target's journal once it holds ``want`` requests (callbacks are asynchronous)."""
    deadline = time.monotonic() + within_s
    while True:
        events = client.get("/__admin/requests").json()["requests"]
        if len(events) >= want or time.monotonic() > deadline:
            return [event["request"] for event in events]
        time.sleep(0.02)


def webhook_stub(target: MockServer, **parameters: Any) -> dict[str, Any]:
    return {
        "name": "order-created",
        "request": {"method": "POST", "urlPath": "/orders"},
        "response": {"status": 201, "body": "created"},
        "serveEventListeners": [
            {"name": "webhook", "parameters": {"url": f"{target.url}/callback", **parameters}}
        ],
    }


def serve_event(http: httpx.Client, want_sub_events: int) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        event: dict[str, Any] = http.get("/__admin/requests").json()["requests"][0]
        if len(event["subEvents"]) >= want_sub_events or time.monotonic() > deadline:
            return event
        time.sleep(0.02)


def test_a_webhook_calls_back_after_the_answer_with_method_headers_and_body(
    http: httpx.Client, target: MockServer, callbacks: httpx.Client
) -> None:
    stub = webhook_stub(
        target,
        method="POST",
        headers={"Content-Type": "application/json", "X-Trace": ["a", "b"]},
        body='{"result": "SUCCESS"}',
    )
    assert http.post("/__admin/mappings", json=stub).status_code == 201
    answer = http.post("/orders", content=b"{}")
    assert (answer.status_code, answer.text) == (201, "created")

    (call,) = received(callbacks)
    assert call["method"] == "POST"
    assert call["url"] == "/callback"
    assert call["body"] == '{"result": "SUCCESS"}'
    assert call["headers"]["Content-Type"] == "application/json"
    assert call["headers"]["X-Trace"] == ["a", "b"]

    event = serve_event(http, want_sub_events=2)
    kinds = [sub["type"] for sub in event["subEvents"]]
    assert kinds == ["WEBHOOK_REQUEST", "WEBHOOK_RESPONSE"]
    sent, outcome = (sub["data"] for sub in event["subEvents"])
    assert sent["absoluteUrl"] == f"{target.url}/callback"
    assert (sent["method"], sent["body"]) == ("POST", '{"result": "SUCCESS"}')
    assert (outcome["status"], outcome["body"]) == (202, "got it")
    assert event["subEvents"][1]["timeOffsetNanos"] >= event["subEvents"][0]["timeOffsetNanos"]


def test_a_delayed_webhook_does_not_hold_up_the_answer(
    http: httpx.Client, target: MockServer, callbacks: httpx.Client
) -> None:
    stub = webhook_stub(target, method="GET", delay={"type": "fixed", "milliseconds": 400})
    assert http.post("/__admin/mappings", json=stub).status_code == 201
    started = time.monotonic()
    assert http.post("/orders").status_code == 201
    assert callbacks.get("/__admin/requests").json()["requests"] == []  # not yet: 400 ms to go
    (call,) = received(callbacks)
    assert time.monotonic() - started >= 0.4  # the delay is honoured (a lower bound only)
    assert (call["method"], call["body"]) == ("GET", "")  # GET carries no body


def test_the_older_post_serve_actions_forms_call_back_too(
    http: httpx.Client, target: MockServer, callbacks: httpx.Client
) -> None:
    url = f"{target.url}/callback"
    listed = {
        "request": {"urlPath": "/listed"},
        "response": {"status": 200},
        "postServeActions": [{"name": "webhook", "parameters": {"url": url, "method": "PUT"}}],
    }
    keyed = {
        "request": {"urlPath": "/keyed"},
        "response": {"status": 200},
        "postServeActions": {"webhook": {"url": url, "method": "DELETE"}},
    }
    for mapping in (listed, keyed):
        assert http.post("/__admin/mappings", json=mapping).status_code == 201
    http.get("/listed")
    http.get("/keyed")
    calls = received(callbacks, want=2)
    assert sorted(c["method"] for c in calls) == ["DELETE", "PUT"]


def test_a_binary_webhook_body_is_sent_as_given(
    http: httpx.Client, target: MockServer, callbacks: httpx.Client
) -> None:
    raw = bytes(range(256))
    stub = webhook_stub(target, method="POST", base64Body=base64.b64encode(raw).decode())
    assert http.post("/__admin/mappings", json=stub).status_code == 201
    http.post("/orders")
    (call,) = received(callbacks)
    assert base64.b64decode(call["bodyAsBase64"]) == raw


def test_a_target_that_cannot_be_reached_is_an_error_sub_event(
    http: httpx.Client, server: MockServer
) -> None:
    with MockServer() as gone:
        dead = f"{gone.url}/callback"
    stub = {
        "request": {"urlPath": "/orders"},
        "response": {"status": 200},
        "serveEventListeners": [{"name": "webhook", "parameters": {"url": dead}}],
    }
    assert http.post("/__admin/mappings", json=stub).status_code == 201
    assert http.get("/orders").status_code == 200
    event = serve_event(http, want_sub_events=2)
    error = event["subEvents"][1]
    assert error["type"] == "ERROR"
    assert error["data"]["message"].startswith(f"Failed to fire webhook GET {dead}: ")
    assert http.get("/orders").status_code == 200  # and the server keeps serving


def test_webhooks_reach_only_allowed_origins(target: MockServer, callbacks: httpx.Client) -> None:
    """A written-out target the allow-list refuses is refused at creation (422, as a proxy's
    is), nothing stored; one whose origin a template makes is refused when the call is made."""
    with (
        MockServer(proxy_allow=("http://127.0.0.1:1",)) as guarded,
        httpx.Client(base_url=guarded.url, timeout=10) as http,
    ):
        refused = http.post("/__admin/mappings", json=webhook_stub(target))
        assert refused.status_code == 422, refused.text
        origin = target.url.rstrip("/")
        assert refused.json()["errors"] == [
            {
                "code": 10,
                "title": f"webhook target {origin} is not allowed by --proxy-allow "
                "(allowed: http://127.0.0.1:1)",
                "source": {"pointer": "/serveEventListeners/0/parameters/url"},
            }
        ]
        assert http.get("/__admin/mappings").json()["mappings"] == []
        templated = webhook_stub(target)
        url = "http://{{jsonPath originalRequest.body '$.to'}}/callback"
        templated["serveEventListeners"][0]["parameters"]["url"] = url
        assert http.post("/__admin/mappings", json=templated).status_code == 201
        to = origin.removeprefix("http://")
        assert http.post("/orders", json={"to": to}).status_code == 201
        event = serve_event(http, want_sub_events=2)
    error = event["subEvents"][1]
    assert error["type"] == "ERROR"
    assert "is not allowed by --proxy-allow" in error["data"]["message"]
    assert "'order-created'" in error["data"]["message"]
    assert callbacks.get("/__admin/requests").json()["requests"] == []


@pytest.mark.parametrize(
    ("listeners", "pointer", "reason"),
    [
        (
            [{"name": "webhok", "parameters": {"url": "http://127.0.0.1:1/"}}],
            "/serveEventListeners/0/name",
            "must be one of the registered serve event listeners (webhook), got 'webhok'; "
            "did you mean 'webhook'?",
        ),
        (
            [{"name": "webhook", "parameters": {}}],
            "/serveEventListeners/0/parameters/url",
            "a webhook needs the URL to call, a string",
        ),
        (
            [{"name": "webhook", "parameters": {"url": "ftp://x/"}}],
            "/serveEventListeners/0/parameters/url",
            "'ftp://x/' is not an absolute http:// or https:// URL",
        ),
        (
            [{"name": "webhook", "parameters": {"url": "http://x/", "base64Body": "%%"}}],
            "/serveEventListeners/0/parameters/base64Body",
            "not valid base64",
        ),
        (
            [{"name": "webhook", "parameters": {"url": "http://x/", "method": "PO ST"}}],
            "/serveEventListeners/0/parameters/method",
            "'PO ST' is not an HTTP method",
        ),
        (
            [{"name": "webhook", "parameters": {"url": "http://x/", "headers": {"A": 1}}}],
            "/serveEventListeners/0/parameters/headers/A",
            "a string or a list of strings",
        ),
    ],
)
def test_bad_listeners_are_refused_whole_and_nothing_is_stored(
    http: httpx.Client, listeners: list[dict[str, Any]], pointer: str, reason: str
) -> None:
    stub = {
        "request": {"urlPath": "/x"},
        "response": {"status": 200},
        "serveEventListeners": listeners,
    }
    answer = http.post("/__admin/mappings", json=stub)
    assert answer.status_code == 422, answer.text
    errors = answer.json()["errors"]
    assert (errors[0]["source"]["pointer"], errors[0]["title"]) == (pointer, reason)
    assert http.get("/__admin/mappings").json()["mappings"] == []


def test_a_bad_webhook_delay_is_refused_with_its_pointer(http: httpx.Client) -> None:
    parameters = {"url": "http://x/", "delay": {"type": "uniform", "lower": 5, "upper": 1}}
    stub = {
        "request": {"urlPath": "/x"},
        "response": {"status": 200},
        "postServeActions": {"webhook": parameters},
    }
    answer = http.post("/__admin/mappings", json=stub)
    assert answer.status_code == 422, answer.text
    pointer = answer.json()["errors"][0]["source"]["pointer"]
    assert pointer.startswith("/postServeActions/webhook/parameters/delay")


def test_webhooks_are_templated_from_the_original_request_as_in_wiremock(
    http: httpx.Client, target: MockServer, callbacks: httpx.Client
) -> None:
    # WireMock's documented callback pattern: the URL and the body come from the request
    stub = {
        "request": {"method": "POST", "urlPath": "/templating"},
        "response": {"status": 200},
        "serveEventListeners": [{"name": "webhook", "parameters": {
            "method": "{{jsonPath originalRequest.body '$.callbackMethod'}}",
            "url": "{{jsonPath originalRequest.body '$.callbackUrl'}}",
            "headers": {"X-Id": "{{jsonPath originalRequest.body '$.transactionId'}}"},
            "body": '{"message": "success", "transactionId": "{{jsonPath originalRequest.body \'$.transactionId\'}}", "who": "{{parameters.who}}"}',
            "who": "mockbdd",
        }}],
    }  # fmt: skip
    assert http.post("/__admin/mappings", json=stub).status_code == 201
    sent = {
        "transactionId": "12345",
        "callbackMethod": "PUT",
        "callbackUrl": f"{target.url}/callback",
    }
    assert http.post("/templating", json=sent).status_code == 200
    (call,) = received(callbacks)
    assert call["method"] == "PUT"
    assert call["headers"]["X-Id"] == "12345"
    assert json.loads(call["body"]) == {
        "message": "success",
        "transactionId": "12345",
        "who": "mockbdd",
    }


@pytest.mark.parametrize(
    ("parameters", "pointer", "reason"),
    [
        (
            {"url": "http://x/", "body": '{"id": "{{jsonPath originalRequest.body \'$.id\'}"}'},
            "/serveEventListeners/0/parameters/body",
            "line 1: a '{{' is not closed with '}}'",
        ),
        (
            {"url": "http://x/", "body": "ok\n{{#each originalRequest.headers}}{{this}}"},
            "/serveEventListeners/0/parameters/body",
            "line 2: {{#each}} is not closed",
        ),
        (
            {"url": "http://x/{{nope originalRequest.path}}"},
            "/serveEventListeners/0/parameters/url",
            "line 1: no helper named 'nope'",
        ),
        (
            {"url": "http://x/", "headers": {"X-Sig": ["a", "{{/if}}"]}},
            "/serveEventListeners/0/parameters/headers/X-Sig/1",
            "line 1: {{/if}} without an open block",
        ),
    ],
)
def test_a_webhook_template_that_does_not_compile_is_refused_with_line_and_reason(
    http: httpx.Client, parameters: dict[str, Any], pointer: str, reason: str
) -> None:
    stub = {
        "request": {"urlPath": "/x"},
        "response": {"status": 200},
        "serveEventListeners": [{"name": "webhook", "parameters": parameters}],
    }
    answer = http.post("/__admin/mappings", json=stub)
    assert answer.status_code == 422, answer.text
    error = answer.json()["errors"][0]
    assert (error["source"]["pointer"], error["title"]) == (pointer, reason)
    older = {**stub, "serveEventListeners": None, "postServeActions": {"webhook": parameters}}
    answer = http.post("/__admin/mappings", json=older)
    assert answer.status_code == 422, answer.text
    error = answer.json()["errors"][0]
    assert error["source"]["pointer"] == pointer.replace(
        "/serveEventListeners/0", "/postServeActions/webhook"
    )
    assert error["title"] == reason
    assert http.get("/__admin/mappings").json()["mappings"] == []
