"""The simulation stage (DESIGN §11), in the shape step: chaos (errors and dropped
connections), network conditions, bandwidth, degradation under load and timelines, per stub
(``response.chaos`` ...) and per namespace (``settings``); a stub's own setting of a key wins over
the namespace's for that key.

Active only in namespaces that configure one of them (``active(ns)``), so the others keep the
fast path. What can be worked out before a request is, once per settings or stub: the error
answers, the network's chaos, the paced answers. Per request it costs a few attribute reads and
one draw per configured chaos (from the setting's own seeded stream, or the namespace's), so the
same seed fails the same requests.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import replace
from typing import TYPE_CHECKING

from mockbdd.domain.delays import MAX_DELAY_MS
from mockbdd.domain.faults import Fault
from mockbdd.domain.journal import ServeEvent
from mockbdd.domain.namespace import Namespace, Settings
from mockbdd.domain.plan import ServePlan
from mockbdd.domain.responses import ChunkedDribbleDelay, ResponseDefinition, ResponseSequence
from mockbdd.domain.simulation import Bandwidth, Chaos, Degradation, Network, Simulation
from mockbdd.extensions import Extensions
from mockbdd.records import record
from mockbdd.server.stages import STAGES, Active, Observe, Shape

if TYPE_CHECKING:
    from mockbdd.sim.degradation import LoadMeter

PACE_CHUNK_MS = 10.0  # a paced body goes out in slices about this far apart
MAX_CACHED = 4096
NAMESPACE = ""  # the load meter's scope for the namespace as a whole
SERVICE_MOUNTS = "mounts"  # the admit stage of mounted service plugins (data_plane)


def settings_in_force(ns: Namespace, now: float) -> Settings:
    """:func:`mockbdd.sim.timeline.settings_in_force`, its module imported at the first call
    (a namespace with a timeline; idle RSS). That one then takes this name's place here, so
    every later call goes straight to it, as if imported at the top."""
    from mockbdd.sim import timeline

    globals()["settings_in_force"] = timeline.settings_in_force
    return timeline.settings_in_force(ns, now)


@record
class _Chaos:
    """One chaos setting, ready: its error answer built, its drop as a registered fault."""

    owner: object  # whose seeded stream it draws from
    seed: int | None
    error_rate: float
    drop_rate: float
    error: ResponseDefinition
    drop_fault: str


def _chaos(chaos: Chaos) -> _Chaos:
    headers = (
        () if chaos.error_content_type is None else (("Content-Type", chaos.error_content_type),)
    )
    error = ResponseDefinition(status=chaos.error_status, headers=headers, body=chaos.error_body)
    fault = Fault.NO_RESPONSE if chaos.drop_mode == "hang" else Fault.CONNECTION_RESET_BY_PEER
    return _Chaos(chaos, chaos.seed, chaos.error_rate, chaos.drop_rate, error, fault.value)


def _network_chaos(network: Network) -> _Chaos:
    """A network's packet loss (the connection reset) and errors (500), as chaos."""
    chaos = Chaos(error_rate=network.error_rate, drop_rate=network.packet_loss_rate)
    return replace(_chaos(chaos), owner=network)


@record
class _Ready:
    """A :class:`Simulation` with its parts prepared (per settings object or stub, and per
    stub over namespace): the chaos that draws, in order, and whether anything else applies."""

    chaos: _Chaos | None
    network: Network | None
    network_chaos: _Chaos | None
    bandwidth: Bandwidth | None
    degradation: Degradation | None
    own_degradation: bool = False  # the degradation is a stub's (its own load meter)
    draws: tuple[_Chaos, ...] = ()  # the chaos and network chaos that may fire, in order
    only_draws: bool = True  # no latency, degradation or bandwidth: nothing after the draws


def _made(
    chaos: _Chaos | None,
    network: Network | None,
    network_chaos: _Chaos | None,
    bandwidth: Bandwidth | None,
    degradation: Degradation | None,
    own_degradation: bool = False,
) -> _Ready:
    draws = tuple(
        c for c in (chaos, network_chaos) if c is not None and (c.error_rate > 0 or c.drop_rate > 0)
    )
    latency = network is not None and bool(network.latency_ms or network.jitter_ms)
    only = not latency and degradation is None and bandwidth is None
    return _Ready(
        chaos, network, network_chaos, bandwidth, degradation, own_degradation, draws, only
    )


def _ready(sim: Simulation | None) -> _Ready:
    if sim is None:
        return _NOTHING
    network = sim.network
    loses = network is not None and (network.error_rate > 0 or network.packet_loss_rate > 0)
    return _made(
        None if sim.chaos is None else _chaos(sim.chaos),
        network,
        _network_chaos(network) if loses and network is not None else None,
        sim.bandwidth,
        sim.degradation,
    )


def _over(own: _Ready, space: _Ready) -> _Ready:
    """A stub's own settings over the namespace's: each key the stub sets wins."""
    return _made(
        own.chaos or space.chaos,
        own.network or space.network,
        own.network_chaos if own.network is not None else space.network_chaos,
        own.bandwidth or space.bandwidth,
        own.degradation or space.degradation,
        own.degradation is not None,
    )


def _namespace_ready(settings: Settings) -> _Ready:
    return _ready(settings.simulation)


def configures(settings: Settings) -> bool:
    """Whether namespace settings ask for anything this stage does."""
    return bool(settings.simulation) or any(
        bool(e.phase.simulation) or e.phase.delay is not None or e.phase.fixed_delay_ms is not None
        for e in settings.timeline
    )


def _stub_simulated(ns: Namespace) -> bool:
    for stub in ns.stubs:
        response = stub.response
        items = (
            [i.response for i in response.items]
            if isinstance(response, ResponseSequence)
            else [response]
        )
        if any(r.simulation for r in items):
            return True
    return False


class SimulationStage:
    """The shape hook (and the observe hook that keeps the load meter)."""

    def __init__(self) -> None:
        self._stubs: dict[int, tuple[Simulation, _Ready]] = {}
        self._over: dict[tuple[int, int], tuple[Simulation, _Ready, _Ready]] = {}
        self._paced: dict[tuple[int, float], tuple[ResponseDefinition, ResponseDefinition]] = {}
        # id(ns) -> (a weak reference to ns, its load meters by scope): an int lookup (a
        # WeakKeyDictionary makes a weak reference per lookup); the entry goes with ns
        self._meters: dict[int, tuple[weakref.ref[Namespace], dict[str, LoadMeter]]] = {}
        self._counted: dict[int, tuple[dict[str, LoadMeter], str]] = {}

    @property
    def admit(self) -> None:
        return None

    @property
    def shape(self) -> Shape:
        return self._shape

    @property
    def observe(self) -> Observe:
        return self._observe

    @property
    def active(self) -> Active:
        return self._active

    def _active(self, ns: Namespace) -> bool:
        return configures(ns.settings) or _stub_simulated(ns)

    # -- the hooks ------------------------------------------------------------------------
    def _shape(self, ns: Namespace, plan: ServePlan) -> ServePlan:
        response, stub = plan.response, plan.stub
        # unmatched, or an admit stage's answer (a limit's refusal); a mounted service plugin's
        # answers are the service's own, and the namespace's settings apply to them
        if response is None or (stub is None and plan.event.admitted_by != SERVICE_MOUNTS):
            return plan
        settings = ns.settings
        if settings.timeline:
            base = settings
            settings = settings_in_force(ns, ns.clock())
            if (
                settings.delay_distribution is not base.delay_distribution
                or settings.fixed_delay_ms != base.fixed_delay_ms
            ):  # the namespace delay in force now is not the one the plan sampled
                spaced = ns.delay_ms(response, settings)
                if spaced != plan.delay_ms:
                    plan = plan._replace(delay_ms=spaced)
            space = self._stub_ready(settings.simulation)  # prepared once per phase
        else:
            space = ns.settings_derived(_namespace_ready)
        ready = space if response.simulation is None else self._merged(response.simulation, space)
        for chaos in ready.draws:  # one draw each, from its own seeded stream or the namespace's
            u = ns.rng_for(chaos.owner, chaos.seed).random()
            if u < chaos.error_rate:
                return plan._replace(response=chaos.error, fault=None)  # limit headers stay
            if u < chaos.error_rate + chaos.drop_rate:
                return plan._replace(fault=chaos.drop_fault)
        if ready.only_draws:
            return plan
        extra = 0.0
        network = ready.network
        if network is not None and (network.latency_ms or network.jitter_ms):
            rng = ns.rng_for(network, None)
            low = max(network.latency_ms - network.jitter_ms, 0.0)
            extra += rng.uniform(low, network.latency_ms + network.jitter_ms)
        degradation = ready.degradation
        if degradation is not None:
            scope = stub.id if ready.own_degradation and stub is not None else NAMESPACE
            extra += self._degrade(ns, plan.event, scope, degradation)
        if extra:
            plan = plan._replace(delay_ms=min(plan.delay_ms + extra, MAX_DELAY_MS))
        if ready.bandwidth is not None:
            plan = plan._replace(response=self._pace(response, ready.bandwidth))
        return plan

    def _merged(self, sim: Simulation, space: _Ready) -> _Ready:
        """A stub's ``sim`` over the namespace's ``space``, made once per pair of objects."""
        key = (id(sim), id(space))
        found = self._over.get(key)
        if found is None or found[0] is not sim or found[1] is not space:
            if len(self._over) >= MAX_CACHED:
                self._over.clear()
            found = self._over[key] = (sim, space, _over(self._stub_ready(sim), space))
        return found[2]

    def _stub_ready(self, sim: Simulation | None) -> _Ready:
        """``sim`` prepared, once per object: a stub's, or a timeline phase's (outside a ramp
        the values in force are the same object, so nothing is built per request)."""
        if sim is None:
            return _NOTHING
        found = self._stubs.get(id(sim))
        if found is None or found[0] is not sim:
            if len(self._stubs) >= MAX_CACHED:
                self._stubs.clear()
            found = self._stubs[id(sim)] = (sim, _ready(sim))
        return found[1]

    def _pace(self, response: ResponseDefinition, bandwidth: Bandwidth) -> ResponseDefinition:
        """``response`` with its body dribbled out at ``bandwidth`` (inline bodies only: a
        body file, an event stream or an answer that dribbles already is left as it is)."""
        if (
            not response.body
            or response.chunked_dribble_delay is not None
            or response.sse is not None
            or response.body_file_name is not None
        ):
            return response
        key = (id(response), bandwidth.bytes_per_second)
        found = self._paced.get(key)
        if found is None or found[0] is not response:
            duration_ms = len(response.body) / bandwidth.bytes_per_second * 1000
            chunks = max(1, min(len(response.body), math.ceil(duration_ms / PACE_CHUNK_MS)))
            paced = replace(
                response,
                chunked_dribble_delay=ChunkedDribbleDelay(chunks, round(duration_ms)),
            )
            if len(self._paced) >= MAX_CACHED:
                self._paced.clear()
            found = self._paced[key] = (response, paced)
        return found[1]

    # -- degradation ----------------------------------------------------------------------
    def _degrade(
        self, ns: Namespace, event: ServeEvent, scope: str, degradation: Degradation
    ) -> float:
        key = id(ns)
        kept = self._meters.get(key)
        if kept is None or kept[0]() is not ns:
            everyone = self._meters
            ref = weakref.ref(ns, lambda _, key=key: everyone.pop(key, None))  # type: ignore[misc]
            kept = everyone[key] = (ref, {})
        meters = kept[1]
        meter = meters.get(scope)
        if meter is None:  # the first request of a degraded scope: the meters' module now
            from mockbdd.sim.degradation import LoadMeter

            meter = meters[scope] = LoadMeter()
        now = 0.0 if degradation.per_in_flight_ms is not None else ns.clock()  # mm1's only
        added = meter.arrive(now, degradation)
        self._counted[id(event)] = (meters, scope)
        return added

    def _observe(self, ns: Namespace, event: ServeEvent) -> None:
        counted = self._counted.pop(id(event), None)
        if counted is not None:
            meter = counted[0].get(counted[1])
            if meter is not None:
                meter.leave()


_NOTHING = _Ready(None, None, None, None, None)


def register(extensions: Extensions) -> None:
    """Chaos, network, bandwidth, degradation and timelines: a shape stage."""
    extensions.add(STAGES, "simulation", SimulationStage())
