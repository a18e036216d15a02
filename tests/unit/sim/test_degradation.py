"""mockbdd.sim.degradation and the small delay rules: latency that grows with load, M/M/1."""

from __future__ import annotations

import random

import pytest

from mockbdd.domain.delays import FixedDelay, LogNormalDelay, SeededDelay
from mockbdd.domain.namespace import Namespace
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.domain.simulation import Degradation
from mockbdd.sim.degradation import MAX_RHO, LoadMeter, mm1_sojourn_ms


def test_per_in_flight_adds_for_every_other_request_in_flight() -> None:
    meter, linear = LoadMeter(), Degradation(per_in_flight_ms=5)
    assert [meter.arrive(0.0, linear) for _ in range(3)] == [0, 5, 10]
    meter.leave()
    meter.leave()
    assert meter.arrive(0.0, linear) == 5
    for _ in range(5):
        meter.leave()
    assert meter.in_flight == 0  # never below zero


def test_mm1_gives_the_mean_sojourn_time_for_the_arrival_rate() -> None:
    meter, model = LoadMeter(), Degradation(model="mm1", service_ms=2)
    assert meter.arrive(0.0, model) == pytest.approx(2 / (1 - 0.002))  # one arrival in 1 s
    for i in range(249):
        added = meter.arrive(0.5 + i / 1000, model)
    assert added == pytest.approx(2 / (1 - 0.5))  # 250 per second at 2 ms: rho 0.5
    assert meter.arrive(5.0, model) == pytest.approx(2 / (1 - 0.002))  # the window moved on
    assert mm1_sojourn_ms(10, 5.0) == pytest.approx(10 / (1 - MAX_RHO))  # overload: capped


def test_a_seeded_delay_draws_from_its_own_stream_in_the_namespace() -> None:
    seeded = SeededDelay(LogNormalDelay(100, 0.5), 4)
    assert seeded.sample_ms(random.Random(4)) == LogNormalDelay(100, 0.5).sample_ms(
        random.Random(4)
    )
    ns = Namespace("a", seed=1)
    response = ResponseDefinition(delay=seeded)
    first = [ns.delay_ms(response) for _ in range(5)]
    other, again = (
        Namespace("b", seed=99),
        ResponseDefinition(delay=SeededDelay(seeded.distribution, 4)),
    )
    assert [other.delay_ms(again) for _ in range(5)] == first  # another namespace seed: same
    assert len(set(first)) > 1  # a stream, not one draw repeated
    assert LogNormalDelay(0, 1).sample_ms(random.Random()) == 0.0
    assert ns.delay_ms(ResponseDefinition(delay=FixedDelay(3))) == 3
