"""The wire codecs read the registry: operators, delay types, faults, transformers and custom
matchers registered by a plugin are decoded, encoded and refused like the built-ins."""

from __future__ import annotations

import random
from types import MappingProxyType
from typing import Any

import pytest

from mockbdd import templating
from mockbdd.domain.custom_matchers import CUSTOM_MATCHERS
from mockbdd.domain.delays import FixedDelay, LogNormalDelay, UniformDelay
from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.faults import FAULTS, Fault, FaultContext
from mockbdd.domain.namespace import Namespace, Settings
from mockbdd.domain.requests import Body, RecordedRequest
from mockbdd.domain.responses import TRANSFORMERS, ResponseDefinition, TransformContext
from mockbdd.extensions import ExtensionError, Extensions, assemble
from mockbdd.templating import file_routes
from mockbdd.wire import builtins, content_operators, delay_codec, delays, operators, patterns
from mockbdd.wire.builtins import BUILTIN
from mockbdd.wire.delays import DELAY_TYPES, FIXED, delay_json, parse_delay
from mockbdd.wire.errors import unknown_name
from mockbdd.wire.mappings import parse_request_pattern, parse_stub_mapping
from mockbdd.wire.patterns import CONTENT_OPERATORS, Operator, parse_content_pattern
from mockbdd.wire.settings import parse_settings, settings_json
from tests.plugins.mockbdd_test_plugin import mockbdd_test_plugin as plugin

PLUGGED = assemble([builtins.register, plugin.register], plugins=False)


def req(path: str = "/a", headers: dict[str, list[str]] | None = None) -> RecordedRequest:
    return RecordedRequest(
        method="GET", url=path, path=path, query={}, headers=headers or {}, body=Body(b"")
    )


def refused(obj: Any, extensions: Extensions = PLUGGED) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        parse_stub_mapping(obj, extensions=extensions)
    return info.value


def test_the_builtin_instance_is_frozen_and_has_every_builtin() -> None:
    assert BUILTIN.frozen
    assert BUILTIN.names(DELAY_TYPES) == (
        "fixed",
        "uniform",
        "lognormal",
        "normal",
        "exponential",
        "pareto",
        "poisson",
        "mixture",
        "percentiles",
        "empirical",
    )
    assert BUILTIN.names(FAULTS) == tuple(f.value for f in Fault)
    assert BUILTIN.names(TRANSFORMERS) == (
        "openai-chat",
        "openai-embeddings",
        "openai-models",
        "anthropic-messages",
        "crud",
        "response-template",
        "jinja",
        "json-body-from-schema",
        "template-files",
    )
    assert BUILTIN.names(CUSTOM_MATCHERS) == ("template-files",)
    assert templating.TEMPLATE_FILES == file_routes.NAME
    assert isinstance(
        BUILTIN.get(CUSTOM_MATCHERS, "template-files"), file_routes.TemplateFilesMatcher
    )
    with pytest.raises(ExtensionError):
        BUILTIN.add(DELAY_TYPES, "other", FIXED)


# -- content operators ----------------------------------------------------------------------


def test_the_builtin_operators_are_named_at_start_up_and_made_from_their_module() -> None:
    assert tuple(operators.BUILTIN_OPERATORS) == content_operators.BUILTIN_NAMES
    for name, entry in operators.BUILTIN_OPERATORS.items():
        assert BUILTIN.get(CONTENT_OPERATORS, name) is entry
    assert set(patterns._MULTI) == content_operators.MULTI_VALUE


def test_a_registered_operator_decodes_anywhere_a_pattern_goes() -> None:
    pattern = parse_content_pattern(
        {"not": {"isPalindrome": True, "ignoreCase": True}}, "/p", extensions=PLUGGED
    )
    assert pattern.match("abc").is_exact
    assert not pattern.match("Abba").is_exact
    stub = parse_stub_mapping(
        {"request": {"headers": {"X": {"isPalindrome": True}}}, "response": {}},
        extensions=PLUGGED,
    )
    assert stub.request.matches(req(headers={"x": ["abba"]}))
    assert not stub.request.matches(req(headers={"x": ["abab"]}))


def test_operator_errors_list_the_registered_operators() -> None:
    error = refused({"request": {"bodyPatterns": [{"isPalindrom": True}]}, "response": {}})
    assert error.pointer == "/request/bodyPatterns/0"
    assert error.reason.startswith("must be one of the registered content operators (")
    assert error.reason.endswith("got 'isPalindrom'; did you mean 'isPalindrome'?")
    assert "isPalindrome" in error.reason.split(", got")[0]
    nested = refused({"request": {"bodyPatterns": [{"isPalindrome": False}]}, "response": {}})
    assert (nested.pointer, nested.reason) == (
        "/request/bodyPatterns/0",
        "isPalindrome must be true",
    )
    # the built-in instance does not know the plugin's operator
    assert (
        "isPalindrome"
        not in refused(
            {"request": {"bodyPatterns": [{"isPalindrome": True}]}, "response": {}}, BUILTIN
        ).reason.split(", got")[0]
    )


def test_a_builder_may_refuse_with_a_plain_value_error() -> None:
    def build(value: Any, obj: Any, ctx: Any) -> Any:
        raise ValueError("not today")

    ext = assemble([builtins.register, lambda e: e.add(CONTENT_OPERATORS, "x", Operator(build))])
    with pytest.raises(InvalidInput) as info:
        parse_content_pattern({"and": [{"x": 1}]}, "/b", extensions=ext)
    assert (info.value.pointer, info.value.reason) == ("/b/and/0", "not today")


def test_operator_entries_are_checked_when_registered() -> None:
    ext = Extensions()
    with pytest.raises(ExtensionError, match=r"must be a mockbdd\.wire\.patterns\.Operator"):
        ext.add(CONTENT_OPERATORS, "x", lambda v, o, c: None)  # type: ignore[arg-type]
    with pytest.raises(ExtensionError, match="multi-value pattern"):
        ext.add(CONTENT_OPERATORS, "includes", Operator(lambda v, o, c: None))  # type: ignore[arg-type, return-value]


# -- delay types ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("obj", "delay"),
    [
        ({"type": "fixed", "milliseconds": 5}, FixedDelay(5)),
        ({"type": "uniform", "lower": 1, "upper": 2}, UniformDelay(1, 2)),
        ({"type": "lognormal", "median": 80, "sigma": 0.4}, LogNormalDelay(80, 0.4)),
        (
            {"type": "lognormal", "median": 80, "sigma": 0.4, "maxValue": 90},
            LogNormalDelay(80, 0.4, 90),
        ),
        ({"type": "exactly", "ms": 7}, plugin.ExactDelay(7)),
    ],
)
def test_each_delay_type_decodes_and_encodes_back(obj: dict[str, Any], delay: object) -> None:
    assert parse_delay(obj, "/d", extensions=PLUGGED) == delay
    assert delay_json(parse_delay(obj, "/d", extensions=PLUGGED), extensions=PLUGGED) == obj


@pytest.mark.parametrize(
    ("obj", "pointer", "reason"),
    [
        ([], "/d", "must be an object with a 'type' (fixed, uniform, lognormal, normal, exponential, pareto, poisson, mixture, percentiles, empirical, exactly)"),
        ({"ms": 1}, "/d/type", "required: one of fixed, uniform, lognormal, normal, exponential, pareto, poisson, mixture, percentiles, empirical, exactly"),
        ({"type": ["fixed"]}, "/d/type",
         "must be one of the registered delay types (fixed, uniform, lognormal, normal, exponential, pareto, poisson, mixture, percentiles, empirical, exactly), "
         "got ['fixed']"),
        ({"type": "unifrom"}, "/d/type",
         "must be one of the registered delay types (fixed, uniform, lognormal, normal, exponential, pareto, poisson, mixture, percentiles, empirical, exactly), "
         "got 'unifrom'; did you mean 'uniform'?"),
        ({"type": "uniform", "lower": 3, "upper": 2}, "/d/lower", "must not be greater than 'upper'"),
        ({"type": "exactly", "ms": 1, "extra": 1}, "/d/extra", "unknown field 'extra' (known: ms)"),
        ({"type": "fixed"}, "/d/milliseconds", "required"),
    ],
)  # fmt: skip
def test_delay_errors_name_field_and_valid_types(obj: Any, pointer: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_delay(obj, "/d", extensions=PLUGGED)
    assert (info.value.pointer, info.value.reason) == (pointer, reason)


def test_settings_round_trip_a_plugin_delay_type() -> None:
    body = {"delayDistribution": {"type": "exactly", "ms": 12}, "fixedDelay": 3}
    settings = parse_settings(body, extensions=PLUGGED)
    assert settings == Settings(3, plugin.ExactDelay(12), {})
    assert settings_json(settings, extensions=PLUGGED) == body
    with pytest.raises(InvalidInput, match="registered delay type"):
        parse_settings(body)  # the built-ins alone do not know it
    with pytest.raises(TypeError, match="no delay type is registered for ExactDelay"):
        settings_json(settings)


def test_the_builtin_delay_types_are_named_at_start_up_and_made_from_their_module() -> None:
    assert tuple(delays.BUILTIN_TYPES) == delay_codec.BUILTIN_NAMES
    for name, entry in delays.BUILTIN_TYPES.items():
        assert BUILTIN.get(DELAY_TYPES, name) is entry


def test_two_names_for_one_distribution_encode_as_the_first() -> None:
    ext = assemble([builtins.register, lambda e: e.add(DELAY_TYPES, "constant", FIXED)])
    assert parse_delay({"type": "constant", "milliseconds": 4}, "/d", extensions=ext) == FixedDelay(
        4
    )
    assert delay_json(FixedDelay(4), extensions=ext) == {"type": "fixed", "milliseconds": 4}


def test_delay_type_entries_are_checked_when_registered() -> None:
    ext = Extensions()
    with pytest.raises(ExtensionError, match=r"must be a mockbdd\.wire\.delays\.DelayType"):
        ext.add(DELAY_TYPES, "x", FixedDelay)  # type: ignore[arg-type]
    typed = type(FIXED)(plugin.ExactlyModel, dict, FIXED.build, FIXED.encode)
    with pytest.raises(ExtensionError, match="sample_ms"):
        ext.add(DELAY_TYPES, "x", typed)
    untyped = type(FIXED)(dict, FixedDelay, FIXED.build, FIXED.encode)
    with pytest.raises(ExtensionError, match="its model must be a pydantic model"):
        ext.add(DELAY_TYPES, "x", untyped)

    class Typed(plugin.ExactlyModel):
        type: str = "x"

    with pytest.raises(ExtensionError, match="must not declare 'type'"):
        ext.add(DELAY_TYPES, "x", type(FIXED)(Typed, FixedDelay, FIXED.build, FIXED.encode))


def test_a_plugin_delay_samples_from_the_stub() -> None:
    stub = parse_stub_mapping(
        {"request": {}, "response": {"delayDistribution": {"type": "exactly", "ms": 9}}},
        extensions=PLUGGED,
    )
    assert isinstance(stub.response, ResponseDefinition)
    assert stub.response.delay is not None
    assert stub.response.delay.sample_ms(random.Random(1)) == 9


# -- faults -----------------------------------------------------------------------------------


def test_faults_are_the_registered_names() -> None:
    for fault in Fault:
        stub = parse_stub_mapping({"request": {}, "response": {"fault": fault.value}})
        assert isinstance(stub.response, ResponseDefinition)
        assert stub.response.fault == fault.value
    error = refused({"request": {}, "response": {"fault": "EMPTY_RESPONS"}})
    assert error.pointer == "/response/fault"
    assert error.reason == (
        "must be one of the registered faults (CONNECTION_RESET_BY_PEER, EMPTY_RESPONSE, "
        "MALFORMED_RESPONSE_CHUNK, RANDOM_DATA_THEN_CLOSE, NO_RESPONSE, TRUNCATED_BODY), "
        "got 'EMPTY_RESPONS'; did you mean 'EMPTY_RESPONSE'?"
    )


def test_a_plugin_fault_name_is_accepted_as_it_is_registered() -> None:
    async def hang_up(ctx: FaultContext) -> None:
        ctx.close()

    ext = assemble([builtins.register, lambda e: e.add(FAULTS, "HANG_UP", hang_up)], plugins=False)
    stub = parse_stub_mapping({"request": {}, "response": {"fault": "HANG_UP"}}, extensions=ext)
    assert isinstance(stub.response, ResponseDefinition)
    assert stub.response.fault == "HANG_UP"
    assert refused({"request": {}, "response": {"fault": "HANG_UP"}}).pointer == "/response/fault"


# -- transformers -----------------------------------------------------------------------------


def test_a_registered_transformer_is_kept_with_read_only_parameters() -> None:
    stub = parse_stub_mapping(
        {
            "request": {},
            "response": {
                "body": "hi",
                "transformers": ["upper"],
                "transformerParameters": {"exclaim": True, "nested": {"a": [1]}},
            },
        },
        extensions=PLUGGED,
    )
    response = stub.response
    assert isinstance(response, ResponseDefinition)
    assert not response.is_static  # a transformed answer leaves the pre-serialised path
    [(name, parameters)] = response.transformers
    assert name == "upper"
    assert isinstance(parameters, MappingProxyType)
    assert parameters["nested"] == MappingProxyType({"a": (1,)})
    upper = PLUGGED.get(TRANSFORMERS, "upper")
    assert upper is not None
    assert (
        upper.transform(response, req(), parameters, TransformContext(Namespace("t"))).body
        == b"HI!"
    )
    assert stub.source["response"]["transformers"] == ["upper"]  # the JSON round-trips


def test_transformers_and_their_parameters_are_refused_in_mockbdds_voice() -> None:
    error = refused({"request": {}, "response": {"transformers": ["upper", "velocity"]}})
    assert error.pointer == "/response/transformers/1"
    assert error.reason == (
        "must be one of the registered response transformers (openai-chat, openai-embeddings, "
        "openai-models, anthropic-messages, crud, response-template, jinja, json-body-from-schema, "
        "template-files, upper), got 'velocity'"
    )
    bad = {"transformers": ["upper"], "transformerParameters": {"exclaim": 1}}
    error = refused({"request": {}, "response": bad})
    assert (error.pointer, error.reason) == (
        "/response/transformerParameters",
        "'exclaim' must be true or false",
    )
    # parameters with no transformer are WireMock's, and kept
    plain = parse_stub_mapping({"request": {}, "response": {"transformerParameters": {"a": 1}}})
    assert isinstance(plain.response, ResponseDefinition)
    assert plain.response.is_static


# -- custom matchers --------------------------------------------------------------------------


def test_a_custom_matcher_joins_the_other_fields() -> None:
    pattern = parse_request_pattern(
        {
            "urlPathPattern": "/[a-z]+",
            "customMatcher": {"name": "path-length", "parameters": {"max": 3}},
        },
        extensions=PLUGGED,
    )
    assert pattern.custom_matcher is not None
    assert not pattern.url_only  # the fast path must not skip the matcher
    assert pattern.matches(req("/ab"))
    assert not pattern.matches(req("/abcd"))
    assert not pattern.matches(req("/12"))
    rows = {row.field: row for row in pattern.evaluate(req("/abcd")).fields}
    assert rows["custom matcher"].expected == 'customMatcher path-length {"max": 3}'
    assert rows["custom matcher"].result.distance == pytest.approx(0.4)
    assert pattern.evaluate(req("/ab")).is_exact


def test_custom_matcher_names_and_parameters_are_checked() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_request_pattern({"customMatcher": {"name": "path-len"}}, extensions=PLUGGED)
    assert (info.value.pointer, info.value.reason) == (
        "/customMatcher/name",
        "must be one of the registered custom matchers (template-files, path-length), got "
        "'path-len'; did you "
        "mean 'path-length'?",
    )
    with pytest.raises(InvalidInput) as info:
        parse_request_pattern({"customMatcher": {"name": "path-length"}}, extensions=PLUGGED)
    assert info.value.pointer == "/customMatcher/parameters"
    with pytest.raises(InvalidInput) as info:
        parse_request_pattern({"customMatcher": {"name": "x"}})
    assert info.value.reason == (
        "must be one of the registered custom matchers (template-files), got 'x'"
    )  # the built-in one serves a tag map's templates: folder
    assert unknown_name("custom matcher", "x", ()) == (
        "no custom matcher is registered, got 'x' (plugins register them through the "
        "mockbdd.plugins entry points)"
    )
    with pytest.raises(InvalidInput) as info:
        parse_request_pattern({"customMatcher": {"parameters": {}}})
    assert (info.value.pointer, info.value.reason) == ("/customMatcher/name", "required")


def test_matcher_and_transformer_entries_are_checked_when_registered() -> None:
    ext = Extensions()
    with pytest.raises(ExtensionError, match="needs check\\(\\) and match\\(\\)"):
        ext.add(CUSTOM_MATCHERS, "m", plugin.Upper())  # type: ignore[arg-type]
    with pytest.raises(ExtensionError, match="needs check\\(\\) and transform\\(\\)"):
        ext.add(TRANSFORMERS, "t", plugin.PathLength())  # type: ignore[arg-type]


def test_the_exchange_mocks_are_registered_by_name_and_loaded_at_their_first_mount() -> None:
    from mockbdd.domain.frozen import freeze
    from mockbdd.domain.service_plugins import SERVICE_PLUGINS
    from mockbdd.exchanges import BUILT_IN
    from mockbdd.exchanges.plugin import MountedExchange

    assert {cls.name: cls for cls in BUILT_IN} == {
        name: type(BUILTIN.get(SERVICE_PLUGINS, name).plugin())  # type: ignore[union-attr]
        for name in builtins.EXCHANGES
    }
    entry = builtins.OnFirstUse("mockbdd.exchanges.kraken", "KrakenSpot")
    with pytest.raises(ValueError):
        entry.check({"symbols": 7})
    pair = {"symbol": "BTC/USD", "interval": "1m", "initialPrice": 50000.0}
    config = freeze({"tradingPairs": [pair], "seed": 7})  # as mounts hand it
    entry.check(config)
    mounted = entry.mount("market", config, random.Random(1))
    assert isinstance(mounted, MountedExchange)
    assert entry.plugin() is entry.plugin()  # made once
