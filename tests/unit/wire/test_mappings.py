"""mockbdd.wire.mappings: the stub mapping rules WireMock's JSON leaves to the reader."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mockbdd.domain.delays import LogNormalDelay
from mockbdd.domain.errors import InvalidInput
from mockbdd.wire.mappings import (
    parse_import_options,
    parse_mappings_document,
    parse_request_pattern,
    parse_stub_mapping,
)


def refused(mapping: Any) -> tuple[str, str]:
    with pytest.raises(InvalidInput) as exc:
        parse_stub_mapping(mapping, "/mappings/3")
    return exc.value.pointer, exc.value.reason


REQUEST = {"url": "/x"}
A = "8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7"
B = "00000000-0000-0000-0000-000000000002"


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        (
            {"id": "payments-ok", "request": REQUEST, "response": {}},
            (
                "/mappings/3/id",
                "'payments-ok' is not a UUID: give one like "
                "'8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7', or leave it out and the server assigns "
                "one (a 'name' can be any text)",
            ),
        ),
        (
            {"uuid": "8c5db8b02db44ad7a99f38c9b00da3f7", "request": REQUEST, "response": {}},
            (
                "/mappings/3/uuid",
                "'8c5db8b02db44ad7a99f38c9b00da3f7' is not a UUID: give one like "
                "'8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7', or leave it out and the server assigns "
                "one (a 'name' can be any text)",
            ),
        ),
        (
            {"request": {"urlPathTemplate": "/contacts/{id"}, "response": {}},
            (
                "/mappings/3/request/urlPathTemplate",
                "template '/contacts/{id' has an unmatched '{' at position 10: variables are "
                "written {name} (letters, digits, '_' or '-')",
            ),
        ),
        (
            {"request": {"urlPathTemplate": "/contacts/id}/x"}, "response": {}},
            (
                "/mappings/3/request/urlPathTemplate",
                "template '/contacts/id}/x' has an unmatched '}' at position 12: variables are "
                "written {name} (letters, digits, '_' or '-')",
            ),
        ),
        (
            {"id": A, "uuid": B, "request": REQUEST, "response": {}},
            ("/mappings/3/uuid", "'id' and 'uuid' differ; give one of them"),
        ),
        (
            {"request": REQUEST, "response": {}, "whenExhausted": "loop"},
            ("/mappings/3/whenExhausted", "only allowed with 'responses'"),
        ),
        (
            {"request": REQUEST, "response": {}, "newScenarioState": "done"},
            ("/mappings/3/newScenarioState", "needs 'scenarioName'"),
        ),
        (
            {
                "request": REQUEST,
                "response": {
                    "fixedDelayMilliseconds": 5,
                    "delayDistribution": {"type": "fixed", "milliseconds": 5},
                },
            },
            (
                "/mappings/3/response/delayDistribution",
                "give either fixedDelayMilliseconds or delayDistribution",
            ),
        ),
        (
            {
                "request": REQUEST,
                "response": {"delayDistribution": {"type": "uniform", "lower": 5, "upper": 4}},
            },
            ("/mappings/3/response/delayDistribution/lower", "must not be greater than 'upper'"),
        ),
    ],
)
def test_mapping_rules_are_refused_with_a_pointer(
    mapping: dict[str, Any], expected: tuple[str, str]
) -> None:
    assert refused(mapping) == expected


def test_the_same_id_and_uuid_are_one_id() -> None:
    stub = parse_stub_mapping({"id": A, "uuid": A, "request": REQUEST, "response": {}})
    assert stub.id == A


def test_a_lognormal_delay_keeps_its_cap() -> None:
    delay = {"type": "lognormal", "median": 90, "sigma": 0.1, "maxValue": 120}
    stub = parse_stub_mapping({"request": REQUEST, "response": {"delayDistribution": delay}})
    assert stub.response.delay == LogNormalDelay(90, 0.1, 120)


@pytest.mark.parametrize("pattern", [[], "GET /x", None])
def test_a_request_pattern_must_be_an_object(pattern: object) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_request_pattern(pattern, "/pattern")
    assert (exc.value.pointer, exc.value.reason) == (
        "/pattern",
        "a request pattern must be a JSON object",
    )


def test_a_mappings_document_wants_a_list() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_mappings_document({"mappings": {"request": REQUEST, "response": {}}})
    assert (exc.value.pointer, exc.value.reason) == ("/mappings", "must be a list of mappings")


def test_a_mappings_document_is_one_mapping_or_a_list_of_them() -> None:
    one = {"request": REQUEST, "response": {"status": 201}}
    assert [s.response.status for s in parse_mappings_document(one)] == [201]
    both = parse_mappings_document({"mappings": [one, {**one, "response": {"status": 202}}]})
    assert [s.response.status for s in both] == [201, 202]


@pytest.mark.parametrize(
    ("options", "pointer"),
    [
        ({"deleteAllNotInImport": "yes"}, "/importOptions/deleteAllNotInImport"),
        ({"deleteAllNotInImport": 1}, "/importOptions/deleteAllNotInImport"),
        ({"duplicatePolicy": "MERGE"}, "/importOptions/duplicatePolicy"),
        ({"deleteAll": True}, "/importOptions/deleteAll"),
        ([], "/importOptions"),
    ],
)
def test_import_options_are_typed(options: Any, pointer: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_import_options(json.loads(json.dumps(options)))
    assert info.value.pointer == pointer


def test_import_options_defaults() -> None:
    assert parse_import_options(None).deleteAllNotInImport is False
    assert parse_import_options(None).duplicatePolicy == "OVERWRITE"
    parsed = parse_import_options({"deleteAllNotInImport": True, "duplicatePolicy": "IGNORE"})
    assert (parsed.deleteAllNotInImport, parsed.duplicatePolicy) == (True, "IGNORE")
