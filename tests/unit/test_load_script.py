"""The load script: every mistake named by its field with the reason; the stages' curves; the
seeded schedule; the fixed-size statistics."""

from __future__ import annotations

import itertools
import math
import tracemalloc
from typing import Any

import pytest

from mockbdd.domain.errors import InvalidInput
from mockbdd.load.schedule import arrivals
from mockbdd.load.script import load_script_text, parse_script
from mockbdd.load.stages import Constant, Cycle, Ramp, Spike
from mockbdd.load.stats import MAX_POINTS, StageStats, Timeline, record


def script(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "target": "http://127.0.0.1:8080",
        "seed": 7,
        "requests": [{"method": "GET", "path": "/a"}],
        "stages": [{"kind": "constant", "rate": 100, "duration": "1s"}],
    }
    base.update(over)
    return base


@pytest.mark.parametrize(
    ("over", "pointer", "reason"),
    [
        ({"target": None}, "/target", "is required"),
        ({"target": "https://x"}, "/target", "https is not supported"),
        ({"target": "ftp://x"}, "/target", "must be an http:// URL"),
        ({"arrivals": "poison"}, "/arrivals", "did you mean 'poisson'?"),
        ({"maxInFlight": 0}, "/maxInFlight", "≥ 1"),
        ({"timeout": "soon"}, "/timeout", "a duration such as"),
        ({"timeout": 0}, "/timeout", "longer than 0"),
        ({"seed": "x"}, "/seed", "whole number"),
        ({"requests": []}, "/requests", "non-empty list"),
        ({"requests": [{"path": "a"}]}, "/requests/0/path", "starting with '/'"),
        ({"requests": [{"path": "/", "method": "get"}]}, "/requests/0/method", "capitals"),
        ({"requests": [{"path": "/", "weight": 0}]}, "/requests/0/weight", "above 0"),
        ({"requests": [{"path": "/", "body": "x", "json": {}}]}, "/requests/0", "not both"),
        ({"requests": [{"path": "/", "headers": {"Host": "x"}}]}, "/requests/0/headers", "host"),
        (
            {"requests": [{"path": "/", "wieght": 2}]},
            "/requests/0/wieght",
            "did you mean 'weight'?",
        ),
        ({"stages": []}, "/stages", "non-empty list"),
        ({"stages": [{"kind": "rmap"}]}, "/stages/0/kind", "did you mean 'ramp'?"),
        ({"stages": [{"kind": "constant", "rate": 0, "duration": 1}]}, "/stages/0/rate", "above 0"),
        (
            {"stages": [{"kind": "constant", "rate": -5, "duration": 1}]},
            "/stages/0/rate",
            "above 0",
        ),
        ({"stages": [{"kind": "constant", "rate": 5}]}, "/stages/0/duration", "is required"),
        (
            {"stages": [{"kind": "constant", "rate": 5, "duration": 0}]},
            "/stages/0/duration",
            "longer than 0",
        ),
        (
            {"stages": [{"kind": "ramp", "from": 0, "to": 0, "duration": 1}]},
            "/stages/0/to",
            "sends nothing",
        ),
        (
            {
                "stages": [
                    {
                        "kind": "spike",
                        "base": 1,
                        "peak": 9,
                        "at": "8s",
                        "hold": "5s",
                        "duration": "10s",
                    }
                ]
            },
            "/stages/0/hold",
            "after the stage's 10s",
        ),
        (
            {"stages": [{"kind": "cycle", "min": 9, "max": 3, "period": 1, "duration": 2}]},
            "/stages/0/max",
            "above min",
        ),
        ({"thresholds": {"p98": "1s"}}, "/thresholds/p98", "valid: mean, p50"),
        ({"thresholds": {"errorRate": 2}}, "/thresholds/errorRate", "between 0 and 1"),
        ({"thresholds": {"p99": "fast"}}, "/thresholds/p99", "a duration such as"),
        ({"bogus": 1}, "/bogus", "unknown field 'bogus'"),
    ],
)
def test_a_bad_script_names_the_field_and_the_reason(
    over: dict[str, Any], pointer: str, reason: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_script(script(**over))
    assert caught.value.pointer == pointer
    assert reason in caught.value.reason


def test_yaml_syntax_errors_say_where() -> None:
    with pytest.raises(InvalidInput, match="line 3, column 1"):
        load_script_text("stages:\n  - {kind: constant\n")


def test_durations_and_thresholds_take_units_as_k6_does() -> None:
    parsed = parse_script(
        script(timeout="1.5s", thresholds={"p99": "250ms", "max": 2, "errorRate": 0.01})
    )
    assert parsed.timeout == 1.5
    limits = {t.name: t.limit for t in parsed.thresholds}
    assert limits == {"p99": 250.0, "max": 2.0, "errorRate": 0.01}  # a bare latency is ms


def test_the_request_bytes_are_http_1_1_with_a_json_body() -> None:
    parsed = parse_script(
        script(
            target="http://127.0.0.1:9/__ns/a/",
            requests=[{"method": "POST", "path": "/c", "json": {"n": 1}}],
        )
    )
    payload = parsed.payload(parsed.requests[0])
    assert payload.startswith(b"POST /__ns/a/c HTTP/1.1\r\nHost: 127.0.0.1:9\r\n")
    assert b'Content-Type: application/json\r\nContent-Length: 7\r\n\r\n{"n":1}' in payload


@pytest.mark.parametrize(
    "stage",
    [
        Constant(250, 4),
        Ramp(0, 1000, 6),
        Ramp(900, 100, 3),
        Spike(50, 2000, 1, 0.5, 3),
        Spike(0, 300, 1, 1, 3),
        Cycle(0, 800, 2, 5),
        Cycle(100, 400, 1.5, 4),
    ],
)
def test_each_curve_inverts_its_cumulative_intensity(
    stage: Constant | Ramp | Spike | Cycle,
) -> None:
    total = stage.expected(stage.duration)
    for u in (0.0, 0.5, total / 7, total / 2, total * 0.99):
        t = stage.time_of(u)
        assert 0 <= t <= stage.duration + 1e-9
        assert stage.expected(t) == pytest.approx(u, abs=1e-6)


def test_uniform_arrivals_are_exact_and_evenly_spaced() -> None:
    parsed = parse_script(
        script(arrivals="uniform", stages=[{"kind": "constant", "rate": 200, "duration": "2s"}])
    )
    times = [a.at for a in arrivals(parsed, 1)]
    assert len(times) == 400
    gaps = {round(b - a, 9) for a, b in itertools.pairwise(times)}
    assert gaps == {0.005}


def test_poisson_arrivals_follow_the_rate_and_the_seed() -> None:
    parsed = parse_script(
        script(
            requests=[{"path": "/a", "weight": 3}, {"path": "/b", "weight": 1}],
            stages=[{"kind": "ramp", "from": 0, "to": 2000, "duration": "10s"}],
        )
    )
    first = list(arrivals(parsed, 42))
    assert first == list(arrivals(parsed, 42))  # the same seed, the same schedule
    assert first != list(arrivals(parsed, 43))
    assert abs(len(first) - 10_000) < 4 * math.sqrt(10_000)  # Poisson: within 4 sd
    late = sum(1 for a in first if a.at >= 5)
    assert late / len(first) == pytest.approx(0.75, abs=0.02)  # a ramp from 0 puts 3/4 late
    share_a = sum(1 for a in first if a.request == 0) / len(first)
    assert share_a == pytest.approx(0.75, abs=0.02)  # the weights
    assert all(b.at >= a.at for a, b in itertools.pairwise(first))


def test_stages_follow_each_other() -> None:
    parsed = parse_script(
        script(
            arrivals="uniform",
            stages=[
                {"kind": "constant", "rate": 10, "duration": "1s"},
                {
                    "kind": "spike",
                    "base": 10,
                    "peak": 100,
                    "at": "0.5s",
                    "hold": "0.5s",
                    "duration": "2s",
                },
            ],
        )
    )
    by_stage = [list(g) for _, g in itertools.groupby(arrivals(parsed, 1), key=lambda a: a.stage)]
    assert [len(g) for g in by_stage] == [10, 65]
    assert by_stage[1][0].at == pytest.approx(1.0)
    assert sum(1 for a in by_stage[1] if 1.5 <= a.at < 2.0) == 50


def test_the_timeline_has_a_fixed_number_of_points_whatever_the_duration() -> None:
    assert Timeline(10).interval == 0.1  # a short run: fine intervals
    assert len(Timeline(10).points) == 101
    assert (Timeline(30).interval, Timeline(60).interval, Timeline(600).interval) == (0.25, 0.5, 1)
    assert len(Timeline(600).points) == MAX_POINTS + 1
    ten_hours = Timeline(36_000)
    assert len(ten_hours.points) <= MAX_POINTS + 1
    assert ten_hours.interval == 60


def test_recording_does_not_grow_memory() -> None:
    stats = StageStats()
    timeline = Timeline(60)
    size = len(stats.latency.counts)
    record(stats.latency, 0.001)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(50_000):
        seconds = (i % 5000) / 1000.0
        record(stats.latency, seconds)
        timeline.ended(i / 4000.0, seconds, failed=False)
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert stats.latency.get_total_count() == 50_001
    assert len(stats.latency.counts) == size
    assert grown < 64 * 1024  # a few closed intervals' floats, not 50,000 samples
