"""mockbdd.wire.simulation: DESIGN §11's settings shapes decoded whole (field, reason, the
valid choices) and echoed back; the same shapes on a stub's response."""

from __future__ import annotations

from typing import Any

import pytest

from mockbdd.domain.delays import FixedDelay, SeededDelay
from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.domain.simulation import (
    Bandwidth,
    Chaos,
    Degradation,
    Network,
    Simulation,
)
from mockbdd.sim.distributions import MixtureDelay, NormalDelay
from mockbdd.wire.builtins import BUILTIN
from mockbdd.wire.delays import delay_json, parse_delay
from mockbdd.wire.mappings import parse_stub_mapping
from mockbdd.wire.settings import parse_settings, settings_json


@pytest.mark.parametrize(
    "body",
    [
        {"chaos": {"errorRate": 0.1, "errorStatus": 503, "dropRate": 0.2, "dropMode": "hang"}},
        {"chaos": {"errorRate": 0.5, "errorStatus": 500, "dropRate": 0.0, "dropMode": "reset",
                   "seed": 7, "errorBody": {"error": "down"}}},
        {"chaos": {"errorRate": 1.0, "errorStatus": 500, "dropRate": 0.0, "dropMode": "reset",
                   "errorBody": "oops"}},
        {"network": {"latencyMs": 40.0, "jitterMs": 5.0, "packetLossRate": 0.01,
                     "errorRate": 0.02}},
        {"bandwidth": {"bytesPerSecond": 1024.0}},
        {"degradation": {"perInFlightMs": 3.0}},
        {"degradation": {"model": "mm1", "serviceMs": 20.0}},
        {"seed": 42},
        {"timeline": [
            {"atMs": 0.0, "settings": {"fixedDelay": 5}},
            {"atMs": 1000.0, "rampMs": 500.0,
             "to": {"delayDistribution": {"type": "fixed", "milliseconds": 300.0},
                    "chaos": {"errorRate": 0.5, "errorStatus": 500, "dropRate": 0.0,
                              "dropMode": "reset"},
                    "rateLimit": {"requests": 5, "periodMs": 1000, "key": "ip", "status": 429}}},
        ]},
    ],
)  # fmt: skip
def test_simulation_settings_round_trip(body: dict[str, Any]) -> None:
    assert settings_json(parse_settings(body)) == body


def test_settings_decode_to_the_domain_values() -> None:
    settings = parse_settings(
        {
            "chaos": {"errorRate": 0.25, "errorBody": {"e": 1}},
            "network": {"latencyMs": 10},
            "bandwidth": {"bytesPerSecond": 100},
            "degradation": {"perInFlightMs": 2},
            "seed": 3,
        }
    )
    assert settings.simulation == Simulation(
        Chaos(0.25, 500, b'{"e": 1}', "application/json"),
        Network(10.0),
        Bandwidth(100.0),
        Degradation(per_in_flight_ms=2.0),
    )
    assert settings.seed == 3


def test_a_stub_carries_its_own_simulation_settings() -> None:
    stub = parse_stub_mapping(
        {
            "request": {"urlPath": "/pay"},
            "response": {
                "status": 200,
                "chaos": {"errorRate": 0.5, "seed": 1},
                "bandwidth": {"bytesPerSecond": 10},
                "network": {"latencyMs": 5},
                "degradation": {"model": "mm1", "serviceMs": 10},
            },
        }
    )
    assert isinstance(stub.response, ResponseDefinition)
    sim = stub.response.simulation
    assert sim is not None
    assert sim.chaos == Chaos(0.5, seed=1)
    assert sim.bandwidth == Bandwidth(10.0)
    assert sim.network == Network(5.0)
    assert sim.degradation == Degradation(model="mm1", service_ms=10.0)
    plain = parse_stub_mapping({"request": {}, "response": {"status": 200}})
    assert isinstance(plain.response, ResponseDefinition)
    assert plain.response.simulation is None  # nothing set: the stub stays on the fast path


@pytest.mark.parametrize(
    ("body", "pointer", "reason"),
    [
        ({"chaos": {"errorRate": 1.5}}, "/chaos/errorRate",
         "must be at most 1, got 1.5"),
        ({"chaos": {"errorRate": 0.6, "dropRate": 0.6}}, "/chaos",
         "errorRate + dropRate must not exceed 1, got 1.2"),
        ({"chaos": {"dropMode": "slow"}}, "/chaos/dropMode", "must be one of 'reset', 'hang', got 'slow'"),
        ({"chaos": {"errorRat": 0.1}}, "/chaos/errorRat",
         "unknown field 'errorRat'; did you mean 'errorRate'? (known: errorRate, errorStatus, "
         "errorBody, dropRate, dropMode, seed)"),
        ({"network": {"packetLossRate": 0.7, "errorRate": 0.7}}, "/network",
         "packetLossRate + errorRate must not exceed 1, got 1.4"),
        ({"bandwidth": {"bytesPerSecond": 0}}, "/bandwidth/bytesPerSecond",
         "must be greater than 0, got 0"),
        ({"degradation": {}}, "/degradation/model",
         "required: give perInFlightMs, or model 'mm1' with serviceMs"),
        ({"degradation": {"model": "mm1"}}, "/degradation/serviceMs",
         "required: give perInFlightMs, or model 'mm1' with serviceMs"),
        ({"degradation": {"perInFlightMs": 1, "model": "mm1"}}, "/degradation",
         "give either perInFlightMs, or model 'mm1' with serviceMs, not both"),
        ({"degradation": {"model": "mg1", "serviceMs": 1}}, "/degradation/model",
         "must be one of 'mm1', got 'mg1'"),
        ({"seed": -1}, "/seed", "must be a whole number in 0..9223372036854775807"),
        ({"seed": True}, "/seed", "must be a whole number in 0..9223372036854775807"),
        ({"timeline": {"atMs": 0}}, "/timeline", 'must be a list, got {"atMs": 0}'),
        ({"timeline": [{"atMs": 0}]}, "/timeline/0/settings",
         "required: give 'settings' (a step) or 'rampMs' and 'to' (a ramp)"),
        ({"timeline": [{"atMs": 0, "rampMs": 10}]}, "/timeline/0/to",
         "required: give 'settings' (a step) or 'rampMs' and 'to' (a ramp)"),
        ({"timeline": [{"atMs": 0, "to": {}}]}, "/timeline/0/rampMs",
         "required: give 'settings' (a step) or 'rampMs' and 'to' (a ramp)"),
        ({"timeline": [{"atMs": 0, "settings": {}, "rampMs": 5, "to": {}}]}, "/timeline/0",
         "give either 'settings' (a step) or 'rampMs' and 'to' (a ramp)"),
        ({"timeline": [{"atMs": 0, "rampMs": 100, "to": {}}, {"atMs": 50, "settings": {}}]},
         "/timeline/1/atMs",
         "must not be before 100: entries are in time order and a ramp ends before the next "
         "entry starts"),
        ({"timeline": [{"atMs": 0, "settings": {"rateLimit": {"requests": 0, "periodMs": 1}}}]},
         "/timeline/0/settings/rateLimit/requests", "must be a whole number in 1..1000000000, got 0"),
        ({"timeline": [{"atMs": 0, "settings": {"chaos": {"errorRate": 2}}}]},
         "/timeline/0/settings/chaos/errorRate", "must be at most 1, got 2"),
        ({"timeline": [{"atMs": 0, "settings": {"delayDistribution": {"type": "gamma"}}}]},
         "/timeline/0/settings/delayDistribution/type",
         "must be one of the registered delay types (fixed, uniform, lognormal, normal, "
         "exponential, pareto, poisson, mixture, percentiles, empirical), got 'gamma'"),
        ({"timeline": [{"atMs": 0, "settings": {"fixedDelay": 1, "delayDistribution": {
            "type": "fixed", "milliseconds": 1}}}]},
         "/timeline/0/settings/delayDistribution", "give either fixedDelay or delayDistribution"),
    ],
)  # fmt: skip
def test_bad_simulation_settings_are_refused_whole(
    body: dict[str, Any], pointer: str, reason: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_settings({"fixedDelay": 5, **body})
    assert (info.value.pointer, info.value.reason) == (pointer, reason)


def test_a_seed_gives_a_distribution_its_own_stream_and_is_written_back() -> None:
    obj = {"type": "normal", "mean": 50.0, "stddev": 5.0, "seed": 9}
    delay = parse_delay(obj, "/d", extensions=BUILTIN)
    assert isinstance(delay, SeededDelay)
    assert isinstance(delay.distribution, NormalDelay)
    assert delay_json(delay, extensions=BUILTIN) == obj


def test_a_mixture_part_cannot_have_a_seed_of_its_own() -> None:
    part = {"type": "fixed", "milliseconds": 1, "seed": 3}
    obj = {"type": "mixture", "components": [{"weight": 1, "distribution": part}]}
    with pytest.raises(InvalidInput) as info:
        parse_delay(obj, "/d", extensions=BUILTIN)
    assert info.value.pointer == "/d/components/0/distribution/seed"
    assert "seed the whole" in info.value.reason
    ok = parse_delay(
        {"type": "mixture", "components": [{"weight": 1, "distribution": part | {"seed": None}}]},
        "/d",
        extensions=BUILTIN,
    )
    assert ok == MixtureDelay((_component(FixedDelay(1)),))


def _component(delay: FixedDelay) -> Any:
    from mockbdd.sim.distributions import MixtureComponent

    return MixtureComponent(1.0, delay)


@pytest.mark.parametrize(
    ("obj", "pointer", "reason"),
    [
        ({"type": "lognormal", "median": 100, "sigma": -0.1}, "/d/sigma",
         "must be at least 0, got -0.1"),
        ({"type": "lognormal", "median": 100, "sigma": 0.1, "maxValue": 99}, "/d/maxValue",
         "must not be below the median (100): draws above it are drawn again"),
        ({"type": "normal", "mean": 10, "stddev": -1}, "/d/stddev",
         "must be at least 0, got -1"),
        ({"type": "normal", "mean": 10, "stddev": 1, "min": 5, "max": 4}, "/d/min",
         "must not be greater than 'max' (4)"),
        ({"type": "pareto", "scale": 10, "shape": 0}, "/d/shape", "must be greater than 0, got 0"),
        ({"type": "pareto", "scale": 10, "shape": -2}, "/d/shape",
         "must be greater than 0, got -2"),
        ({"type": "pareto", "scale": 10, "shape": 2, "max": 5}, "/d/max",
         "must not be below 'scale' (10), the smallest value"),
        ({"type": "exponential", "mean": -1}, "/d/mean",
         "must be at least 0, got -1"),
        ({"type": "poisson", "mean": "many"}, "/d/mean", "must be a number, got 'many'"),
        ({"type": "mixture", "components": []}, "/d/components",
         "must have at least 1 item, got []"),
        ({"type": "mixture", "components": [
            {"weight": 0.5, "distribution": {"type": "fixed", "milliseconds": 1}},
            {"weight": 0.4, "distribution": {"type": "fixed", "milliseconds": 2}}]},
         "/d/components", "the weights must sum to 1, they sum to 0.9"),
        ({"type": "mixture", "components": [
            {"weight": 1, "distribution": {"type": "nope"}}]},
         "/d/components/0/distribution/type",
         "must be one of the registered delay types (fixed, uniform, lognormal, normal, "
         "exponential, pareto, poisson, mixture, percentiles, empirical), got 'nope'"),
        ({"type": "percentiles", "p50": 100, "p99": 50}, "/d/p99",
         "must not be below p50 (100): percentiles rise"),
        ({"type": "percentiles", "p50": 100, "p90": 300, "p95": 200, "p99": 500}, "/d/p95",
         "must not be below p90 (300): percentiles rise"),
        ({"type": "percentiles", "p50": 100, "p99": 500, "max": 400}, "/d/max",
         "must not be below p99 (500): percentiles rise"),
        ({"type": "percentiles", "p50": 0, "p99": 5}, "/d/p50", "must be greater than 0, got 0"),
        ({"type": "percentiles", "p50": 1}, "/d/p99", "required"),
        ({"type": "empirical", "samplesMs": []}, "/d/samplesMs",
         "must have at least 1 item, got []"),
        ({"type": "normal", "mean": 1, "stddev": 1, "seed": "x"}, "/d/seed",
         "must be a whole number in 0..9223372036854775807"),
    ],
)  # fmt: skip
def test_bad_distributions_are_refused_with_field_and_reason(
    obj: dict[str, Any], pointer: str, reason: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_delay(obj, "/d", extensions=BUILTIN)
    assert (info.value.pointer, info.value.reason) == (pointer, reason)


@pytest.mark.parametrize(
    "obj",
    [
        {"type": "normal", "mean": 50.0, "stddev": 5.0, "min": 40.0, "max": 60.0},
        {"type": "exponential", "mean": 20.0, "max": 100.0},
        {"type": "pareto", "scale": 10.0, "shape": 2.5},
        {"type": "poisson", "mean": 30.0},
        {"type": "percentiles", "p50": 100.0, "p90": 200.0, "p95": 250.0, "p99": 400.0,
         "max": 1000.0},
        {"type": "empirical", "samplesMs": [1.0, 5.0, 9.0]},
        {"type": "mixture", "components": [
            {"weight": 0.75, "distribution": {"type": "fixed", "milliseconds": 5.0}},
            {"weight": 0.25, "distribution": {"type": "uniform", "lower": 100.0,
                                               "upper": 200.0}}]},
    ],
)  # fmt: skip
def test_mockbdd_distributions_round_trip(obj: dict[str, Any]) -> None:
    assert delay_json(parse_delay(obj, "/d", extensions=BUILTIN), extensions=BUILTIN) == obj
