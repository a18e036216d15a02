"""Issue 10, points 6 and 9: ``mockbdd serve --root-dir`` as WireMock has it, and
``POST /__admin/mappings/save`` writing the API's stubs into the mapping folder (a reset and a
restart keep them), or 409 with the reason when there is nowhere to write."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from mockbdd.server.embedded import MockServer
from tests.bdd._suites import serving


def test_saved_stubs_survive_a_reset_and_a_restart_under_root_dir(tmp_path: Path) -> None:
    (tmp_path / "__files").mkdir()
    (tmp_path / "__files" / "hello.txt").write_text("from __files")
    with serving("--root-dir", str(tmp_path)) as url:
        created = httpx.post(
            f"{url}/__admin/mappings",
            json={
                "name": "Charge OK!",
                "request": {"method": "POST", "urlPath": "/v1/charges"},
                "response": {"status": 201, "bodyFileName": "hello.txt"},
            },
        ).json()
        unnamed = httpx.post(
            f"{url}/__admin/mappings",
            json={"request": {"urlPath": "/plain"}, "response": {"body": "p"}},
        ).json()
        saved = httpx.post(f"{url}/__admin/mappings/save")
        assert saved.status_code == 200, saved.text
        files = sorted(p.name for p in (tmp_path / "mappings").iterdir())
        assert files == sorted([f"charge-ok-{created['id']}.json", f"{unnamed['id']}.json"])
        on_disk = json.loads((tmp_path / "mappings" / f"{unnamed['id']}.json").read_text())
        assert on_disk["request"]["urlPath"] == "/plain"
        assert httpx.post(f"{url}/__admin/mappings/reset").status_code == 200
        assert httpx.post(f"{url}/v1/charges").text == "from __files"
        # saving again writes nothing new
        assert httpx.post(f"{url}/__admin/mappings/save").json() == {"saved": []}
    with serving("--root-dir", str(tmp_path)) as url:
        answer = httpx.post(f"{url}/v1/charges")
        assert (answer.status_code, answer.text) == (201, "from __files")
        assert httpx.get(f"{url}/plain").text == "p"


def test_save_without_a_folder_is_409_with_the_reason() -> None:
    with MockServer() as server:
        url = server.url
        httpx.post(f"{url}/__admin/mappings", json={"request": {}, "response": {}})
        answer = httpx.post(f"{url}/__admin/mappings/save")
        assert answer.status_code == 409
        assert answer.json()["errors"][0]["title"] == (
            "nothing saved: the server was started without a mapping folder; start it with "
            "--mappings DIR (or --root-dir DIR) to save stubs there"
        )
        ns = httpx.post(f"{url}/__admin/namespaces", json={"name": "t1"})
        assert ns.status_code == 201, ns.text
        in_ns = httpx.post(f"{url}/__ns/t1/__admin/mappings/save")
        assert in_ns.status_code == 409
        assert "the stubs of a namespace are not saved" in in_ns.json()["errors"][0]["title"]
