"""``mockbdd schema`` says what the server says: every mapping the server accepts validates,
and what the review found advertised but refused (``scenarioKey``, tag-map ``settings.chaos``
and ``data``) or refused but accepted (priority below 1) now agrees, over real HTTP."""

from __future__ import annotations

import copy
import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from bench.wiremock_diff_cases import all_cases
from mockbdd.domain.errors import InvalidInput
from mockbdd.extensions import assemble
from mockbdd.server.embedded import MockServer
from mockbdd.tagmaps.schema import mapping_schema, schema_json, tag_map_schema
from mockbdd.wire import builtins
from mockbdd.wire.mappings import parse_stub_mapping
from tests.integration import test_bad_input_never_500 as bad_input
from tests.integration import test_wiremock_docs as docs
from tests.plugins.mockbdd_test_plugin import mockbdd_test_plugin as plugin

ROOT = Path(__file__).parents[2]


def stub_validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        schema["$defs"]["StubMapping"] | {"$defs": schema["$defs"]}
    )


STUB = stub_validator(mapping_schema())
TAG_MAP = jsonschema.Draft202012Validator(tag_map_schema())


def accepted(mapping: Any) -> bool:
    try:
        parse_stub_mapping(mapping)
    except InvalidInput:
        return False
    return True


def _lax(error: jsonschema.ValidationError) -> bool:
    """pydantic's lax mode takes ``"200"`` (as WireMock's Jackson does) and ``true`` where a
    number goes; the schema asks for the number, the one deliberate difference."""
    numeric = error.validator == "type" and error.validator_value in ("integer", "number")
    return numeric and isinstance(error.instance, (bool, str))


def _lax_replacement(path: tuple[Any, ...], value: Any) -> bool:
    """The same, for a number of the full mapping replaced by a string or a boolean (inside a
    ``oneOf``, as in ``delayDistribution``, the error is the union's)."""
    original: Any = bad_input.FULL
    for step in path:
        original = original[step]
    numeric = isinstance(original, (int, float)) and not isinstance(original, bool)
    return numeric and isinstance(value, (bool, str))


def problems(validator: jsonschema.Draft202012Validator, document: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:120]}"
        for e in validator.iter_errors(document)
        if not _lax(e)
    ]


def test_the_schemas_are_valid_json_schema() -> None:
    for schema in schema_json().values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_every_corpus_mapping_the_server_accepts_validates() -> None:
    """The WireMock differential corpus: hundreds of mappings, operator × operand × value."""
    mappings = [m for case in all_cases() for m in case.mappings]
    kept = [m for m in mappings if accepted(m)]
    assert len(kept) > 300
    assert [(m, problems(STUB, m)) for m in kept if problems(STUB, m)] == []


def test_every_field_replaced_by_every_wrong_type_agrees_when_the_server_accepts() -> None:
    refused = []
    for path in bad_input.leaves(bad_input.FULL):
        for value in bad_input.WRONG:
            mapping = bad_input.replaced(path, value)
            if accepted(mapping) and problems(STUB, mapping) and not _lax_replacement(path, value):
                refused.append((path, value, problems(STUB, mapping)))
    assert refused == []


def test_lax_numbers_are_the_only_difference_left_out() -> None:
    lax = {"request": {"url": "/x"}, "response": {"status": "201"}, "priority": True}
    assert accepted(lax)
    assert len(list(STUB.iter_errors(lax))) == 2  # not advertised ...
    assert problems(STUB, lax) == []  # ... and known


class Recording(httpx.Client):
    """An admin client that keeps every mapping the server answered, with the status."""

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url=base_url, timeout=10)
        self.seen: list[tuple[Any, int]] = []

    def post(self, url: Any, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        response = super().post(url, **kwargs)
        body = kwargs.get("json")
        if str(url).endswith("/__admin/mappings"):
            self.seen.append((body, response.status_code))
        elif str(url).endswith("/__admin/mappings/import") and isinstance(body, dict):
            self.seen += [(m, response.status_code) for m in body.get("mappings", [])]
        return response


def _calls(test: Any) -> Iterator[dict[str, Any]]:
    """The argument sets of one docs test: its parametrize rows, or none."""
    marks = [m for m in getattr(test, "pytestmark", []) if m.name == "parametrize"]
    if not marks:
        yield {}
        return
    given = marks[0].args[0]
    names = [n.strip() for n in given.split(",")] if isinstance(given, str) else list(given)
    for row in marks[0].args[1]:
        yield dict(zip(names, row, strict=True))


def test_every_documented_wiremock_example_the_server_accepts_validates() -> None:
    tests = [
        f for name, f in inspect.getmembers(docs, inspect.isfunction) if name.startswith("test_")
    ]
    with MockServer() as server, Recording(server.url) as http:
        for test in tests:
            for arguments in _calls(test):
                http.post("/__admin/reset")
                test(http, **arguments)
    created = [m for m, status in http.seen if status in (200, 201)]
    assert len(created) > 20
    assert [(m, problems(STUB, m)) for m in created if problems(STUB, m)] == []
    refused = [m for m, status in http.seen if status == 422]
    assert refused  # the docs tests include refusals (both basic-auth keys): so does the schema
    assert all(problems(STUB, m) for m in refused)


@pytest.mark.parametrize(
    "path",
    [
        ROOT / "tag_maps" / "shop.yaml",
        *sorted((ROOT / "tests/unit/tagmaps/data/tag_maps").glob("*.y*ml")),
    ],
)
def test_the_projects_tag_maps_validate(path: Path) -> None:
    assert problems(TAG_MAP, yaml.safe_load(path.read_text())) == []


def test_scenario_key_and_priorities_agree_over_http(http: httpx.Client) -> None:
    base = {"request": {"url": "/p"}, "response": {"status": 200}}
    keyed = {**base, "scenarioName": "s", "scenarioKey": "$.id"}
    resp = http.post("/__admin/mappings", json=keyed)
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["title"].startswith(
        "unknown field 'scenarioKey'; did you mean 'scenarioName'? (known: id, uuid, name, "
    )
    assert problems(STUB, keyed) == [
        ": Additional properties are not allowed ('scenarioKey' was unexpected)"
    ]
    for priority in (0, -1, 1, 10):
        assert (
            http.post("/__admin/mappings", json={**base, "priority": priority}).status_code == 201
        )
        assert problems(STUB, {**base, "priority": priority}) == []
    fractional = {**base, "priority": 1.5}
    assert http.post("/__admin/mappings", json=fractional).status_code == 422
    assert problems(STUB, fractional)


RESERVED = """\
version: 1
maps:
  flaky:
    settings: {limits: {requests: 5}}
    services:
      api:
        - request: {path: /a}
          response: {status: 200}
          priority: 0
  crud:
    data: {users: [{id: 1}]}
  slow:
    settings: {delay: 2s, delayDistribution: {type: uniform, lower: 1, upper: "{ms}"}}
    params: {ms: {type: int, default: 5}}
    services:
      api:
        - request: {path: /b}
          response: {status: "{code}"}
    scenarios: {s: Started}
"""


def test_reserved_tag_map_keys_are_refused_by_schema_and_server(tmp_path: Path) -> None:
    (tmp_path / "maps.yaml").write_text(RESERVED)
    document = yaml.safe_load(RESERVED)
    assert sorted(problems(TAG_MAP, document)) == [
        "maps/flaky/settings: Additional properties are not allowed ('limits' was unexpected)",
    ]
    with MockServer(tag_maps=tmp_path) as server, httpx.Client(base_url=server.url) as http:
        resp = http.post("/__admin/tag-maps/flaky/apply", json={})
        assert resp.status_code == 422, resp.text
        assert resp.json()["errors"][0]["source"]["pointer"] == "/settings"
        # CRUD data is in the schema; a collection with no service to be served under is not
        resp = http.post("/__admin/tag-maps/crud/apply", json={})
        assert resp.status_code == 422, resp.text
        assert "collection 'users' needs a service" in resp.text
    allowed = copy.deepcopy(document)
    del allowed["maps"]["flaky"]["settings"]["limits"]
    assert problems(TAG_MAP, allowed) == []  # priority 0, placeholders for numbers


def test_plugins_reach_the_schema_through_the_registry() -> None:
    plugged = schema_json(assemble([builtins.register, plugin.register], plugins=False))
    mapping = {
        "request": {
            "headers": {"X": {"isPalindrome": True, "ignoreCase": True}},
            "customMatcher": {"name": "path-length", "parameters": {"max": 3}},
        },
        "response": {"delayDistribution": {"type": "exactly", "ms": 5}, "transformers": ["upper"]},
    }
    assert problems(stub_validator(plugged["mappingFile"]), mapping) == []
    assert [p.split(":")[0] for p in problems(STUB, mapping)] == [
        "request/headers/X",
        "request/customMatcher/name",
        "response/delayDistribution",
        "response/transformers/0",
    ]  # the built-ins alone know none of them
    defs = plugged["mappingFile"]["$defs"]
    assert defs["TransformerName"] == {
        "enum": [
            "openai-chat",
            "openai-embeddings",
            "openai-models",
            "anthropic-messages",
            "crud",
            "response-template",
            "jinja",
            "json-body-from-schema",
            "template-files",
            "upper",
        ]
    }
    assert defs["Fault"] == {
        "enum": [
            "CONNECTION_RESET_BY_PEER",
            "EMPTY_RESPONSE",
            "MALFORMED_RESPONSE_CHUNK",
            "RANDOM_DATA_THEN_CLOSE",
            "NO_RESPONSE",
            "TRUNCATED_BODY",
        ]
    }
    assert [b["properties"]["type"]["const"] for b in defs["DelayDistribution"]["oneOf"]] == [
        "fixed", "uniform", "lognormal", "normal", "exponential", "pareto", "poisson", "mixture",
        "percentiles", "empirical", "exactly",
    ]  # fmt: skip
