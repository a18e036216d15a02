"""Arrival times of an open model: the stages' rate curves turned into intended send times.

Each stage has a cumulative intensity Λ(t) (the arrivals it asks for by time ``t``) and its
inverse. Uniform arrivals fall at Λ⁻¹(0), Λ⁻¹(1), Λ⁻¹(2), ...; Poisson arrivals at Λ⁻¹ of the
partial sums of unit exponential gaps (time rescaling), so a ramp or a cycle is followed exactly,
not step by step. The schedule is a pure function of the script and the seed: the same seed
sends the same requests at the same intended times.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator
from typing import NamedTuple

from mockbdd.load.script import LoadScript


class Arrival(NamedTuple):  # a tuple: one per request, cheaper to make than a dataclass
    at: float  # seconds from the start of the run
    stage: int
    request: int  # index into script.requests


def arrivals(script: LoadScript, seed: int) -> Iterator[Arrival]:
    """Every arrival of the run, in order of intended time."""
    rng = random.Random(seed)
    cumulative = list(itertools.accumulate(r.weight for r in script.requests))
    total = cumulative[-1]
    single = len(cumulative) == 1
    expo = rng.expovariate
    pick = rng.random
    offset = 0.0
    for index, stage in enumerate(script.stages):
        budget = stage.expected(stage.duration)
        u = 0.0 if script.arrivals == "uniform" else expo(1.0)
        while u < budget:
            t = stage.time_of(u)
            if t >= stage.duration:
                break
            choice = 0 if single else bisect.bisect_right(cumulative, pick() * total)
            yield Arrival(offset + t, index, min(choice, len(cumulative) - 1))
            u += 1.0 if script.arrivals == "uniform" else expo(1.0)
        offset += stage.duration


def stage_starts(script: LoadScript) -> list[float]:
    """The start time of each stage, and the end of the run last."""
    return [0.0, *itertools.accumulate(s.duration for s in script.stages)]
