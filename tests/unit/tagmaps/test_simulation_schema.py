"""``mockbdd schema`` offers the simulation shapes (DESIGN §11) the server takes, and refuses
what it refuses, on stubs and in tag-map settings."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from mockbdd.tagmaps.schema import mapping_schema, tag_map_schema
from mockbdd.wire.mappings import parse_stub_mapping

SCHEMA = mapping_schema()
STUB = jsonschema.Draft202012Validator(SCHEMA["$defs"]["StubMapping"] | {"$defs": SCHEMA["$defs"]})
TAG_MAP = jsonschema.Draft202012Validator(tag_map_schema())

RESPONSE: dict[str, Any] = {
    "status": 200,
    "chaos": {"errorRate": 0.1, "dropRate": 0.1, "dropMode": "hang", "seed": 3},
    "network": {"latencyMs": 20, "jitterMs": 5, "packetLossRate": 0.01},
    "bandwidth": {"bytesPerSecond": 1000},
    "degradation": {"model": "mm1", "serviceMs": 10},
    "delayDistribution": {"type": "percentiles", "p50": 10, "p99": 90, "seed": 1},
}


def test_a_stub_with_every_simulation_field_is_valid_for_schema_and_server() -> None:
    mapping = {"request": {"urlPath": "/a"}, "response": RESPONSE}
    assert list(STUB.iter_errors(mapping)) == []
    parse_stub_mapping(mapping)


@pytest.mark.parametrize(
    "response",
    [
        {"chaos": {"errorRate": 2}},
        {"chaos": {"dropMode": "slow"}},
        {"bandwidth": {"bytesPerSecond": 0}},
        {"degradation": {"model": "mg1", "serviceMs": 1}},
        {"network": {"latency": 5}},
        {"delayDistribution": {"type": "pareto", "scale": 1, "shape": 0}},
    ],
)
def test_what_the_server_refuses_the_schema_refuses(response: dict[str, Any]) -> None:
    assert list(STUB.iter_errors({"request": {}, "response": response}))


def test_tag_map_settings_take_the_simulation_keys() -> None:
    document = {
        "version": 1,
        "maps": {
            "flaky": {
                "settings": {
                    "chaos": {"errorRate": 0.5},
                    "network": {"latencyMs": 30},
                    "degradation": {"perInFlightMs": 2},
                    "timeline": [
                        {"atMs": 0, "settings": {"chaos": {"errorRate": 0}}},
                        {"atMs": 1000, "rampMs": 500, "to": {"fixedDelay": 300}},
                    ],
                    "seed": 7,
                }
            }
        },
    }
    assert list(TAG_MAP.iter_errors(document)) == []
    document["maps"]["flaky"]["settings"]["chaos"] = {"errorRate": 3}
    assert list(TAG_MAP.iter_errors(document))
