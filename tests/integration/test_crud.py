"""CRUD collections over real sockets: the ``crud`` transformer with both json-server
conventions, schemas, relations, the admin collection routes, reset, and concurrent creates."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockbdd import Client
from mockbdd.server.embedded import MockServer

USERS = [
    {"id": 1, "name": "Ada", "age": 36, "team": "eng"},
    {"id": 2, "name": "Grace", "age": 45, "team": "eng"},
    {"id": 3, "name": "Linus", "age": 21, "team": "ops"},
    {"id": 4, "name": "Barbara", "age": 17, "team": "ops"},
    {"id": 5, "name": "Alan", "age": 41, "team": "eng"},
]
ORDERS = [
    {"id": 10, "userId": 1, "total": 5},
    {"id": 11, "userId": 1, "total": 7},
    {"id": 12, "userId": 2, "total": 9},
]
SCHEMA = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
}


def crud_stub(name: str) -> dict[str, Any]:
    return {
        "request": {"urlPathPattern": f"/{name}(/[^/]+)?"},
        "response": {"transformers": ["crud"], "transformerParameters": {"collection": name}},
    }


@pytest.fixture
def api(server: MockServer, http: httpx.Client) -> httpx.Client:
    for name in ("users", "orders"):
        assert http.post("/__admin/mappings", json=crud_stub(name)).status_code == 201
    users = {"items": USERS, "schema": SCHEMA, "relations": {"orders": "userId"}}
    assert http.put("/__admin/collections/users", json=users).status_code == 200
    assert http.put("/__admin/collections/orders", json=ORDERS).status_code == 200
    return http


def names(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [u["name"] for u in response.json()]


def test_classic_filters_sort_and_pages(api: httpx.Client) -> None:
    assert names(api.get("/users?team=eng&_sort=age&_order=desc")) == ["Grace", "Alan", "Ada"]
    assert names(api.get("/users?age_gte=21&age_lte=41&_sort=age")) == ["Linus", "Ada", "Alan"]
    assert names(api.get("/users?team_ne=eng")) == ["Linus", "Barbara"]
    assert names(api.get("/users?name_like=^a")) == ["Ada", "Alan"]
    assert names(api.get("/users?name=Ada&name=Alan")) == ["Ada", "Alan"]  # repeated: OR
    assert names(api.get("/users?q=barb")) == ["Barbara"]
    assert names(api.get("/users?_sort=team,age&_order=asc,desc")) == [
        "Grace", "Alan", "Ada", "Linus", "Barbara",
    ]  # fmt: skip
    page = api.get("/users?_sort=id&_page=2&_limit=2")
    assert names(page) == ["Linus", "Barbara"]
    assert page.headers["X-Total-Count"] == "5"
    links = page.headers["Link"]
    for rel, number in (("first", 1), ("prev", 1), ("next", 3), ("last", 3)):
        assert f'_page={number}&_sort=id&_limit=2>; rel="{rel}"' in links, links
    assert api.get("/users?_start=1&_end=3").json()[0]["name"] == "Grace"
    assert len(api.get("/users?_start=1&_limit=3").json()) == 3


def test_v1_beta_convention(api: httpx.Client) -> None:
    assert names(api.get("/users?age:gt=36&_sort=-age")) == ["Grace", "Alan"]
    assert names(api.get("/users?age_lt=21")) == ["Barbara"]
    paged = api.get("/users?_sort=id&_page=2&_per_page=2").json()
    assert [u["id"] for u in paged["data"]] == [3, 4]
    assert {k: v for k, v in paged.items() if k != "data"} == {
        "first": 1, "prev": 1, "next": 3, "last": 3, "pages": 3, "items": 5,
    }  # fmt: skip


def test_create_read_replace_patch_delete(api: httpx.Client) -> None:
    created = api.post("/users", json={"name": "Edsger", "age": 72})
    assert created.status_code == 201
    assert created.json() == {"name": "Edsger", "age": 72, "id": 6}
    assert created.headers["Location"] == "/users/6"
    assert api.get("/users/6").json()["name"] == "Edsger"
    assert api.put("/users/6", json={"name": "E. W. Dijkstra"}).json() == {
        "name": "E. W. Dijkstra", "id": 6,
    }  # fmt: skip
    assert api.patch("/users/6", json={"age": 72}).json()["age"] == 72
    assert api.delete("/users/6").status_code == 200
    missing = api.get("/users/6")
    assert missing.status_code == 404
    assert "no users with id '6'" in missing.json()["error"]
    assert api.post("/users", json={"id": 1, "name": "twin"}).status_code == 409


def test_schema_violations_are_400_with_the_pointer_and_change_nothing(api: httpx.Client) -> None:
    bad = api.post("/users", json={"name": "Kid", "age": -1})
    assert bad.status_code == 400
    assert bad.json()["pointer"] == "/age"
    assert "minimum" in bad.json()["error"] or "-1" in bad.json()["error"]
    patched = api.patch("/users/1", json={"name": 7})
    assert (patched.status_code, patched.json()["pointer"]) == (400, "/name")
    assert api.get("/users/1").json()["name"] == "Ada"
    assert api.get("/users").headers["X-Total-Count"] == "5"
    not_json = api.post("/users", content=b"nope", headers={"Content-Type": "application/json"})
    assert not_json.status_code == 400
    refused = api.put("/__admin/collections/users", json={"items": [{"age": 3}], "schema": SCHEMA})
    assert refused.status_code in (400, 422)
    assert "/items/0" in refused.text
    assert len(api.get("/__admin/collections/users").json()["items"]) == 5


def test_embed_expand_and_cascading_delete(api: httpx.Client) -> None:
    ada = api.get("/users/1?_embed=orders").json()
    assert [o["id"] for o in ada["orders"]] == [10, 11]
    listed = api.get("/users?_embed=orders&_sort=id&_limit=2").json()
    assert [len(u["orders"]) for u in listed] == [2, 1]
    order = api.get("/orders/12?_expand=user").json()
    assert order["user"]["name"] == "Grace"
    assert api.get("/orders?_expand=user").json()[0]["user"]["id"] == 1
    assert api.delete("/users/1?_dependent=orders").status_code == 200
    assert [o["id"] for o in api.get("/orders").json()] == [12]
    assert api.delete("/users/2?_dependent=nothing").status_code == 400


def test_admin_collections_and_reset(server: MockServer) -> None:
    with Client(server.url) as admin:
        ns = admin.create_namespace(
            mappings=[crud_stub("users")],
            collections={"users": {"items": USERS[:2], "schema": SCHEMA}},
        )
        url = ns.url()
        with httpx.Client(base_url=url) as http:
            assert http.post("/users", json={"name": "New"}).json()["id"] == 3
            assert http.delete("/users/1").status_code == 200
            assert [u["id"] for u in ns.admin.collection("users")] == [2, 3]
            ns.reset()  # back to the data the namespace opened with
            assert [u["id"] for u in http.get("/users").json()] == [1, 2]
            ns.admin.clear_collection("users")
            assert http.get("/users").json() == []
            assert ns.admin.collections() == [
                {"name": "users", "idField": "id", "schema": SCHEMA, "total": 0}
            ]
            ns.admin.set_collection("users", [{"name": "Solo"}])
            assert http.get("/users").json() == [{"name": "Solo", "id": 1}]
        ns.close()
        missing = httpx.get(server.url + "/__admin/collections/nope")
        assert missing.status_code == 404
        assert "no collection named 'nope'" in missing.text


def test_string_ids_stay_strings(api: httpx.Client) -> None:
    assert api.put("/__admin/collections/tags", json=[{"id": "a"}, {"id": "7"}]).status_code == 200
    assert api.post("/__admin/mappings", json=crud_stub("tags")).status_code == 201
    assert api.post("/tags", json={}).json()["id"] == "8"
    assert api.get("/tags/7").json() == {"id": "7"}


async def test_concurrent_creates_get_distinct_ids(server: MockServer) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        await http.post("/__admin/mappings", json=crud_stub("events"))
        replies = await asyncio.gather(*(http.post("/events", json={"n": i}) for i in range(50)))
        ids = [r.json()["id"] for r in replies]
        assert len(set(ids)) == 50
        assert (await http.get("/events")).headers["X-Total-Count"] == "50"


def test_bad_queries_and_parameters_are_refused_in_mockbdds_voice(api: httpx.Client) -> None:
    assert api.get("/users?_page=0").status_code == 400
    assert "_order" in api.get("/users?_sort=age&_order=up").json()["error"]
    assert api.get("/users?name_like=(").status_code == 400
    assert api.delete("/users").status_code == 405
    stub = {"request": {"urlPath": "/x"}, "response": {"transformers": ["crud"]}}
    refused = api.post("/__admin/mappings", json=stub)
    assert refused.status_code == 422
    assert "collection" in refused.text


def test_mockbdd_lint_names_bad_collections_in_tag_maps_by_line(tmp_path: Path) -> None:
    (tmp_path / "tag_maps").mkdir()
    (tmp_path / "features").mkdir()
    (tmp_path / "tag_maps" / "m.yaml").write_text(
        "version: 1\nmaps:\n  data_only:\n    data:\n      users: [{id: 1}]\n"
        "  bad_schema:\n    collections:\n      users: {service: s, schema: {type: 5}}\n"
    )
    (tmp_path / "features" / "a.feature").write_text(
        'Feature: f\n  @mock:data_only\n  Scenario: s\n    Given "s" is unavailable\n\n'
        '  @mock:bad_schema\n  Scenario: t\n    Given "s" is unavailable\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "mockbdd", "lint", "features", "--tag-maps", "tag_maps"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1
    assert "tag_maps/m.yaml:5:7: MBD007 collection 'users' needs a service" in done.stdout
    assert (
        "tag_maps/m.yaml:8:7: MBD007 collection 'users': /schema: not a valid JSON Schema"
        in done.stdout
    )
    (tmp_path / "tag_maps" / "m.yaml").write_text(
        "version: 1\nmaps:\n  typo:\n    collections:\n      users: {service: s, idfield: x}\n"
    )
    typo = subprocess.run(
        [sys.executable, "-m", "mockbdd", "lint", "features", "--tag-maps", "tag_maps"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert "did you mean 'idField'? (known keys: service, path, idField, schema, relations)" in (
        typo.stdout
    )
