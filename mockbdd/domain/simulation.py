"""Simulation settings (DESIGN §11) as frozen values: chaos, network conditions, bandwidth,
degradation, and timelines of them and of the limits (``domain/limits.py``).

One model for both places a setting may be given: a namespace's settings
(``Settings.simulation``, ``Settings.timeline``) and a stub's response
(``ResponseDefinition.simulation``). The domain only carries them; what they do is decided by
``mockbdd.sim`` (chaos draws, timelines, degradation) and the server's stages (limits).
A field that is None is not set: a timeline step that names only ``chaos`` leaves the rest.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Literal

from mockbdd.domain.delays import DelayDistribution
from mockbdd.domain.limits import ConcurrencyLimit, RateLimit
from mockbdd.records import record

DropMode = Literal["reset", "hang"]


@record
class Chaos:
    """``{errorRate, errorStatus?: 500, errorBody?, dropRate, dropMode?, seed?}``: each
    request draws once; below ``error_rate`` it gets the error answer, below
    ``error_rate + drop_rate`` its connection is dropped (reset, or held silent: hang)."""

    error_rate: float = 0.0
    error_status: int = 500
    error_body: bytes = b""
    error_content_type: str | None = None  # application/json for a JSON errorBody
    drop_rate: float = 0.0
    drop_mode: DropMode = "reset"
    seed: int | None = None


@record
class Network:
    """Seed 002's network conditions, a shorthand for a delay plus chaos: a latency of
    ``latency_ms`` ± ``jitter_ms`` (uniform), ``packet_loss_rate`` of connections reset and
    ``error_rate`` of answers replaced by a 500."""

    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    packet_loss_rate: float = 0.0
    error_rate: float = 0.0


@record
class Bandwidth:
    """The body is paced to ``bytes_per_second``."""

    bytes_per_second: float


@record
class Degradation:
    """Latency that grows with load: ``per_in_flight_ms`` for every other request in flight,
    or the M/M/1 model (``model="mm1"``): the mean sojourn time ``service_ms / (1 - rho)`` for
    the observed arrival rate (``rho = rate * service_ms``)."""

    per_in_flight_ms: float | None = None
    model: Literal["mm1"] | None = None
    service_ms: float | None = None


@record
class Simulation:
    """The simulation settings of a namespace or a stub (None: not set)."""

    chaos: Chaos | None = None
    network: Network | None = None
    bandwidth: Bandwidth | None = None
    degradation: Degradation | None = None

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) is not None for f in fields(self))

    def over(self, base: Simulation) -> Simulation:
        """These settings, with ``base``'s for those not set here."""
        return Simulation(
            *(
                getattr(self, f.name)
                if getattr(self, f.name) is not None
                else getattr(base, f.name)
                for f in fields(self)
            )
        )


NO_SIMULATION = Simulation()


@record
class Phase:
    """What a timeline entry sets: a namespace delay, limits and simulation settings (None and
    unset fields keep the values before it)."""

    delay: DelayDistribution | None = None
    fixed_delay_ms: int | None = None
    simulation: Simulation = NO_SIMULATION
    rate_limit: RateLimit | None = None
    concurrency: ConcurrencyLimit | None = None


@record
class TimelineEntry:
    """``{"atMs", "settings"}`` (a step: ``ramp_ms`` 0) or ``{"atMs", "rampMs", "to"}`` (a
    ramp: from the values in force at ``at_ms`` to ``phase`` over ``ramp_ms``)."""

    at_ms: float
    phase: Phase
    ramp_ms: float = 0.0


Timeline = tuple[TimelineEntry, ...]
