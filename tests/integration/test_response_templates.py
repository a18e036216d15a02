"""``response-template`` over real sockets: WireMock's mappings with templates work unchanged,
templates compile once per stub (a broken one is refused at creation), a render error is a
500 naming the template and journaled, and ``--global-response-templating`` renders every stub."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockbdd.config import ServerConfig
from mockbdd.server.embedded import MockServer
from mockbdd.server.runner import MockHttpServer
from mockbdd.templating.handlebars import Compiler


def _stub(client: httpx.Client, response: dict[str, Any], **request: Any) -> httpx.Response:
    body = {"request": request, "response": {"transformers": ["response-template"], **response}}
    return client.post("/__admin/mappings", json=body)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with MockServer() as server, httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


def test_request_model_in_body_headers_and_json_body(http: httpx.Client) -> None:
    created = _stub(
        http,
        {
            "jsonBody": {"id": "{{request.path.id}}", "q": "{{request.query.q}}"},
            "headers": {"X-Method": "{{request.method}}", "X-Fixed": "plain"},
        },
        urlPathTemplate="/users/{id}",
    )
    assert created.status_code == 201
    answer = http.get("/users/42?q=find")
    assert answer.json() == {"id": "42", "q": "find"}
    assert answer.headers["X-Method"] == "GET"
    assert answer.headers["X-Fixed"] == "plain"
    assert answer.headers["Content-Type"] == "application/json"


def test_the_wiremock_docs_block_params_example(http: httpx.Client) -> None:
    template = (
        "{{#each (jsonPath request.body '$.items') as |item|}}"
        "{{item.id}}:{{item.name}}{{#unless @last}},{{/unless}}{{/each}}"
    )
    _stub(http, {"body": template}, method="POST", url="/items")
    answer = http.post("/items", json={"items": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]})
    assert answer.text == "1:a,2:b"


def test_transformer_parameters_are_parameters(http: httpx.Client) -> None:
    _stub(
        http,
        {
            "body": "{{parameters.greeting}}, {{parameters.who.name}}",
            "transformerParameters": {"greeting": "Hello", "who": {"name": "Ada"}},
        },
        url="/hello",
    )
    assert http.get("/hello").text == "Hello, Ada"


def test_a_template_that_does_not_compile_is_refused_at_creation(http: httpx.Client) -> None:
    refused = _stub(http, {"body": "line one\n{{#each request.query}}"}, url="/broken")
    assert refused.status_code == 422
    title = refused.json()["errors"][0]["title"]
    assert "response-template" in title
    assert "line 2" in title
    assert "{{#each}} is not closed" in title
    assert http.get("/__admin/mappings").json()["meta"]["total"] == 0  # nothing half-applied


def test_a_render_error_is_a_500_naming_the_template_and_journaled(http: httpx.Client) -> None:
    _stub(http, {"headers": {"X-N": "{{math 1 '/' 0}}"}, "body": "ok"}, url="/div")
    answer = http.get("/div")
    assert answer.status_code == 500
    assert answer.text == "[ERROR] headers/X-N:line 1: math: Division by zero"
    assert "Traceback" not in answer.text
    journal = http.get("/__admin/requests").json()["requests"]
    assert journal[0]["response"]["status"] == 500
    assert "Division by zero" in journal[0]["response"]["body"]


def test_sandbox_over_http(http: httpx.Client) -> None:
    _stub(
        http,
        {
            "body": "[{{request.__class__}}{{request.body.__class__.__mro__}}{{request.headers.__dict__}}]"
        },
        url="/escape",
    )
    assert http.get("/escape").text == "[]"


def test_templates_compile_once_per_stub_never_per_request(
    http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled: list[str] = []
    original = Compiler.compile

    def counting(self: Compiler, source: str, name: str = "") -> Any:
        compiled.append(source)
        return original(self, source, name)

    monkeypatch.setattr(Compiler, "compile", counting)
    _stub(
        http,
        {"body": "{{request.path.[0]}}", "headers": {"X-A": "{{request.method}}"}},
        urlPathPattern="/c/.*",
    )
    assert len(compiled) == 2
    for i in range(5):
        assert http.get(f"/c/{i}").text == "c"
    assert len(compiled) == 2


def test_a_stub_without_expressions_stays_static(http: httpx.Client) -> None:
    created = _stub(http, {"body": "no templates"}, url="/static")
    assert created.json()["response"]["transformers"] == ["response-template"]  # as given
    assert http.get("/static").text == "no templates"


async def test_global_response_templating_renders_every_stub() -> None:
    server = MockHttpServer(ServerConfig(port=0, global_response_templating=True))
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.origin(), timeout=10) as client:
            stub = {
                "request": {"urlPathPattern": "/g/.*"},
                "response": {"body": "{{request.path.[1]}}"},
            }
            assert (await client.post("/__admin/mappings", json=stub)).status_code == 201
            assert (await client.get("/g/rendered")).text == "rendered"
    finally:
        await server.stop()


def test_without_global_templating_a_plain_stub_is_served_as_written(http: httpx.Client) -> None:
    http.post(
        "/__admin/mappings",
        json={"request": {"url": "/raw"}, "response": {"body": "{{request.url}}"}},
    )
    assert http.get("/raw").text == "{{request.url}}"


def test_mockbdd_lint_names_a_tag_map_template_that_does_not_compile(tmp_path: Any) -> None:
    import subprocess
    import sys

    (tmp_path / "tag_maps").mkdir()
    (tmp_path / "features").mkdir()
    (tmp_path / "tag_maps" / "t.yaml").write_text(
        "version: 1\nmaps:\n  tpl:\n    services:\n      users:\n"
        "        - request: {method: GET, urlPath: /u}\n"
        '          response: {status: 200, body: "{{#each x}}", transformers: [response-template]}\n'
    )
    (tmp_path / "features" / "a.feature").write_text(
        'Feature: f\n  @mock:tpl\n  Scenario: s\n    Given "users" responds to GET /u with status 200\n'
    )
    result = subprocess.run(
        [sys.executable, "-m", "mockbdd", "lint", "features", "--tag-maps", "tag_maps"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "tag_maps/t.yaml:7:" in result.stdout
    assert "response-template: body:line 1: {{#each}} is not closed" in result.stdout


def test_body_files_are_templates_and_their_names_too(tmp_path: Any) -> None:
    (tmp_path / "user-7.json").write_text(
        '{"id": {{request.path.[1]}}, "q": "{{request.query.q}}"}'
    )
    (tmp_path / "raw.txt").write_text("{{request.path}}")
    (tmp_path / "bad.txt").write_text("{{#if x}}")
    with (
        MockServer(files=tmp_path) as server,
        httpx.Client(base_url=server.url, timeout=10) as http,
    ):
        _stub(http, {"bodyFileName": "user-{{request.path.[1]}}.json"}, urlPathPattern="/users/.*")
        _stub(
            http,
            {
                "bodyFileName": "raw.txt",
                "transformerParameters": {"disableBodyFileTemplating": True},
            },
            url="/raw",
        )
        _stub(http, {"bodyFileName": "bad.txt"}, url="/bad")
        _stub(http, {"bodyFileName": "{{request.query.f}}"}, urlPath="/escape")
        for _ in range(2):
            assert http.get("/users/7?q=x").json() == {"id": 7, "q": "x"}
        assert http.get("/users/8").status_code == 500  # no such file
        assert http.get("/raw").text == "{{request.path}}"
        bad = http.get("/bad")
        assert bad.status_code == 500
        assert bad.text.startswith("[ERROR] bodyFile:line 1: {{#if}} is not closed")
        assert http.get("/escape?f=../../etc/passwd").status_code == 500  # never leaves the root
