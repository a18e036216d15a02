"""Issue 12: removing persistent stubs deletes the files the server wrote for them, as WireMock
3.13.2's ``JsonFileMappingsSource`` does; resets delete nothing; hand-written mapping files
without ``persistent`` are never deleted (mockbdd's one difference, see mapping_files.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mockbdd.server.embedded import MockServer


def _files(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "mappings").iterdir())


def _stub(path: str, **extra: object) -> dict[str, object]:
    return {"request": {"urlPath": path}, "response": {"body": path}, **extra}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "mappings").mkdir()
    hand = {"id": "11111111-1111-1111-1111-111111111111", **_stub("/hand")}
    (tmp_path / "mappings" / "hand.json").write_text(json.dumps(hand))
    return tmp_path


@pytest.fixture
def url(root: Path) -> Iterator[str]:
    with MockServer(root_dir=root) as server:
        yield server.url


def test_delete_all_deletes_the_persistent_files_and_keeps_the_hand_written_one(
    root: Path, url: str
) -> None:
    first = httpx.post(f"{url}/__admin/mappings", json=_stub("/a", name="A", persistent=True))
    httpx.post(f"{url}/__admin/mappings", json=_stub("/b"))
    assert _files(root) == sorted([f"a-{first.json()['id']}.json", "hand.json"])

    assert httpx.delete(f"{url}/__admin/mappings").status_code == 200
    assert _files(root) == ["hand.json"]
    assert httpx.get(f"{url}/__admin/mappings").json()["meta"]["total"] == 0
    # a reset reloads what is on disk: the hand-written stub, not the deleted one
    assert httpx.post(f"{url}/__admin/mappings/reset").status_code == 200
    assert httpx.get(f"{url}/hand").text == "/hand"
    assert httpx.get(f"{url}/a").status_code == 404


def test_after_a_save_delete_all_deletes_every_file_as_wiremock(root: Path, url: str) -> None:
    created = httpx.post(f"{url}/__admin/mappings", json=_stub("/b")).json()
    saved = httpx.post(f"{url}/__admin/mappings/save").json()["saved"]
    assert _files(root) == sorted([*saved, "hand.json"])
    assert saved == [f"{created['id']}.json"]
    # WireMock's save makes every stub persistent, the loaded ones too: their files go with them
    assert httpx.delete(f"{url}/__admin/mappings").status_code == 200
    assert _files(root) == []
    httpx.post(f"{url}/__admin/mappings/reset")
    assert httpx.get(f"{url}/__admin/mappings").json()["meta"]["total"] == 0


def test_a_persistent_stub_is_written_on_create_and_deleted_with_it(root: Path, url: str) -> None:
    created = httpx.post(f"{url}/__admin/mappings", json=_stub("/p", persistent=True)).json()
    name = f"{created['id']}.json"
    assert _files(root) == sorted(["hand.json", name])
    assert json.loads((root / "mappings" / name).read_text())["persistent"] is True
    # resets keep it (they reload the folder)...
    assert httpx.post(f"{url}/__admin/reset").status_code == 200
    assert httpx.get(f"{url}/p").text == "/p"
    # ...deleting it deletes its file, and the reset after no longer restores it
    assert httpx.delete(f"{url}/__admin/mappings/{created['id']}").status_code == 200
    assert _files(root) == ["hand.json"]
    httpx.post(f"{url}/__admin/mappings/reset")
    assert httpx.get(f"{url}/p").status_code == 404


def test_deleting_a_stub_that_is_not_persistent_leaves_its_file(root: Path, url: str) -> None:
    assert httpx.delete(f"{url}/__admin/mappings/11111111-1111-1111-1111-111111111111").is_success
    assert _files(root) == ["hand.json"]
    created = httpx.post(f"{url}/__admin/mappings", json=_stub("/e", persistent=True)).json()
    # WireMock's edit: dropping persistent keeps the file, and removing the stub then keeps it
    edited = httpx.put(f"{url}/__admin/mappings/{created['id']}", json=_stub("/e2"))
    assert edited.status_code == 200, edited.text
    httpx.delete(f"{url}/__admin/mappings/{created['id']}")
    assert _files(root) == sorted(["hand.json", f"{created['id']}.json"])


def test_an_edited_persistent_stub_is_written_again(root: Path, url: str) -> None:
    created = httpx.post(f"{url}/__admin/mappings", json=_stub("/v1", persistent=True)).json()
    httpx.put(f"{url}/__admin/mappings/{created['id']}", json=_stub("/v2", persistent=True))
    on_disk = json.loads((root / "mappings" / f"{created['id']}.json").read_text())
    assert on_disk["request"]["urlPath"] == "/v2"


def test_removal_by_metadata_and_unmatched_delete_the_files(root: Path, url: str) -> None:
    tagged = _stub("/m", persistent=True, metadata={"team": "x"})
    httpx.post(f"{url}/__admin/mappings", json=tagged)
    httpx.post(f"{url}/__admin/mappings", json=_stub("/u", persistent=True, name="U"))
    assert len(_files(root)) == 3
    removed = httpx.post(
        f"{url}/__admin/mappings/remove-by-metadata",
        json={"matchesJsonPath": "$.team"},
    )
    assert removed.status_code == 200, removed.text
    assert len(_files(root)) == 2
    assert httpx.get(f"{url}/hand").text == "/hand"  # used: not unmatched
    assert httpx.delete(f"{url}/__admin/mappings/unmatched").status_code == 200
    assert _files(root) == ["hand.json"]


def test_a_saved_file_loaded_at_start_is_deleted_with_its_stub(root: Path) -> None:
    saved = {"id": "22222222-2222-2222-2222-222222222222", **_stub("/s"), "persistent": True}
    (root / "mappings" / "saved-earlier.json").write_text(json.dumps(saved))
    with MockServer(root_dir=root) as server:
        assert httpx.delete(f"{server.url}/__admin/mappings").status_code == 200
    assert _files(root) == ["hand.json"]


def test_a_persistent_stub_of_a_multi_mapping_file_is_read_only(root: Path) -> None:
    multi = {"mappings": [{"id": "33333333-3333-3333-3333-333333333333", **_stub("/x"),
                           "persistent": True}]}  # fmt: skip
    (root / "mappings" / "multi.json").write_text(json.dumps(multi))
    with MockServer(root_dir=root) as server:
        answer = httpx.delete(f"{server.url}/__admin/mappings")
        assert answer.status_code == 409
        assert "multi-mapping file 'multi.json', which is read-only" in answer.text
        # nothing changed
        assert httpx.get(f"{server.url}/__admin/mappings").json()["meta"]["total"] == 2
    assert _files(root) == ["hand.json", "multi.json"]


def test_resets_reload_the_folder_as_wiremock(root: Path, url: str) -> None:
    added = {"id": "44444444-4444-4444-4444-444444444444", **_stub("/added")}
    (root / "mappings" / "added.json").write_text(json.dumps(added))
    assert httpx.get(f"{url}/added").status_code == 404
    assert httpx.post(f"{url}/__admin/reset").status_code == 200
    assert httpx.get(f"{url}/added").text == "/added"
    (root / "mappings" / "added.json").unlink()
    assert httpx.post(f"{url}/__admin/mappings/reset").status_code == 200
    assert httpx.get(f"{url}/added").status_code == 404
    # a file that no longer loads: the reset is refused with the reason, nothing changes
    (root / "mappings" / "broken.json").write_text("{")
    refused = httpx.post(f"{url}/__admin/reset")
    assert refused.status_code == 409
    assert "the mapping folder cannot be reloaded" in refused.text
    assert "broken.json" in refused.text
    assert httpx.get(f"{url}/hand").text == "/hand"


def test_a_namespace_never_touches_the_folder(root: Path, url: str) -> None:
    httpx.post(f"{url}/__admin/namespaces", json={"name": "t1"})
    created = httpx.post(f"{url}/__ns/t1/__admin/mappings", json=_stub("/n", persistent=True))
    assert created.status_code == 201, created.text
    assert httpx.delete(f"{url}/__ns/t1/__admin/mappings").status_code == 200
    assert _files(root) == ["hand.json"]


def test_a_persisted_recording_is_deleted_with_its_stubs(root: Path, url: str) -> None:
    with MockServer() as upstream:
        httpx.post(f"{upstream.url}/__admin/mappings", json=_stub("/up"))
        start = httpx.post(f"{url}/__admin/recordings/start", json={"targetBaseUrl": upstream.url})
        assert start.status_code == 200, start.text
        assert httpx.get(f"{url}/up").text == "/up"
        stopped = httpx.post(f"{url}/__admin/recordings/stop").json()["mappings"]
    assert len(_files(root)) == 2
    httpx.delete(f"{url}/__admin/mappings/{stopped[0]['id']}")
    assert _files(root) == ["hand.json"]
