"""Delays (domain/delays.py): sampled delays are capped whatever the inputs."""

from __future__ import annotations

import random

from mockbdd.domain.delays import MAX_DELAY_MS, LogNormalDelay
from mockbdd.domain.namespace import Namespace
from mockbdd.domain.responses import ResponseDefinition


def test_sampled_delays_are_capped_and_never_overflow() -> None:
    rng = random.Random(1)
    wild = LogNormalDelay(median=MAX_DELAY_MS, sigma=1e6)
    assert all(0 <= wild.sample_ms(rng) <= MAX_DELAY_MS for _ in range(100))
    ns = Namespace("t")
    assert ns.delay_ms(ResponseDefinition(delay=wild)) <= MAX_DELAY_MS
