"""OpenAPI documents split over files: ``mockbdd import-openapi`` follows ``$ref`` to files next
to the spec (never outside its folder); ``POST /__admin/openapi`` resolves them among the files
sent with the spec (``files``), never on the server's disk, and refuses them otherwise."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockbdd.server.embedded import MockServer

SPEC = """\
openapi: 3.0.3
info: {title: split pets, version: "1"}
servers: [{url: "http://pets.example/v1"}]
paths:
  /pets/{id}:
    get:
      parameters: [{$ref: "common.yaml#/components/parameters/Id"}]
      responses:
        "200":
          description: one pet
          content:
            application/json:
              schema: {$ref: "schemas/pet.yaml#/Pet"}
  /pets:
    get:
      responses:
        "200":
          description: all pets
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Local"}}
components:
  schemas:
    Local: {$ref: "schemas/pet.yaml#/Pet"}
"""

COMMON = """\
components:
  parameters:
    Id: {name: id, in: path, required: true, schema: {type: integer}}
"""

PET = """\
Pet:
  type: object
  required: [id, name, tag]
  properties:
    id: {type: integer, minimum: 1}
    name: {type: string}
    tag: {$ref: "#/Tag"}
Tag: {type: string, enum: [cat, dog]}
"""


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "schemas").mkdir()
    (tmp_path / "api" / "common.yaml").write_text(COMMON)
    (tmp_path / "api" / "schemas" / "pet.yaml").write_text(PET)
    main = tmp_path / "api" / "openapi.yaml"
    main.write_text(SPEC)
    return main


def import_openapi(spec: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockbdd", "import-openapi", str(spec), "--mode", "generated",
         *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_refs_to_files_next_to_the_spec_are_followed(spec: Path, tmp_path: Path) -> None:
    done = import_openapi(spec, "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    written = json.loads((tmp_path / "out" / "split-pets.json").read_text())
    assert len(written["mappings"]) == 2
    with MockServer(mappings=tmp_path / "out") as server:
        pet = httpx.get(server.url + "/v1/pets/3").json()
        assert set(pet) == {"id", "name", "tag"}
        assert pet["tag"] in ("cat", "dog")
        pets = httpx.get(server.url + "/v1/pets").json()
        assert all(p["tag"] in ("cat", "dog") for p in pets)


@pytest.mark.parametrize(
    ("ref", "reason"),
    [
        ("../outside.yaml#/Pet", "$ref '../outside.yaml#/Pet' leaves the spec's folder"),
        ("nothere.yaml#/Pet", "$ref 'nothere.yaml#/Pet': cannot read nothere.yaml: No such file"),
        ("schemas/pet.yaml#/Dog", "$ref 'schemas/pet.yaml#/Dog': schemas/pet.yaml has no #/Dog"),
        ("https://example.com/pet.yaml", "only files next to the spec are read"),
        (
            "schemas/loop.yaml#/A",
            "$ref 'loop.yaml#/A' (in schemas/pet.yaml) leads back to itself through other files",
        ),
    ],
)
def test_an_unresolvable_ref_is_refused_with_its_pointer_and_reason(
    spec: Path, tmp_path: Path, ref: str, reason: str
) -> None:
    (tmp_path / "outside.yaml").write_text(PET)  # readable, but not next to the spec
    (spec.parent / "schemas" / "loop.yaml").write_text("A: {$ref: 'pet.yaml#/Loop'}\n")
    (spec.parent / "schemas" / "pet.yaml").write_text(PET + "Loop: {$ref: 'loop.yaml#/A'}\n")
    spec.write_text(SPEC.replace("schemas/pet.yaml#/Pet", ref, 1))
    done = import_openapi(spec)
    assert done.returncode == 1, done.stdout + done.stderr
    where = "/paths/~1pets~1{id}/get/responses/200/content/application~1json/schema/$ref"
    assert done.stderr.startswith(f"mockbdd import-openapi: {spec}{where}: "), done.stderr
    assert reason in done.stderr, done.stderr


def test_the_admin_api_refuses_a_ref_to_another_file_with_a_reason(http: httpx.Client) -> None:
    import yaml

    document: dict[str, Any] = yaml.safe_load(SPEC)
    answer = http.post("/__admin/openapi", json={"spec": document})
    assert answer.status_code == 422, answer.text
    error = answer.json()["errors"][0]
    assert error["source"]["pointer"] == "/spec/paths/~1pets~1{id}/get/parameters/0/$ref"
    assert error["title"] == (
        "$ref 'common.yaml#/components/parameters/Id' points into another file, which a "
        'document sent on its own cannot: send the file with it ({"spec": ..., "files": '
        '{"common.yaml": ...}}), bundle it into one document, or import it with '
        "mockbdd import-openapi SPEC (which reads the files next to SPEC)"
    )
    assert http.get("/__admin/mappings").json()["mappings"] == []


def test_the_admin_api_resolves_refs_among_the_files_sent_with_the_spec(
    http: httpx.Client,
) -> None:
    files = {"common.yaml": COMMON, "schemas/pet.yaml": PET}  # text, or the parsed document
    answer = http.post(
        "/__admin/openapi",
        json={"spec": SPEC, "files": files, "mode": "generated", "validate": True},
    )
    assert answer.status_code == 201, answer.text
    assert len(answer.json()["mappings"]) == 2
    pet = http.get("/v1/pets/3").json()
    assert set(pet) == {"id", "name", "tag"}
    assert pet["tag"] in ("cat", "dog")
    # the parameter from common.yaml validates: an id that is not an integer is a 400
    assert http.get("/v1/pets/x").status_code == 400


@pytest.mark.parametrize(
    ("files", "pointer", "reason"),
    [
        (
            {"common.yaml": COMMON},
            "/spec/paths/~1pets~1{id}/get/responses/200/content/application~1json/schema/$ref",
            "$ref 'schemas/pet.yaml#/Pet': schemas/pet.yaml was not sent in files "
            "(sent: common.yaml)",
        ),
        (
            {"common.yaml": COMMON, "../pet.yaml": PET},
            "/files/..~1pet.yaml",
            "a file name is a relative path inside the spec's folder, like schemas/pet.yaml "
            "(no .., no leading /)",
        ),
        ({"common.yaml": COMMON, "/etc/pet.yaml": PET}, "/files/~1etc~1pet.yaml", "no leading /"),
        (
            {"common.yaml": "a: [", "schemas/pet.yaml": PET},
            "/files/common.yaml",
            "not JSON or YAML",
        ),
        (["common.yaml"], "/files", "must be an object: {file name: document or its text}"),
    ],
)
def test_files_sent_badly_are_refused_with_the_pointer(
    http: httpx.Client, files: Any, pointer: str, reason: str
) -> None:
    answer = http.post("/__admin/openapi", json={"spec": SPEC, "files": files})
    assert answer.status_code == 422, answer.text
    error = answer.json()["errors"][0]
    assert error["source"]["pointer"] == pointer
    assert reason in error["title"]
    assert http.get("/__admin/mappings").json()["mappings"] == []


def test_sent_files_never_reach_the_servers_disk(http: httpx.Client, tmp_path: Path) -> None:
    # a file that exists on the server's disk is not read: only what was sent counts
    (tmp_path / "pet.yaml").write_text(PET)
    absolute = SPEC.replace("schemas/pet.yaml#/Pet", f"{tmp_path}/pet.yaml#/Pet", 1)
    answer = http.post(
        "/__admin/openapi", json={"spec": absolute, "files": {"common.yaml": COMMON}}
    )
    assert answer.status_code == 422
    assert "leaves the spec's folder" in answer.json()["errors"][0]["title"]
    up = SPEC.replace("schemas/pet.yaml#/Pet", "schemas/../../pet.yaml#/Pet", 1)
    answer = http.post("/__admin/openapi", json={"spec": up, "files": {"common.yaml": COMMON}})
    assert "leaves the spec's folder" in answer.json()["errors"][0]["title"]


def test_a_yaml_alias_bomb_is_refused(http: httpx.Client) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    bomb = "\n".join(lines) + "\nPet: {type: object, example: *a8}\n"
    answer = http.post(
        "/__admin/openapi",
        json={"spec": SPEC, "files": {"common.yaml": COMMON, "schemas/pet.yaml": bomb}},
        timeout=60,
    )
    assert answer.status_code == 422, answer.text
    assert "expands past 1000000 values" in answer.json()["errors"][0]["title"]


def test_the_client_sends_the_files(server: MockServer) -> None:
    from mockbdd.client import Client

    with Client(server.url) as c:
        done = c.import_openapi(
            SPEC, mode="generated", files={"common.yaml": COMMON, "schemas/pet.yaml": PET}
        )
    assert len(done["mappings"]) == 2
    assert httpx.get(server.url + "/v1/pets/3").json()["tag"] in ("cat", "dog")
