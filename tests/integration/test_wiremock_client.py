"""The official ``wiremock`` client from PyPI drives mockbdd unchanged: root and namespace admin."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from wiremock.constants import Config
from wiremock.resources.mappings import Mapping, MappingRequest, MappingResponse
from wiremock.resources.mappings.resource import Mappings
from wiremock.resources.near_misses import NearMissMatchPatternRequest
from wiremock.resources.requests.resource import Requests
from wiremock.resources.scenarios.resource import Scenarios

from mockbdd.server.embedded import MockServer


@pytest.fixture
def wiremock_at(server: MockServer) -> Iterator[MockServer]:
    saved = Config.base_url
    Config.base_url = f"{server.url}/__admin"
    try:
        yield server
    finally:
        Config.base_url = saved


def test_mappings_requests_count_find_reset(wiremock_at: MockServer) -> None:
    created = Mappings.create_mapping(
        Mapping(
            priority=1,
            request=MappingRequest(method="GET", url="/api/users/1"),
            response=MappingResponse(status=200, json_body={"id": 1, "name": "Ada"}),
            persistent=False,
        )
    )
    assert created.id
    assert httpx.get(f"{wiremock_at.url}/api/users/1").json() == {"id": 1, "name": "Ada"}
    everything = Mappings.retrieve_all_mappings()
    assert everything.meta.total == 1
    assert everything.mappings[0].request.url == "/api/users/1"
    assert Mappings.retrieve_mapping(created.id).response.status == 200

    received = Requests.get_all_received_requests()
    assert received.meta.total == 1
    assert received.requests[0].request.url == "/api/users/1"
    count = Requests.get_matching_request_count(
        NearMissMatchPatternRequest(method="GET", url="/api/users/1")
    )
    assert count.count == 1
    found = Requests.get_matching_requests(
        NearMissMatchPatternRequest(method="GET", url="/api/users/1")
    )
    assert found.requests[0].method == "GET"

    Requests.reset_request_journal()
    assert Requests.get_all_received_requests().meta.total == 0
    Mappings.delete_all_mappings()
    assert Mappings.retrieve_all_mappings().meta.total == 0


def test_scenarios(wiremock_at: MockServer) -> None:
    Mappings.create_mapping(
        Mapping(
            scenario_name="s",
            required_scenario_state="Started",
            new_scenario_state="next",
            request=MappingRequest(method="POST", url="/go"),
            response=MappingResponse(status=204),
        )
    )
    assert httpx.post(f"{wiremock_at.url}/go").status_code == 204
    assert httpx.post(f"{wiremock_at.url}/go").status_code == 404  # state is now "next"
    Scenarios.reset_all_scenarios()
    assert httpx.post(f"{wiremock_at.url}/go").status_code == 204


def test_client_scoped_to_a_namespace(server: MockServer) -> None:
    httpx.post(f"{server.url}/__admin/namespaces", json={"name": "scoped"})
    saved = Config.base_url
    Config.base_url = f"{server.url}/__ns/scoped/__admin"
    try:
        Mappings.create_mapping(
            Mapping(
                request=MappingRequest(method="GET", url="/only-here"),
                response=MappingResponse(status=200),
            )
        )
        assert Mappings.retrieve_all_mappings().meta.total == 1
    finally:
        Config.base_url = saved
    assert httpx.get(f"{server.url}/__ns/scoped/only-here").status_code == 200
    assert httpx.get(f"{server.url}/only-here").status_code == 404
    assert httpx.get(f"{server.url}/__admin/mappings").json()["meta"]["total"] == 0
