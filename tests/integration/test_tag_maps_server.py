"""Tag maps on a standalone server: list, apply, namespace creation with tagMaps; CLI tags/schema/lint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from mockbdd.server.embedded import MockServer

MAPS = """\
version: 1
maps:
  base:
    services:
      inventory:
        - request: {method: GET, urlPathPattern: "/v1/items/[0-9]+"}
          response: {status: 200, json: {inStock: true}}
  checkout_failure:
    description: Payment provider fails twice, then recovers
    extends: [base]
    services:
      payments:
        - request: {method: POST, path: /v1/charges}
          responses:
            - {status: 503, times: 2}
            - {status: 200, json: {id: ch_1}}
  payments_slow:
    params: {delay: {type: duration, default: 2s}}
    services:
      payments:
        - request: {method: POST, path: /v1/charges}
          response: {status: 200, delay: "{delay}"}
"""


@pytest.fixture
def tag_maps(tmp_path: Path) -> Path:
    folder = tmp_path / "tag_maps"
    folder.mkdir()
    (folder / "shop.yaml").write_text(MAPS)
    return folder


def test_namespace_created_with_tag_maps(tag_maps: Path) -> None:
    with MockServer(tag_maps=tag_maps) as server, httpx.Client(base_url=server.url) as http:
        created = http.post(
            "/__admin/namespaces", json={"name": "t1", "tagMaps": ["checkout_failure"]}
        )
        assert created.status_code == 201, created.text
        assert http.get("/__ns/t1/inventory/v1/items/7").json() == {"inStock": True}
        codes = [http.post("/__ns/t1/payments/v1/charges").status_code for _ in range(3)]
        assert codes == [503, 503, 200]
        assert http.get("/inventory/v1/items/7").status_code == 404  # not in default


def test_apply_with_params_and_listing(tag_maps: Path) -> None:
    with MockServer(tag_maps=tag_maps) as server, httpx.Client(base_url=server.url) as http:
        listing = http.get("/__admin/tag-maps").json()["tagMaps"]
        assert {m["name"] for m in listing} == {"base", "checkout_failure", "payments_slow"}
        http.post("/__admin/namespaces", json={"name": "t2"})
        applied = http.post(
            "/__ns/t2/__admin/tag-maps/payments_slow/apply", json={"delay": "250ms"}
        )
        assert applied.status_code == 200, applied.text
        assert applied.json()["mappings"][0]["response"]["fixedDelayMilliseconds"] == 250


def test_unknown_tag_map_is_a_clear_400_and_creates_nothing(tag_maps: Path) -> None:
    with MockServer(tag_maps=tag_maps) as server, httpx.Client(base_url=server.url) as http:
        resp = http.post("/__admin/namespaces", json={"name": "t3", "tagMaps": ["checkout_falure"]})
        assert resp.status_code in (400, 422)
        title = resp.json()["errors"][0]["title"]
        assert "did you mean @mock:checkout_failure" in title
        names = {n["name"] for n in http.get("/__admin/namespaces").json()["namespaces"]}
        assert "t3" not in names


def test_server_without_tag_maps_says_how_to_get_them() -> None:
    with MockServer() as server:
        resp = httpx.post(f"{server.url}/__admin/namespaces", json={"tagMaps": ["x"]})
        assert resp.status_code == 400
        assert "--tag-maps" in resp.json()["errors"][0]["title"]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockbdd", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )


def test_cli_tags_lists_maps(tag_maps: Path) -> None:
    result = run_cli("tags", "--tag-maps", str(tag_maps))
    assert result.returncode == 0, result.stderr
    assert "checkout_failure" in result.stdout
    assert "Payment provider fails twice" in result.stdout


def test_cli_schema_is_json_schema() -> None:
    result = run_cli("schema")
    data = json.loads(result.stdout)
    assert set(data) == {"tagMapFile", "mappingFile", "loadScript"}


def test_cli_lint_reports_unknown_tag_with_suggestion(tag_maps: Path, tmp_path: Path) -> None:
    feature = tmp_path / "checkout.feature"
    feature.write_text(
        "Feature: checkout\n\n  @mock:checkout_falure\n  Scenario: pay\n    Given nothing\n"
    )
    result = run_cli("lint", str(feature), "--tag-maps", str(tag_maps))
    assert result.returncode == 1
    assert (
        f"{feature}:3:3: MBD001" in result.stdout or "checkout.feature:3:3: MBD001" in result.stdout
    )
    assert "did you mean @mock:checkout_failure" in result.stdout


def test_serve_with_broken_tag_map_names_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "tag_maps"
    folder.mkdir()
    (folder / "bad.yaml").write_text(
        "version: 1\nmaps:\n  x:\n    services:\n      p:\n        - request: {path: /a}\n          responses: nope\n"
    )
    result = run_cli("serve", "--port", "0", "--tag-maps", str(folder))
    assert result.returncode == 2
    assert "bad.yaml:7" in result.stderr
