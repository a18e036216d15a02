"""mockbdd.admin.tag_map_tasks over real sockets: what applying a tag map refuses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mockbdd.server.embedded import MockServer

MAPS = """\
version: 1
maps:
  payments_slow:
    params: {delay: {type: duration, default: 2s}}
    services:
      payments:
        - request: {method: POST, path: /v1/charges}
          response: {status: 200, delay: "{delay}"}
  with_data:
    data: {orders: [{id: 1}]}
    services:
      orders:
        - request: {path: /v1/orders}
          response: {status: 200}
  chaotic:
    settings: {chaos: {errorRate: 1.5}}
    services:
      orders:
        - request: {path: /v1/orders}
          response: {status: 200}
"""


@pytest.fixture
def http(tmp_path: Path) -> Iterator[httpx.Client]:
    (tmp_path / "shop.yaml").write_text(MAPS)
    with MockServer(tag_maps=tmp_path) as server, httpx.Client(base_url=server.url) as client:
        yield client


def error(response: httpx.Response) -> tuple[int, str, str]:
    first = response.json()["errors"][0]
    return response.status_code, first["source"]["pointer"], first["title"]


def test_params_must_be_an_object(http: httpx.Client) -> None:
    refused = http.post("/__admin/tag-maps/payments_slow/apply", json={"params": ["300ms"]})
    assert error(refused) == (422, "/params", "must be an object of parameter values")
    assert http.get("/__admin/mappings").json()["mappings"] == []


def test_an_unknown_param_is_refused_naming_the_known_ones(http: httpx.Client) -> None:
    refused = http.post("/__admin/tag-maps/payments_slow/apply", json={"params": {"dealy": "1s"}})
    status, pointer, title = error(refused)
    assert (status, pointer) == (422, "/params")
    assert "dealy" in title
    assert "delay" in title
    assert http.get("/__admin/mappings").json()["mappings"] == []


def test_a_map_with_crud_data_serves_it_under_its_service(http: httpx.Client) -> None:
    opened = http.post("/__admin/namespaces", json={"name": "n", "tagMaps": ["with_data"]})
    assert opened.status_code == 201, opened.text
    assert http.get("/__ns/n/orders/orders/1").json() == {"id": 1}
    assert http.post("/__ns/n/orders/orders", json={}).json() == {"id": 2}
    assert http.post("/__ns/n/__admin/reset").status_code == 200
    assert http.get("/__ns/n/__admin/collections/orders").json()["items"] == [{"id": 1}]


def test_a_map_with_settings_the_server_refuses_is_refused_naming_them(http: httpx.Client) -> None:
    refused = http.post("/__admin/namespaces", json={"name": "n", "tagMaps": ["chaotic"]})
    status, pointer, title = error(refused)
    assert (status, pointer) == (400, "/tagMaps/settings")
    assert "/chaos/errorRate" in title
    assert http.get("/__ns/n/orders/v1/orders").status_code == 404
