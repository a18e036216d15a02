"""Template files (``--templates DIR``), mockstack's routing as DESIGN §13 states it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mockbdd.server.embedded import MockServer
from mockbdd.templating.file_routes import templates_stub
from mockbdd.templating.files import candidates


@pytest.mark.parametrize(
    ("path", "names", "ident"),
    [
        ("/svc/api/v1/user/42", ["svc-api-v1-user.42.j2", "svc-api-v1-user.j2", "index.j2"], "42"),
        (
            "/svc/user/3f2b8c1e-0a4d-4c6e-9b7a-1d2e3f4a5b6c",
            ["svc-user.3f2b8c1e-0a4d-4c6e-9b7a-1d2e3f4a5b6c.j2", "svc-user.j2", "index.j2"],
            "3f2b8c1e-0a4d-4c6e-9b7a-1d2e3f4a5b6c",
        ),
        ("/svc/user/ada", ["svc-user-ada.j2", "index.j2"], None),
        ("/", ["index.j2"], None),
    ],
)
def test_the_files_a_path_tries(path: str, names: list[str], ident: str | None) -> None:
    assert candidates(path) == (names, ident)


@pytest.fixture
def http(tmp_path: Path) -> Iterator[httpx.Client]:
    (tmp_path / "svc-user.j2").write_text(
        '{"id": "{{ request.pathParameters.id }}", "n": {{ random.randint(1, 9) }}}'
    )
    (tmp_path / "svc-user.7.j2").write_text('{"special": true}')
    (tmp_path / "orders.j2").write_text("{{ 1 // 0 }}")
    outside = tmp_path.parent / "secret.j2"
    outside.write_text("secret")
    with (
        MockServer(templates=tmp_path, seed=3) as server,
        httpx.Client(base_url=server.url, timeout=10) as client,
    ):
        yield client


def test_routing_most_specific_first(http: httpx.Client) -> None:
    assert http.get("/svc/user/7").json() == {"special": True}
    answer = http.get("/svc/user/8")
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json()["id"] == "8"
    assert http.get("/nothing/here").status_code == 404  # no index.j2: the usual report
    assert http.get("/..%2Fsecret").status_code == 404


def test_a_stub_wins_over_a_file(http: httpx.Client) -> None:
    http.post(
        "/__admin/mappings", json={"request": {"url": "/svc/user/8"}, "response": {"body": "stub"}}
    )
    assert http.get("/svc/user/8").text == "stub"


def test_resource_creation_and_the_other_methods(http: httpx.Client) -> None:
    created = http.post("/widgets", json={"name": "w"})
    assert created.status_code == 201
    body = created.json()
    assert body["name"] == "w"
    assert body["id"]
    assert body["createdAt"].endswith("Z")
    assert http.put("/widgets/1", json={"name": "v"}).json() == {"name": "v"}
    assert http.patch("/widgets/1", json={"name": "u"}).status_code == 200
    assert http.delete("/widgets/1").status_code == 204
    assert http.post("/widgets", content=b"not json").status_code == 404
    logged = http.get("/__admin/requests").json()["requests"]
    assert [r["response"]["status"] for r in logged][::-1][:4] == [201, 200, 200, 204]


def test_a_render_error_names_the_file_and_line(http: httpx.Client) -> None:
    answer = http.get("/orders")
    assert answer.status_code == 500
    assert answer.text.startswith("mockbdd: jinja template orders.j2:line 1: ZeroDivisionError")


def test_a_file_that_does_not_compile_stops_start_up(tmp_path: Path) -> None:
    (tmp_path / "broken.j2").write_text("ok\n{% if %}")
    with pytest.raises(ValueError, match=r"broken.j2:line 2: "), MockServer(templates=tmp_path):
        pass


def test_a_templates_stub_that_does_not_compile_is_refused(tmp_path: Path) -> None:
    """The stub a tag map's ``templates:`` sends compiles every file when it is created."""
    (tmp_path / "svc-user.j2").write_text('{"id": "{{ request.pathParameters.id }}"}')
    (tmp_path / "broken.j2").write_text("ok\n{% if %}")
    with MockServer() as server, httpx.Client(base_url=server.url, timeout=10) as client:
        refused = client.post("/__admin/mappings", json=templates_stub(tmp_path, "t"))
        assert refused.status_code == 422
        assert refused.json()["errors"][0] == {
            "code": 10,
            "source": {"pointer": "/response"},
            "title": "template-files: template files that do not compile: broken.j2:line 2: "
            "Expected an expression, got 'end of statement block'",
        }
        (tmp_path / "broken.j2").unlink()
        assert client.post("/__admin/mappings", json=templates_stub(tmp_path, "t")).is_success
        assert client.get("/svc/user/5").json() == {"id": "5"}
        assert client.get("/svc/other").status_code == 404  # neither a file nor a default
