"""A namespace: stubs, settings and runtime state (scenarios, cursors, journal), isolated from
others. Every change is a method here; what requests change sits behind ``NamespaceState``."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from mockbdd.domain.delays import MAX_DELAY_MS, DelayDistribution, SeededDelay
from mockbdd.domain.journal import (
    DEFAULT_JOURNAL_BODY_BYTES,
    DEFAULT_JOURNAL_MAX,
    JournalReader,
    ResponseRecord,
    ServeEvent,
    new_journal,
)
from mockbdd.domain.limits import ConcurrencyLimit, RateLimit
from mockbdd.domain.near_miss import MAX_NEAR_MISSES, NearMiss, closest_stubs
from mockbdd.domain.plan import NearMissSearch, ServePlan
from mockbdd.domain.plan import Selection as Selection  # select() returns it: import it here
from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ResponseDefinition, ResponseSequence
from mockbdd.domain.scenarios import ScenarioView, scenario_views
from mockbdd.domain.simulation import NO_SIMULATION, Simulation, Timeline
from mockbdd.domain.state import InMemoryNamespaceState, NamespaceState
from mockbdd.domain.stubs import StubMapping, StubStore, StubsView
from mockbdd.domain.validators import RequestValidator
from mockbdd.records import record

if TYPE_CHECKING:  # the CRUD collections' module loads with the first use of one
    from mockbdd.domain.collections import CollectionSpec, CollectionStore

R = TypeVar("R")
# ("stub.created" | "stub.updated" | "stub.removed", stub)
StubListener = Callable[[str, StubMapping], None]
MAX_SELECT_ATTEMPTS = 16  # a shared state losing this many commit races in a row is stuck


@record
class Settings:
    """Namespace-wide settings: WireMock's global settings, and the simulation settings of
    DESIGN §11 (chaos, network, bandwidth, degradation, limits; a timeline of them; a seed)."""

    fixed_delay_ms: int | None = None
    delay_distribution: DelayDistribution | None = None
    extended: dict[str, object] = field(default_factory=dict)
    simulation: Simulation = NO_SIMULATION
    timeline: Timeline = ()
    seed: int | None = None  # reseeds the namespace's random source when set
    rate_limit: RateLimit | None = None  # DESIGN §11 limits, namespace-wide
    concurrency: ConcurrencyLimit | None = None


@record
class InitialCollection:
    """A collection as a namespace opens with it (and ``reset`` restores it)."""

    spec: CollectionSpec
    items: tuple[Mapping[str, Any], ...] = ()


class StateConflict(RuntimeError):
    """The namespace state kept changing under a selection (a shared store under contention)."""


class Namespace:
    """Everything one test (or the root ``default``) owns. With the in-memory state it runs on
    one event loop: no locks needed, and select + commit happen in one synchronous step."""

    def __init__(
        self,
        name: str,
        *,
        journal_max: int = DEFAULT_JOURNAL_MAX,
        journal_max_body_bytes: int = DEFAULT_JOURNAL_BODY_BYTES,
        seed: int | None = None,
        ttl_seconds: float | None = None,
        clock: Callable[[], float] = time.time,
        state: NamespaceState | None = None,
    ) -> None:
        self._name = name
        self._stubs = StubStore()
        self._stubs_view = StubsView(self._stubs)
        if state is None:
            state = InMemoryNamespaceState(new_journal(journal_max, journal_max_body_bytes))
        self._state = state
        self._journal = self._state.journal
        self._settings = Settings()
        self._seed = seed
        self._rng = random.Random(seed)
        self._values: dict[str, object] = {}  # the templates' ``state`` (key/value), per namespace
        self._streams: dict[int, tuple[object, random.Random]] = {}  # seeded stubs' own
        self._ttl_seconds = ttl_seconds
        self._port: int | None = None
        self._clock = clock
        self._last_used = clock()
        # what reset restores: mapping files for ``default``, the opening contents for others
        self._initial_stubs: tuple[StubMapping, ...] = ()
        self._initial_settings = Settings()
        self._initial_states: tuple[tuple[str, str], ...] = ()
        self._initial_collections: tuple[InitialCollection, ...] = ()
        self._validators: tuple[RequestValidator, ...] = ()
        self._revision = 0
        self._settings_since = clock()
        self._derived: dict[Callable[[Settings], Any], Any] = {}
        self._stub_listeners: list[StubListener] = []
        self._labels: Mapping[str, str] = {}

    # -- read-only views --------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def stubs(self) -> StubsView:
        return self._stubs_view

    @property
    def journal(self) -> JournalReader:
        return self._journal

    @property
    def settings(self) -> Settings:
        return self._settings

    @property
    def seed(self) -> int | None:
        """The server's ``--seed``: what seeded template data (Faker, random) derives from."""
        return self._seed

    @property
    def values(self) -> dict[str, object]:
        """The key/value store templates read and write (``state`` in Jinja); reset clears it."""
        return self._values

    @property
    def settings_since(self) -> float:
        """When the settings were last set (epoch seconds): where a timeline starts."""
        return self._settings_since

    @property
    def rng(self) -> random.Random:
        """The namespace's seeded random source (``--seed``, the namespace's or the settings'
        ``seed``): every random choice without a seed of its own draws from it."""
        return self._rng

    def rng_for(self, owner: object, seed: int | None) -> random.Random:
        """The random source for ``owner`` (a delay, a chaos setting): its own stream when it
        has a ``seed``, so the same seed makes the same choices whatever else is drawn; else
        the namespace's. Streams restart on reset and when the settings change."""
        if seed is None:
            return self._rng
        found = self._streams.get(id(owner))
        if found is None:  # the owner is kept with its stream: its id is not reused meanwhile
            found = self._streams[id(owner)] = (owner, random.Random(seed))
        return found[1]

    def clock(self) -> float:
        return self._clock()

    def settings_derived(self, build: Callable[[Settings], R]) -> R:
        """``build(self.settings)``, computed once per settings (a compiled timeline, a
        simulation plan): forgotten when the settings change or the namespace is reset."""
        try:
            value: R = self._derived[build]
        except KeyError:
            value = self._derived[build] = build(self._settings)
        return value

    @property
    def validators(self) -> tuple[RequestValidator, ...]:
        """The request validators (OpenAPI documents in validating mode) that admit requests."""
        return self._validators

    def add_validator(self, validator: RequestValidator) -> None:
        """Validate requests against ``validator`` too (one of the same name is replaced)."""
        self._revision += 1
        kept = tuple(v for v in self._validators if v.name != validator.name)
        self._validators = (*kept, validator)

    @property
    def collections(self) -> CollectionStore:
        """The CRUD collections (json-server's data store), in the namespace state."""
        return self._state.collections

    @property
    def labels(self) -> Mapping[str, str]:
        """What the namespace is for (the BDD layer's feature, scenario, example row): what
        exports and listings say, so requests can be traced back to a test result."""
        return self._labels

    def set_labels(self, labels: Mapping[str, str]) -> None:
        self._labels = MappingProxyType(dict(labels))

    @property
    def revision(self) -> int:
        """Moves on every change to the stubs or the settings (not on serving): what a cache of
        anything derived from them (the data-plane stages taking part here) is keyed by."""
        return self._revision

    @property
    def port(self) -> int | None:
        """The dedicated port serving this namespace, if one was opened."""
        return self._port

    @property
    def ttl_seconds(self) -> float | None:
        return self._ttl_seconds

    @property
    def last_used(self) -> float:
        return self._last_used

    def scenario_state(self, name: str) -> str:
        return self._state.scenario_state(name)

    def scenario_views(self, declared: Iterable[tuple[str, Iterable[str]]]) -> list[ScenarioView]:
        """Scenarios named by ``declared`` (name, states its stubs mention) or holding a state."""
        return scenario_views(declared, self._state.scenario_states())

    def unused_stubs(self) -> list[StubMapping]:
        """Stubs that have served no request since they were added (match order)."""
        return [s for s in self._stubs if not self._state.was_used(s.id)]

    def expires_at(self) -> float | None:
        return None if self._ttl_seconds is None else self._last_used + self._ttl_seconds

    # -- data plane -------------------------------------------------------------------------
    def select(self, request: RecordedRequest) -> Selection | None:
        """The stub that would answer ``request`` now and the response it would give, changing
        nothing: no cursor, scenario, "used" flag or journal entry (a dry run, and the first
        half of :meth:`serve`)."""
        state = self._state
        for stub in self._stubs.candidates(request.method, request.path):
            if (
                stub.required_scenario_state is not None
                and stub.scenario_name is not None
                and state.scenario_state(stub.scenario_name) != stub.required_scenario_state
            ):
                continue
            response = stub.response
            if isinstance(response, ResponseSequence):
                served = state.served(stub.id)
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

    def commit(self, selection: Selection) -> bool:
        """Apply what serving ``selection`` changes: the sequence cursor, the scenario
        transition and the "used" flag (the second half of :meth:`serve`). False, changing
        nothing, when the state moved since the selection (see ``NamespaceState``)."""
        return self._state.commit(selection)

    def serve(
        self,
        request: RecordedRequest,
        selection: Selection | None = None,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> ServePlan:
        """Select the stub, commit it, journal the request and plan the answer (response,
        sampled delay, fault; for no match, the near-miss search over a snapshot).

        ``selection``: what :meth:`select` gave for ``request`` just now, with nothing changed
        since (an admit stage's dry run), committed instead of matching again; ``headers``:
        added to this one answer (``ServePlan.headers``)."""
        now = self._clock()
        self._last_used = now
        if selection is None:
            selection = self.select(request)
        if selection is not None and not self._state.commit(selection):
            selection = self._select_again(request)
        if selection is None:
            event = ServeEvent(request, now)
            self._journal.record(event)
            search = self.near_miss_search(request)
            return ServePlan(event, None, None, 0.0, None, search, headers)
        stub, response = selection.stub, selection.response
        event = ServeEvent(request, now, stub=stub)  # the stub as it is now, kept with the event
        self._journal.record(event)
        return ServePlan(
            event, stub, response, self.delay_ms(response), response.fault, None, headers
        )

    def _select_again(self, request: RecordedRequest) -> Selection | None:
        for _ in range(MAX_SELECT_ATTEMPTS):
            selection = self.select(request)
            if selection is None or self._state.commit(selection):
                return selection
        raise StateConflict(
            f"namespace {self._name!r}: the state changed under {MAX_SELECT_ATTEMPTS} selections"
            f" in a row for {request.method} {request.url}"
        )

    def intercept(
        self,
        request: RecordedRequest,
        response: ResponseDefinition,
        admitted_by: str,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> ServePlan:
        """Journal ``request`` as answered by ``response`` without matching (the answer of the
        admit stage named ``admitted_by``: a limit, a validation error): no stub, cursor or
        scenario is touched, and the request is not listed as unmatched. ``headers`` are
        added to this one answer (a limit's ``Retry-After``)."""
        now = self._clock()
        self._last_used = now
        event = ServeEvent(request, now, admitted_by=admitted_by)
        self._journal.record(event)
        delay = self.delay_ms(response)
        return ServePlan(event, None, response, delay, response.fault, None, headers)

    def complete(
        self,
        event: ServeEvent,
        response: ResponseRecord,
        processing_ms: float,
        total_ms: float,
        queued_ms: float = 0.0,
        added_delay_ms: float = 0.0,
    ) -> None:
        """The exchange of ``event`` is over: record its answer and timings, once, and tell
        the listeners of completed events (``journal.subscribe_completed``)."""
        event.added_delay_ms = added_delay_ms
        self._journal.complete(event, response, processing_ms, total_ms, queued_ms)

    def delay_ms(self, response: ResponseDefinition, settings: Settings | None = None) -> float:
        """The delay for one answer: the stub's, plus the namespace's (``settings``: the values
        in force, when a timeline changes them; else the settings as set)."""
        settings = self._settings if settings is None else settings
        total = 0.0
        if response.delay is not None:
            total += self._sample(response.delay)
        if settings.fixed_delay_ms:
            total += settings.fixed_delay_ms
        if settings.delay_distribution is not None:
            total += self._sample(settings.delay_distribution)
        return min(total, MAX_DELAY_MS)

    def _sample(self, delay: DelayDistribution) -> float:
        if isinstance(delay, SeededDelay):
            return delay.distribution.sample_ms(self.rng_for(delay, delay.seed))
        return delay.sample_ms(self._rng)

    def near_miss_search(self, request: RecordedRequest) -> NearMissSearch:
        """The search for the stubs closest to ``request``, over the stubs, scenario states
        and sequence cursors as they are now (later changes do not reach it)."""
        snapshot = self._state.snapshot()
        return NearMissSearch(request, self._stubs.snapshot(), snapshot.scenarios, snapshot.cursors)

    def near_misses(self, request: RecordedRequest, limit: int = MAX_NEAR_MISSES) -> list[NearMiss]:
        """The stubs closest to ``request``, with the scenario states and sequence positions of
        this namespace (a stub waiting for another state says so)."""
        snapshot = self._state.snapshot()
        return closest_stubs(
            request, self._stubs, limit, scenarios=snapshot.scenarios, cursors=snapshot.cursors
        )

    def random_source(self, label: str) -> random.Random:
        """A random source of its own for ``label`` (a mounted service plugin), seeded from the
        namespace's seed: the same seed gives the same sequence, whatever else draws numbers."""
        return random.Random(f"{self._seed}:{label}") if self._seed is not None else random.Random()

    # -- control plane ----------------------------------------------------------------------
    def subscribe_stubs(self, listener: StubListener) -> Callable[[], None]:
        """Call ``listener(kind, stub)`` as stubs are created, updated (edited in place) and
        removed, by any call (admin, tag maps, resets); returns the unsubscribe."""
        listeners = self._stub_listeners
        listeners.append(listener)
        return lambda: listeners.remove(listener) if listener in listeners else None

    def _tell(self, kind: str, stubs: Iterable[StubMapping]) -> None:
        for stub in stubs:
            for listener in tuple(self._stub_listeners):
                listener(kind, stub)

    def touch(self) -> None:
        self._last_used = self._clock()

    def mark_changed(self) -> None:
        """Something the data-plane stages derive from changed outside the stubs and settings
        (a service plugin was mounted or unmounted): move :attr:`revision` on."""
        self._revision += 1

    def add_stub(self, stub: StubMapping) -> None:
        self._revision += 1
        self._stubs.add(stub)
        self._state.forget_stub(stub.id)
        if self._stub_listeners:
            self._tell("stub.created", (stub,))

    def edit_stub(self, stub: StubMapping) -> None:
        """Replace a stub in place (``PUT /mappings/{id}``): it keeps its place among equals, its
        sequence position and whether it has been used; its scenario state is untouched."""
        self._revision += 1
        self._stubs.add(stub, keep_position=True)
        if self._stub_listeners:
            self._tell("stub.updated", (stub,))

    def remove_stub(self, stub_id: str) -> StubMapping | None:
        """Remove a stub; a scenario none of the remaining stubs names forgets its state."""
        self._revision += 1
        self._state.forget_stub(stub_id)
        removed = self._stubs.remove(stub_id)
        name = removed.scenario_name if removed is not None else None
        if name is not None and all(s.scenario_name != name for s in self._stubs):
            self._state.set_scenario_state(name, None)
        if removed is not None and self._stub_listeners:
            self._tell("stub.removed", (removed,))
        return removed

    def remove_all_stubs(self) -> None:
        """``DELETE /mappings``: no stubs, and so no scenario states either (as WireMock)."""
        self._revision += 1
        removed = tuple(self._stubs) if self._stub_listeners else ()
        self._stubs.clear()
        self._state.forget_stubs()
        self._tell("stub.removed", removed)

    def set_scenario_state(self, name: str, state: str | None) -> None:
        """``PUT /scenarios/{name}/state``; None puts it back to ``Started``."""
        self._state.set_scenario_state(name, state)

    def reset_scenarios(self) -> None:
        self._state.reset_scenarios()

    def update_settings(self, settings: Settings) -> None:
        self._revision += 1
        self._settings = settings
        self._restart(settings)

    def _restart(self, settings: Settings) -> None:
        """New settings: a timeline starts now, seeded streams start again."""
        self._settings_since = self._clock()
        self._streams.clear()
        self._derived.clear()
        if settings.seed is not None:
            self._rng.seed(settings.seed)

    def set_port(self, port: int | None) -> None:
        self._port = port

    def set_baseline(
        self,
        stubs: tuple[StubMapping, ...],
        settings: Settings | None = None,
        states: tuple[tuple[str, str], ...] = (),
        collections: tuple[InitialCollection, ...] | None = None,
    ) -> None:
        """What ``reset`` and ``reset_mappings`` restore: these stubs and scenario states, and
        these settings (None: the defaults); ``reset`` restores these collections too (None:
        keep the ones the baseline had)."""
        self._initial_stubs = stubs
        self._initial_settings = Settings() if settings is None else settings
        self._initial_states = states
        if collections is not None:
            self._initial_collections = collections

    @property
    def initial_stubs(self) -> tuple[StubMapping, ...]:
        """What ``reset_mappings`` restores."""
        return self._initial_stubs

    def keep_stubs(self) -> None:
        """``POST /mappings/save``: the stubs as they are now become what resets restore."""
        self._initial_stubs = tuple(self._stubs)

    def keep_also(self, stubs: Iterable[StubMapping]) -> None:
        """Stubs just written to the mapping folder (a persisted recording, a persistent stub)
        are restored by resets too, as WireMock's reset reloads them from the files; one
        already there is replaced in place."""
        added = {stub.id: stub for stub in stubs}
        kept = tuple(added.pop(s.id, s) for s in self._initial_stubs)
        self._initial_stubs = (*kept, *added.values())

    def set_initial_stubs(self, stubs: tuple[StubMapping, ...]) -> None:
        """What resets restore from now on (the mapping folder as a reset re-read it)."""
        self._initial_stubs = stubs

    def forget_initial(self, stub_ids: Iterable[str]) -> None:
        """Stubs whose files were just deleted are no longer restored by resets."""
        gone = set(stub_ids)
        self._initial_stubs = tuple(s for s in self._initial_stubs if s.id not in gone)

    def define_collections(self, collections: tuple[InitialCollection, ...]) -> None:
        """Replace these collections (each whole; the others stay). Every item is checked
        before anything changes: ``CollectionError`` naming ``/<name>/<index>/<pointer>``."""
        from mockbdd.domain.collections import Collection, CollectionError

        built = []
        for initial in collections:
            try:
                built.append(Collection(initial.spec, initial.items))
            except CollectionError as exc:
                raise CollectionError(
                    exc.status, exc.reason, f"/{initial.spec.name}{exc.pointer}"
                ) from None
        for collection in built:
            self._state.collections.put(collection)

    def clear_journal(self) -> None:
        self._journal.clear()

    def remove_requests(self, predicate: Callable[[ServeEvent], bool]) -> list[ServeEvent]:
        return self._journal.remove(predicate)

    def remove_request(self, event_id: str) -> bool:
        return self._journal.remove_id(event_id)

    def reset_mappings(self) -> None:
        """``POST /mappings/reset``: back to the initial stubs and scenario states, journal
        cleared (WireMock's reset to default mappings)."""
        self._revision += 1
        self.remove_all_stubs()
        for stub in self._initial_stubs:
            self._stubs.add(stub)
        if self._stub_listeners:
            self._tell("stub.created", self._initial_stubs)
        for name, state in self._initial_states:
            self._state.set_scenario_state(name, state)
        self._journal.clear()
        self._values.clear()

    def reset(self) -> None:
        """``POST /reset``: as ``reset_mappings``, and the settings the namespace started with."""
        self._revision += 1
        self.reset_mappings()
        self._settings = self._initial_settings
        self._validators = ()
        self._rng.seed(self._seed)
        self._restart(self._settings)
        self._state.collections.clear()
        for initial in self._initial_collections:
            self._state.collections.define(initial.spec, initial.items)
