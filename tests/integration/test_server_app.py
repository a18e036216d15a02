"""mockbdd.server.app over real sockets: which namespace, admin or data plane a request reaches."""

from __future__ import annotations

import httpx
import pytest

from mockbdd.config import ServerConfig
from mockbdd.server.runner import MockHttpServer
from mockbdd.wire.mappings import parse_stub_mapping


@pytest.mark.parametrize("path", ["/__admin", "/__admin/", "/__ns/default/__admin"])
def test_the_admin_root_is_the_admin_api_not_the_data_plane(http: httpx.Client, path: str) -> None:
    http.post("/__admin/mappings", json={"request": {"urlPathPattern": "/.*"}, "response": {}})
    answer = http.get(path)
    assert answer.status_code == 404
    assert answer.json() == {"errors": [{"code": 404, "title": "no admin endpoint GET /"}]}


def test_a_path_that_only_starts_like_the_admin_api_is_served_by_stubs(http: httpx.Client) -> None:
    http.post(
        "/__admin/mappings", json={"request": {"url": "/__adminx"}, "response": {"body": "s"}}
    )
    assert http.get("/__adminx").text == "s"


def test_an_unknown_namespace_header_is_a_404_naming_it(http: httpx.Client) -> None:
    http.post("/__admin/mappings", json={"request": {"url": "/x"}, "response": {"body": "root"}})
    answer = http.get("/x", headers={"X-Mock-Namespace": "nope"})
    assert (answer.status_code, answer.text) == (
        404,
        "mockbdd: no namespace named 'nope' (it was never created, or it was deleted)\n",
    )


async def test_a_dedicated_port_outliving_its_namespace_serves_no_other_namespace() -> None:
    """The window between a namespace leaving the engine (delete, TTL expiry) and its port
    closing: requests on that port are told so, even once a namespace of the same name exists."""
    server = MockHttpServer(ServerConfig(port=0))
    await server.start()
    try:
        ns = server.engine.create("a")
        port = await server.open_port(ns, 0)
        ns.add_stub(parse_stub_mapping({"request": {"url": "/x"}, "response": {"body": "old"}}))
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            assert (await http.get("/x")).text == "old"
            server.engine.delete("a")
            gone = await http.get("/x")
            assert (gone.status_code, gone.text) == (
                404,
                "mockbdd: this port's namespace was deleted\n",
            )
            again = server.engine.create("a")
            again.add_stub(
                parse_stub_mapping({"request": {"url": "/x"}, "response": {"body": "new"}})
            )
            assert (await http.get("/x")).text == "mockbdd: this port's namespace was deleted\n"
            assert (await http.get("/__admin/mappings")).status_code == 404
        await server.close_port(ns)
    finally:
        await server.stop()
