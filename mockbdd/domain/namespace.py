"""A namespace: stubs, scenario states, sequence cursors, journal and settings, isolated from others."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from mockbdd.domain.delays import MAX_DELAY_MS, DelayDistribution
from mockbdd.domain.journal import (
    DEFAULT_JOURNAL_BODY_BYTES,
    DEFAULT_JOURNAL_MAX,
    InMemoryJournal,
    ServeEvent,
)
from mockbdd.domain.near_miss import MAX_NEAR_MISSES, NearMiss, closest_stubs
from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ResponseDefinition, ResponseSequence
from mockbdd.domain.scenarios import ScenarioStates
from mockbdd.domain.stubs import StubMapping, StubStore


@dataclass(frozen=True, slots=True)
class Settings:
    """Namespace-wide settings (WireMock's global settings)."""

    fixed_delay_ms: int | None = None
    delay_distribution: DelayDistribution | None = None
    extended: dict[str, object] = field(default_factory=dict)


class Selection(NamedTuple):
    """What :meth:`Namespace.select` chose: the stub, its response now, and for a sequence the
    position served (-1 for a single response)."""

    stub: StubMapping
    response: ResponseDefinition
    position: int


class ServeDecision(NamedTuple):  # a tuple: built once per request, cheaper than a frozen dataclass
    event: ServeEvent
    stub: StubMapping | None
    response: ResponseDefinition | None


class Namespace:
    """Everything one test (or the root ``default``) owns. Runs on one event loop: no locks needed,
    and match + scenario transition + cursor advance happen in one synchronous step."""

    def __init__(
        self,
        name: str,
        *,
        journal_max: int = DEFAULT_JOURNAL_MAX,
        journal_max_body_bytes: int = DEFAULT_JOURNAL_BODY_BYTES,
        seed: int | None = None,
        ttl_seconds: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.name = name
        self.stubs = StubStore()
        self.scenarios = ScenarioStates()
        self.journal = InMemoryJournal(journal_max, journal_max_body_bytes)
        self.settings = Settings()
        self.cursors: dict[str, int] = {}
        self.used: set[str] = set()
        self.seed = seed
        self.rng = random.Random(seed)
        self.ttl_seconds = ttl_seconds
        self.port: int | None = None
        self._clock = clock
        self.last_used = clock()
        # what reset restores: mapping files for ``default``, the opening contents for others
        self.initial_stubs: tuple[StubMapping, ...] = ()
        self.initial_settings = Settings()
        self.initial_states: tuple[tuple[str, str], ...] = ()

    # -- data plane -------------------------------------------------------------------------
    def select(self, request: RecordedRequest) -> Selection | None:
        """The stub that would answer ``request`` now and the response it would give, changing
        nothing: no cursor, scenario, "used" flag or journal entry (a dry run, and the first
        half of :meth:`serve`)."""
        for stub in self.stubs.candidates(request.method, request.path):
            if (
                stub.required_scenario_state is not None
                and stub.scenario_name is not None
                and self.scenarios.state(stub.scenario_name) != stub.required_scenario_state
            ):
                continue
            response = stub.response
            if isinstance(response, ResponseSequence):
                served = self.cursors.get(stub.id, 0)
                if response.is_exhausted(served):
                    continue
                if not stub.request.matches(request):
                    continue
                chosen = response.response_at(served)
                assert chosen is not None
                return Selection(stub, chosen, served)
            if stub.request.matches(request):
                return Selection(stub, response, -1)
        return None

    def commit(self, selection: Selection) -> None:
        """Apply what serving ``selection`` changes: the sequence cursor, the scenario
        transition and the "used" flag (the second half of :meth:`serve`)."""
        stub = selection.stub
        if selection.position >= 0:
            self.cursors[stub.id] = selection.position + 1
        if stub.scenario_name is not None and stub.new_scenario_state is not None:
            self.scenarios.set(stub.scenario_name, stub.new_scenario_state)
        self.used.add(stub.id)

    def serve(self, request: RecordedRequest) -> ServeDecision:
        """Select the stub, commit its sequence and scenario, journal the request: one atomic
        step (nothing awaits between select and commit)."""
        now = self._clock()
        self.last_used = now
        selection = self.select(request)
        if selection is None:
            return self._decide(request, now, None, None)
        self.commit(selection)
        return self._decide(request, now, selection.stub, selection.response)

    def _decide(
        self,
        request: RecordedRequest,
        now: float,
        stub: StubMapping | None,
        response: ResponseDefinition | None,
    ) -> ServeDecision:
        event = ServeEvent(request, now, stub=stub)  # the stub as it is now, kept with the event
        self.journal.record(event)
        return ServeDecision(event, stub, response)

    def delay_ms(self, response: ResponseDefinition) -> float:
        total = 0.0
        if response.delay is not None:
            total += response.delay.sample_ms(self.rng)
        if self.settings.fixed_delay_ms:
            total += self.settings.fixed_delay_ms
        if self.settings.delay_distribution is not None:
            total += self.settings.delay_distribution.sample_ms(self.rng)
        return min(total, MAX_DELAY_MS)

    def near_misses(self, request: RecordedRequest, limit: int = MAX_NEAR_MISSES) -> list[NearMiss]:
        """The stubs closest to ``request``, with the scenario states and sequence positions of
        this namespace (a stub waiting for another state says so)."""
        return closest_stubs(
            request, self.stubs, limit, scenarios=self.scenarios, cursors=self.cursors
        )

    # -- control plane ----------------------------------------------------------------------
    def touch(self) -> None:
        self.last_used = self._clock()

    def add_stub(self, stub: StubMapping) -> None:
        self.stubs.add(stub)
        self.cursors.pop(stub.id, None)
        self.used.discard(stub.id)

    def edit_stub(self, stub: StubMapping) -> None:
        """Replace a stub in place (``PUT /mappings/{id}``): it keeps its place among equals, its
        sequence position and whether it has been used; its scenario state is untouched."""
        self.stubs.add(stub, keep_position=True)

    def remove_stub(self, stub_id: str) -> StubMapping | None:
        """Remove a stub; a scenario none of the remaining stubs names forgets its state."""
        self.cursors.pop(stub_id, None)
        self.used.discard(stub_id)
        removed = self.stubs.remove(stub_id)
        name = removed.scenario_name if removed is not None else None
        if name is not None and all(s.scenario_name != name for s in self.stubs):
            self.scenarios.reset(name)
        return removed

    def remove_all_stubs(self) -> None:
        """``DELETE /mappings``: no stubs, and so no scenario states either (as WireMock)."""
        self.stubs.clear()
        self.cursors.clear()
        self.used.clear()
        self.scenarios.reset()

    def reset_mappings(self) -> None:
        """``POST /mappings/reset``: back to the initial stubs and scenario states, journal
        cleared (WireMock's reset to default mappings)."""
        self.remove_all_stubs()
        for stub in self.initial_stubs:
            self.stubs.add(stub)
        for name, state in self.initial_states:
            self.scenarios.set(name, state)
        self.journal.clear()

    def reset(self) -> None:
        """``POST /reset``: as ``reset_mappings``, and the settings the namespace started with."""
        self.reset_mappings()
        self.settings = self.initial_settings

    def reset_scenarios(self) -> None:
        self.scenarios.reset()

    def expires_at(self) -> float | None:
        return None if self.ttl_seconds is None else self.last_used + self.ttl_seconds
