"""The fluent stub builder and service prefixing: the JSON they produce, and the server serving it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from mockbdd.client import (
    Client,
    a_response,
    absent,
    any_method,
    containing,
    delete,
    equal_to,
    equal_to_json,
    get,
    in_scenario,
    matching,
    matching_json_path,
    not_found,
    ok,
    patch,
    post,
    put,
    responses_in_order,
    server_error,
    stub_for,
    url_equal_to,
    url_path_template,
)
from mockbdd.server.embedded import MockServer
from mockbdd.services import prefix_mapping, service_path


@pytest.fixture
def client(server: MockServer) -> Iterator[Client]:
    with Client(server.url) as c:
        yield c


def test_builder_produces_wiremock_json() -> None:
    mapping = stub_for(
        get("/x")
        .with_header("Accept", equal_to("application/json"))
        .with_query_param("q", matching("a.*"))
        .with_json_body({"a": 1})
        .will_return(
            a_response().with_status(200).with_json_body({"ok": True}).with_fixed_delay(100)
        )
    )
    assert mapping == {
        "request": {
            "method": "GET",
            "urlPath": "/x",
            "headers": {"Accept": {"equalTo": "application/json"}},
            "queryParameters": {"q": {"matches": "a.*"}},
            "bodyPatterns": [{"equalToJson": {"a": 1}}],
        },
        "response": {"status": 200, "jsonBody": {"ok": True}, "fixedDelayMilliseconds": 100},
    }


def test_builder_methods_and_shortcuts() -> None:
    assert [b.build()["request"]["method"] for b in (post("/"), put("/"), delete("/"))] == [
        "POST",
        "PUT",
        "DELETE",
    ]
    assert patch("/").build()["request"]["method"] == "PATCH"
    assert any_method("/").build()["request"]["method"] == "ANY"
    assert get(url_equal_to("/a?b=1")).build()["request"] == {"method": "GET", "url": "/a?b=1"}
    assert get("/a").build()["response"] == {"status": 200}
    assert not_found().build() == {"status": 404}
    assert server_error().build() == {"status": 500}
    assert ok("hi").build() == {"status": 200, "body": "hi"}
    assert equal_to("A", case_insensitive=True) == {"equalTo": "A", "caseInsensitive": True}
    assert absent() == {"absent": True}
    assert equal_to_json([1], ignore_array_order=True, ignore_extra_elements=True) == {
        "equalToJson": [1],
        "ignoreArrayOrder": True,
        "ignoreExtraElements": True,
    }
    assert matching_json_path("$.a") == {"matchesJsonPath": "$.a"}
    assert matching_json_path("$.a", containing("b")) == {
        "matchesJsonPath": {"expression": "$.a", "contains": "b"}
    }
    seq = post("/c").will_return(
        responses_in_order(server_error().times(2), ok(), when_exhausted="loop")
    )
    assert seq.build()["responses"] == [{"status": 500, "times": 2}, {"status": 200}]
    assert seq.build()["whenExhausted"] == "loop"
    scenario = get("/s").in_scenario(in_scenario("flow").will_set_state_to("b")).build()
    assert scenario["scenarioName"] == "flow"
    assert scenario["newScenarioState"] == "b"
    assert "requiredScenarioState" not in scenario
    with pytest.raises(ValueError, match="in_scenario"):
        get("/s").when_scenario_state_is("x")


def test_built_stub_is_served(client: Client, server: MockServer) -> None:
    client.create_stub(
        post("/orders")
        .with_header("Accept", equal_to("application/json"))
        .with_header("X-Debug", absent())
        .with_query_param("q", matching("a.*"))
        .with_json_body({"item": "book"}, ignore_extra_elements=True)
        .will_return(
            a_response()
            .with_status(201)
            .with_header("X-Id", "7")
            .with_json_body({"id": 7})
            .with_fixed_delay(10)
        )
    )
    with httpx.Client(base_url=server.url) as http:
        good = http.post(
            "/orders?q=abc",
            json={"item": "book", "qty": 1},
            headers={"Accept": "application/json"},
        )
        assert (good.status_code, good.headers["X-Id"], good.json()) == (201, "7", {"id": 7})
        assert http.post("/orders?q=zzz", json={"item": "book"}).status_code == 404
        debug = {"Accept": "application/json", "X-Debug": "1"}
        assert http.post("/orders?q=a", json={"item": "book"}, headers=debug).status_code == 404


def test_response_sequence_and_template_url(client: Client, server: MockServer) -> None:
    client.create_stub(
        post("/charge").will_return(responses_in_order(server_error().times(2), ok("paid")))
    )
    client.create_stub(get(url_path_template("/items/{id}")).with_path_param("id", "42"))
    with httpx.Client(base_url=server.url) as http:
        assert [http.post("/charge").status_code for _ in range(4)] == [500, 500, 200, 200]
        assert http.get("/items/42").status_code == 200
        assert http.get("/items/41").status_code == 404


def test_prefix_mapping_each_url_field() -> None:
    def prefixed(request: dict[str, str]) -> dict[str, str]:
        mapping = {"request": {"method": "GET", **request}, "response": {"status": 200}}
        out = prefix_mapping(mapping, "pay.v1")
        assert out["response"] == {"status": 200}
        assert mapping["request"] == {"method": "GET", **request}  # the input is not changed
        return dict(out["request"])

    esc = re.escape("/pay.v1")
    assert prefixed({"url": "/a?b=1"})["url"] == "/pay.v1/a?b=1"
    assert prefixed({"urlPath": "/a"})["urlPath"] == "/pay.v1/a"
    assert prefixed({"urlPathTemplate": "/a/{id}"})["urlPathTemplate"] == "/pay.v1/a/{id}"
    assert prefixed({"urlPattern": "/a.*"})["urlPattern"] == esc + "/a.*"
    assert prefixed({"urlPattern": "^/a.*"})["urlPattern"] == "^" + esc + "/a.*"
    assert prefixed({"urlPathPattern": "/a/[0-9]+"})["urlPathPattern"] == esc + "/a/[0-9]+"
    assert prefixed({"urlPathPattern": "^/a"})["urlPathPattern"] == "^" + esc + "/a"
    assert prefixed({}) == {"method": "GET", "urlPathPattern": esc + "(/.*)?"}
    assert esc == "/pay\\.v1"
    with pytest.raises(ValueError, match="must start with '/'"):
        prefix_mapping({"request": {"urlPath": "a"}}, "pay")
    with pytest.raises(ValueError, match="service name"):
        prefix_mapping({"request": {}}, "a/b")


def test_service_path() -> None:
    assert service_path("payments", "/v1/charges") == "/payments/v1/charges"
    assert service_path("payments", "v1") == "/payments/v1"
    assert service_path("payments", "") == "/payments"
    assert service_path(None, "/x") == "/x"
    assert service_path("", "x") == "/x"
