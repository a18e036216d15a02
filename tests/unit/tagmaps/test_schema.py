"""mockbdd schema: the JSON Schemas accept real files and reject broken ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from mockbdd.tagmaps.schema import mapping_schema, schema_json, tag_map_schema

DATA = Path(__file__).parent / "data"


def errors(schema: dict[str, Any], document: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema)
    return sorted("/".join(map(str, e.absolute_path)) for e in validator.iter_errors(document))


def test_schemas_are_valid_draft_2020_12() -> None:
    every = schema_json()
    assert set(every) == {"tagMapFile", "mappingFile", "loadScript"}
    for schema in every.values():
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert every["tagMapFile"]["title"] == "mockbdd tag-map file"


@pytest.mark.parametrize("name", ["shop.yaml", "extra.yml"])
def test_tag_map_files_validate(name: str) -> None:
    document = yaml.safe_load((DATA / "tag_maps" / name).read_text())
    assert errors(tag_map_schema(), document) == []


def test_tag_map_schema_rejects() -> None:
    document = {
        "version": 1,
        "maps": {
            "Bad Name": {},
            "ok": {
                "extend": ["x"],
                "services": {"s": [{"request": {"path": "/a", "urlPath": "/a"}, "respone": {}}]},
            },
        },
    }
    assert errors(tag_map_schema(), document) == [
        "maps",
        "maps/ok",
        "maps/ok/services/s/0",  # 'respone' is unknown
        "maps/ok/services/s/0",  # and so the stub has no response, which resolution refuses
        "maps/ok/services/s/0/request",
    ]


def test_mapping_schema() -> None:
    stub = {
        "request": {
            "method": "GET",
            "urlPathPattern": "/v1/.*",
            "headers": {"Accept": {"contains": "json"}},
        },
        "response": {"status": 200, "jsonBody": {"a": 1}, "fixedDelayMilliseconds": 5},
        "priority": 1,
        "scenarioName": "s",
        "requiredScenarioState": "Started",
        "newScenarioState": "next",
        "metadata": {"k": 1},
    }
    schema = mapping_schema()
    assert errors(schema, stub) == []
    assert errors(schema, {"mappings": [stub, stub]}) == []
    bad = {
        "request": {"url": "/a", "urlPath": "/a"},
        "response": {"status": 99, "body": "x", "jsonBody": {}},
        "responses": [{"status": 200, "times": 0}],
        "whenExhausted": "never",
    }
    validator = jsonschema.Draft202012Validator(
        schema["$defs"]["StubMapping"] | {"$defs": schema["$defs"]}
    )
    assert sorted("/".join(map(str, e.absolute_path)) for e in validator.iter_errors(bad)) == [
        "",
        "request",
        "response",
        "response/status",
        "responses/0/times",
        "whenExhausted",
    ]
