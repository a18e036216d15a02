"""mockbdd.sim.timeline: the settings in force at a moment, from the moment they were set."""

from __future__ import annotations

from typing import Any

from mockbdd.domain.delays import FixedDelay, LogNormalDelay
from mockbdd.domain.limits import RateLimit
from mockbdd.domain.namespace import Namespace, Settings
from mockbdd.domain.simulation import Bandwidth, Chaos
from mockbdd.sim.timeline import lerp, settings_in_force
from mockbdd.wire.settings import parse_settings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def namespace(body: dict[str, Any]) -> tuple[Namespace, Clock]:
    clock = Clock()
    ns = Namespace("t", clock=clock)
    ns.update_settings(parse_settings(body))
    return ns, clock


def at(ns: Namespace, clock: Clock, ms: float) -> Settings:
    return settings_in_force(ns, clock.now + ms / 1000)


def test_without_a_timeline_the_settings_themselves_are_in_force() -> None:
    ns, clock = namespace({"chaos": {"errorRate": 0.1}})
    assert settings_in_force(ns, clock.now + 5) is ns.settings


def test_steps_set_what_they_name_and_keep_the_rest() -> None:
    ns, clock = namespace(
        {
            "chaos": {"errorRate": 0.1},
            "fixedDelay": 20,
            "timeline": [
                {"atMs": 1000, "settings": {"chaos": {"errorRate": 0.5, "errorStatus": 503}}},
                {"atMs": 3000, "settings": {"rateLimit": {"requests": 5, "periodMs": 1000}}},
            ],
        }
    )
    before = at(ns, clock, 999)
    assert before.simulation.chaos == Chaos(0.1)
    assert before.fixed_delay_ms == 20
    assert not before.timeline  # what is in force has no timeline of its own
    step = at(ns, clock, 1000)
    assert step.simulation.chaos == Chaos(0.5, 503)
    assert step.fixed_delay_ms == 20
    assert step.rate_limit is None
    late = at(ns, clock, 60_000)
    assert late.simulation.chaos == Chaos(0.5, 503)
    assert late.rate_limit == RateLimit(5, 1000)


def test_a_ramp_moves_numbers_linearly_from_the_values_in_force() -> None:
    ns, clock = namespace(
        {
            "delayDistribution": {"type": "lognormal", "median": 100, "sigma": 0.2},
            "chaos": {"errorRate": 0.1, "errorStatus": 503},
            "timeline": [
                {
                    "atMs": 1000,
                    "rampMs": 1000,
                    "to": {
                        "delayDistribution": {"type": "lognormal", "median": 500, "sigma": 0.6},
                        "chaos": {"errorRate": 0.5, "errorStatus": 500},
                    },
                }
            ],
        }
    )
    assert at(ns, clock, 1000).delay_distribution == LogNormalDelay(100, 0.2)
    middle = at(ns, clock, 1500)
    assert middle.delay_distribution == LogNormalDelay(300, 0.4)
    assert middle.simulation.chaos is not None
    assert abs(middle.simulation.chaos.error_rate - 0.3) < 1e-9
    assert middle.simulation.chaos.error_status == 500  # statuses switch, never ramp
    assert at(ns, clock, 2000).delay_distribution == LogNormalDelay(500, 0.6)


def test_a_setting_not_in_force_ramps_up_from_nothing() -> None:
    ns, clock = namespace(
        {
            "timeline": [
                {
                    "atMs": 0,
                    "rampMs": 1000,
                    "to": {
                        "chaos": {"errorRate": 0.4},
                        "fixedDelay": 200,
                        "bandwidth": {"bytesPerSecond": 100},
                        "rateLimit": {"requests": 10, "periodMs": 1000},
                    },
                }
            ]
        }
    )
    quarter = at(ns, clock, 250)
    assert quarter.simulation.chaos is not None
    assert abs(quarter.simulation.chaos.error_rate - 0.1) < 1e-9
    assert quarter.delay_distribution == FixedDelay(50.0)
    assert quarter.simulation.bandwidth == Bandwidth(100.0)  # no zero: switches at once
    assert quarter.rate_limit == RateLimit(10, 1000)


def test_limits_ramp_in_whole_numbers() -> None:
    start, end = RateLimit(100, 1000), RateLimit(10, 1000, status=503)
    assert lerp(start, end, 0.5) == RateLimit(55, 1000, status=503)
    assert lerp(start, end, 1.0) is end


def test_a_delay_of_another_type_switches_at_the_ramp_start() -> None:
    ns, clock = namespace(
        {
            "fixedDelay": 10,
            "timeline": [
                {
                    "atMs": 0,
                    "rampMs": 100,
                    "to": {"delayDistribution": {"type": "uniform", "lower": 1, "upper": 2}},
                }
            ],
        }
    )
    assert (
        at(ns, clock, 10).delay_distribution
        == parse_settings(
            {"delayDistribution": {"type": "uniform", "lower": 1, "upper": 2}}
        ).delay_distribution
    )


def test_a_timeline_starts_again_when_settings_are_set_or_reset() -> None:
    ns, clock = namespace({"timeline": [{"atMs": 1000, "settings": {"chaos": {"errorRate": 1}}}]})
    ns.set_baseline((), ns.settings)
    clock.now += 5
    assert settings_in_force(ns, clock.now).simulation.chaos == Chaos(1.0)
    ns.reset()
    assert settings_in_force(ns, clock.now).simulation.chaos is None
    clock.now += 1
    assert settings_in_force(ns, clock.now).simulation.chaos == Chaos(1.0)


def test_the_values_in_force_are_right_whatever_order_the_moments_are_asked_in() -> None:
    """The stretch found last is kept (a request inside it costs two comparisons): asking
    back and forth across steps and through a ramp gives what asking afresh gives."""
    body = {
        "chaos": {"errorRate": 0.1},
        "timeline": [
            {"atMs": 1000, "settings": {"chaos": {"errorRate": 0.5}}},
            {"atMs": 2000, "rampMs": 1000, "to": {"chaos": {"errorRate": 0.9}}},
            {"atMs": 4000, "settings": {"chaos": {"errorRate": 0.2}}},
        ],
    }
    ns, clock = namespace(body)
    moments = [1500, 500, 1500, 999, 1000, 2500, 1999, 3500, 2250, 4000, 3999, 9000, 0, 2000]
    seen = [at(ns, clock, ms).simulation.chaos for ms in moments]
    for ms, chaos in zip(moments, seen, strict=True):
        fresh, fresh_clock = namespace(body)
        assert at(fresh, fresh_clock, ms).simulation.chaos == chaos, ms
    rates = [c.error_rate if c is not None else None for c in seen]
    assert rates[:5] == [0.5, 0.1, 0.5, 0.1, 0.5]
    assert rates[5] == 0.7  # half way up the ramp from 0.5 to 0.9
    assert rates[-5:] == [0.2, 0.9, 0.2, 0.1, 0.5]
