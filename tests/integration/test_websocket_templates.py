"""Templated ``webSocket`` messages over real sockets (``websockets`` and aiohttp's client):
replies rendered with ``response-template`` (Handlebars) or ``jinja``, seeing the message and
the upgrade request; a template that does not compile refuses the stub with its field; one that
fails to render sends its error in a frame instead of the reply and the connection goes on."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import httpx
import pytest
import websockets

from mockbdd.server.embedded import MockServer
from tests.integration._websocket import create, ws_url


def script(transformer: str, reply: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "request": {"urlPath": "/echo"},
        "webSocket": {
            "transformers": [transformer],
            "onMessage": [{"match": {"matches": ".*"}, "reply": [reply]}],
            **more,
        },
    }


async def test_handlebars_replies_see_the_message_and_the_upgrade_request(
    mock: MockServer,
) -> None:
    reply = {"text": "{{message.body}} to {{request.query.user}} on {{request.path}}: "
                     "{{jsonPath message.body '$.id'}} {{message.json.kind}}"}  # fmt: skip
    greeting = {"json": {"hello": "{{request.query.user}}"}}
    mapping = script("response-template", reply, onConnect=[greeting])
    assert (await create(mock, mapping)).status_code == 201
    async with websockets.connect(ws_url(mock, "/echo?user=ann")) as ws:
        assert json.loads(await ws.recv()) == {"hello": "ann"}
        await ws.send("hi")
        # WireMock's helpers say their errors inline, as in an HTTP answer
        assert await ws.recv() == "hi to ann on /echo: [ERROR: hi is not valid JSON] "
        await ws.send('{"id":7,"kind":"order"}')
        assert (await ws.recv()).endswith(": 7 order")


async def test_jinja_replies_under_aiohttp_client(mock: MockServer) -> None:
    reply = {"json": {"double": "{{ message.json.n * 2 }}", "who": "{{ request.query.user }}"}}
    assert (await create(mock, script("jinja", reply))).status_code == 201
    url = ws_url(mock, "/echo?user=bo")
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        await ws.send_str('{"n": 21}')
        assert json.loads(await ws.receive_str()) == {"double": "42", "who": "bo"}
        await ws.send_bytes(b'{"n": 1}')  # a binary frame: its bytes as UTF-8
        assert json.loads(await ws.receive_str()) == {"double": "2", "who": "bo"}


async def test_a_text_without_expressions_is_sent_as_written(mock: MockServer) -> None:
    reply = {"text": "plain {not a template}"}
    assert (await create(mock, script("response-template", reply))).status_code == 201
    async with websockets.connect(ws_url(mock, "/echo")) as ws:
        await ws.send("x")
        assert await ws.recv() == "plain {not a template}"


async def test_a_render_failure_is_sent_instead_of_the_reply_and_the_connection_goes_on(
    mock: MockServer,
) -> None:
    mapping = {
        "request": {"urlPath": "/echo"},
        "webSocket": {
            "transformers": ["jinja"],
            "onMessage": [
                {"match": {"equalTo": "bad"}, "reply": [{"text": "{{ message.json.a.b }}"}]},
                {"match": {"equalTo": "ok"}, "reply": [{"text": "{{ message.body }}!"}]},
            ],
        },
    }
    assert (await create(mock, mapping)).status_code == 201
    async with websockets.connect(ws_url(mock, "/echo")) as ws:
        await ws.send("bad")
        failed = await ws.recv()
        assert isinstance(failed, str)
        assert failed.startswith("mockbdd: jinja template /webSocket/onMessage/0/reply/0/text:")
        await ws.send("ok")
        assert await ws.recv() == "ok!"
    async with httpx.AsyncClient(base_url=mock.url) as http:
        out = (await http.get("/__admin/websockets", params={"direction": "out"})).json()
    assert [m["text"] for m in out["messages"]] == [failed, "ok!"]


@pytest.mark.parametrize(
    ("webSocket", "pointer", "reason"),
    [
        ({"transformers": ["response-template"],
          "onMessage": [{"match": {"contains": "a"}, "reply": [{"text": "{{#if}}"}]}]},
         "/webSocket/onMessage/0/reply/0/text", "the template does not compile"),
        ({"transformers": ["jinja"], "onConnect": [{"json": {"a": "{{ x "}}]},
         "/webSocket/onConnect/0/json", "the template does not compile: line 1"),
        ({"transformers": ["nope"], "onConnect": [{"text": "x"}]}, "/webSocket/transformers/0",
         "must be one of the registered message template transformers (jinja, "
         "response-template), got 'nope'"),
        ({"transformers": ["openai-chat"], "onConnect": [{"text": "x"}]},
         "/webSocket/transformers/0", "got 'openai-chat' ('openai-chat' renders HTTP answers only)"),
        ({"transformers": ["jinja", "response-template"], "onConnect": [{"text": "x"}]},
         "/webSocket/transformers/1", "give one template transformer for the messages"),
    ],
)  # fmt: skip
async def test_bad_templates_are_refused_with_the_field(
    mock: MockServer, webSocket: dict[str, Any], pointer: str, reason: str
) -> None:
    answer = await create(mock, {"request": {"urlPath": "/x"}, "webSocket": webSocket})
    assert answer.status_code == 422, answer.text
    error = answer.json()["errors"][0]
    assert error["source"]["pointer"] == pointer, error
    assert reason in error["title"], error
