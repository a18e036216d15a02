"""Mapping files read YAML as tag maps do: a key given twice is an error naming file and line,
in JSON too, where both readers used to keep the last value silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockbdd.wire.files import MappingFileError, load_mapping_dir, load_mapping_file


def test_a_yaml_key_twice_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "twice.yaml"
    path.write_text("request: {urlPath: /a}\nresponse:\n  status: 200\n  status: 500\n")
    with pytest.raises(MappingFileError) as info:
        load_mapping_file(path)
    message = str(info.value)
    assert message.startswith(f"{path}: line 4: invalid YAML: ")
    assert "duplicate key 'status'" in message


def test_a_json_key_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "twice.json"
    path.write_text('{"request": {"url": "/a", "url": "/b"}, "response": {}}')
    with pytest.raises(MappingFileError) as info:
        load_mapping_dir(tmp_path)
    assert str(info.value) == f"{path}: invalid JSON: duplicate key 'url'"


def test_yaml_merge_keys_and_anchors_still_load(tmp_path: Path) -> None:
    (tmp_path / "merged.yaml").write_text(
        "mappings:\n"
        "  - &base {request: {urlPath: /a}, response: {status: 201}}\n"
        "  - <<: *base\n    request: {urlPath: /b}\n"
    )
    stubs = load_mapping_dir(tmp_path)
    assert [s.source["request"]["urlPath"] for s in stubs] == ["/a", "/b"]
    assert [s.source["response"]["status"] for s in stubs] == [201, 201]
