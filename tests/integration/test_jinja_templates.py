"""The ``jinja`` transformer over real sockets: the sandbox holds, data is seeded per
namespace and request, errors name the template, line and reason, and templates compile once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockbdd.server.embedded import MockServer


def _stub(http: httpx.Client, url: str, body: str, **response: Any) -> httpx.Response:
    mapping = {
        "request": {"urlPath": url},
        "response": {"body": body, "transformers": ["jinja"], **response},
    }
    return http.post("/__admin/mappings", json=mapping)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with MockServer(seed=7) as server, httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


def test_fields_read_as_attributes_and_the_models_methods_stay_methods(http: httpx.Client) -> None:
    """``request.query.name`` is the field; ``request.query.get`` stays the method even when a
    query parameter is called ``get`` (the model's fields are looked up as items first only
    where its class defines nothing of that name)."""
    body = (
        "{{ request.query.name }}|{{ request.query.get('get') }}|{{ request.query.nothing }}|"
        "{{ request.headers.get('x-a') }}|{{ request.headers['X-A'] }}|{{ request.json.name }}|"
        "{{ request.json.items() | list | length }}|{{ request.json.missing is undefined }}"
    )
    assert _stub(http, "/fields", body).status_code == 201
    answer = http.request(
        "GET",
        "/fields",
        params={"name": "Ada", "get": "g"},
        headers={"X-A": "1"},
        json={"name": "Zoe", "items": 3},
    )
    assert answer.text == "Ada|g||1|1|Zoe|2|True"


def test_request_model_json_helpers_and_state(http: httpx.Client) -> None:
    body = (
        "{{ request.method }} {{ request.path }} {{ request.pathSegments[1] }} "
        "{{ request.query.q }} {{ request.json['items'] | length }} "
        "{{ jsonPath(request.body, '$.items[0].id') }} {{ parameters.tag }}"
        "{{ state.set('seen', request.json['items'][1].id) }}"
    )
    assert _stub(http, "/orders/x", body, transformerParameters={"tag": "!"}).status_code == 201
    assert _stub(http, "/seen", "{{ state.get('seen', 'none') }}").status_code == 201
    assert http.get("/seen").text == "none"
    answer = http.post("/orders/x?q=find", json={"items": [{"id": 1}, {"id": 2}]})
    assert answer.text == "POST /orders/x x find 2 1 !"
    assert http.get("/seen").text == "2"
    http.post("/__admin/reset")
    _stub(http, "/seen", "{{ state.get('seen', 'none') }}")
    assert http.get("/seen").text == "none"  # reset clears the store


def _data(url: str) -> list[str]:
    with MockServer(seed=7) as server, httpx.Client(base_url=server.url, timeout=10) as http:
        _stub(
            http,
            url,
            "{{ faker.name() }}|{{ uuid() }}|{{ random.randint(1, 10**9) }}|{{ now('%Y') }}",
        )
        return [http.get(url).text for _ in range(3)]


def test_faker_uuid_and_random_are_the_same_for_the_same_seed() -> None:
    first, second = _data("/people"), _data("/people")
    assert first == second
    assert len(set(first)) == 3  # per request: each answer differs
    name, uuid, number, year = first[0].split("|")
    assert len(uuid) == 36
    assert uuid[14] == "4"
    assert int(number) >= 1
    assert len(year) == 4
    assert name


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ request.__class__ }}",
        "{{ request._request }}",
        "{{ (request|attr('__class__')).__mro__ }}",
        "{{ uuid.__globals__ }}",
        "{{ '{0.__class__}'.format(1) }}",
        "{{ '%s'|format(request.__class__) }}",
        "{{ range(10**9)|list }}",
        "{{ faker.random.__class__ }}",
        "{{ faker._jinja }}{{ random._draws._context }}{{ random.__class__ }}{{ random }}",
        "{% for x in range(100000) %}{% for y in range(100000) %}x{% endfor %}{% endfor %}",
    ],
)
def test_the_sandbox_holds(http: httpx.Client, template: str) -> None:
    assert _stub(http, "/escape", template).status_code == 201
    answer = http.get("/escape")
    assert "class" not in answer.text.replace("'__class__'", "")
    assert "<" not in answer.text  # no repr of anything
    assert "Traceback" not in answer.text
    assert answer.status_code in (200, 500)


def test_a_syntax_error_is_refused_at_creation_with_line_and_reason(http: httpx.Client) -> None:
    refused = _stub(http, "/bad", "ok\n{% for x in y %}")
    assert refused.status_code == 422
    title = refused.json()["errors"][0]["title"]
    assert title.startswith("jinja: body:line 2: ")
    assert "endfor" in title


def test_a_render_error_is_a_500_naming_template_and_line_and_journaled(http: httpx.Client) -> None:
    _stub(http, "/boom", "one\ntwo {{ 1 // 0 }}")
    answer = http.get("/boom")
    assert answer.status_code == 500
    assert (
        answer.text
        == "mockbdd: jinja template body:line 2: ZeroDivisionError: integer division or modulo by zero\n"
    )
    logged = http.get("/__admin/requests").json()["requests"][0]["response"]
    assert logged["status"] == 500
    assert "ZeroDivisionError" in logged["body"]


def test_the_output_is_capped(http: httpx.Client) -> None:
    _stub(http, "/big", "{% for x in range(100000) %}{{ 'x' * 1000 }}{% endfor %}")
    answer = http.get("/big")
    assert answer.status_code == 500
    assert "the output grew past" in answer.text


def test_headers_are_templates_too(http: httpx.Client) -> None:
    _stub(http, "/h", "ok", headers={"X-Id": "{{ request.query.id }}", "X-Plain": "p"})
    answer = http.get("/h?id=9")
    assert (answer.headers["X-Id"], answer.headers["X-Plain"]) == ("9", "p")


def test_a_render_reads_only_the_names_it_uses_and_one_answer_shares_its_draws(
    http: httpx.Client,
) -> None:
    """A template's context holds the names Jinja finds it reading: an unknown one is
    undefined, one it sets shadows the model's, a loop's and a macro's resolve; the body and
    the headers of one answer draw from one seeded ``random`` (the header's is the next draw)."""
    body = (
        "[{{ nothing }}]{% set state = 'mine' %}{{ state }} "
        "{% macro m(x) %}{{ x }}{{ request.method }}{% endmacro %}{{ m(1) }} "
        "{% for q in range(2) %}{{ loop.index }}{% endfor %} {{ random.random() }}"
    )
    _stub(http, "/names", body, headers={"X-Draw": "{{ random.random() }}"})
    answer = http.get("/names")
    text, draw = answer.text.rsplit(" ", 1)
    assert text == "[]mine 1GET 12"
    # one seed per request: were the draws not shared, both would be its first draw
    assert draw != answer.headers["X-Draw"]


def test_crud_reads_the_namespace_collections(http: httpx.Client) -> None:
    put = http.put(
        "/__admin/collections/users", json=[{"id": 1, "name": "Ada"}, {"id": 2, "name": "Bo"}]
    )
    assert put.status_code in (200, 204), put.text
    _stub(
        http,
        "/who",
        "{{ crud.get('users', 1).name }} {{ crud.list('users')|length }} {{ crud.get('users', 9) }} {{ crud.list('none') }}",
    )
    assert http.get("/who").text == "Ada 2 None []"
