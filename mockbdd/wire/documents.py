"""Reading JSON and YAML documents strictly: a key given twice is an error, not silently the
last one (``json.loads`` and PyYAML both keep the last). Mapping files and tag maps read YAML
through the same loader."""

from __future__ import annotations

import json
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode

_MERGE_TAG = "tag:yaml.org,2002:merge"


class UniqueKeyLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` (no Python objects from files) that refuses duplicate keys."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG or not isinstance(key_node, ScalarNode):
                continue
            if key_node.value in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key_node.value!r}", key_node.start_mark
                )
            seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


class DuplicateKeyError(ValueError):
    """A JSON object with a key twice."""


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKeyError(f"duplicate key {key!r}")
        out[key] = value
    return out


def load_json(text: str) -> Any:
    """``json.loads``, refusing duplicate keys (``DuplicateKeyError``)."""
    return json.loads(text, object_pairs_hook=_unique)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=UniqueKeyLoader)
