"""The runtime state of one namespace, behind a protocol: scenario states, sequence cursors, the
stubs that have served, the journal with its counters (tallies, evictions) and the CRUD
collections.

Definitions (stubs, responses, settings) stay in the namespace; everything a request changes is
here, so another store (Redis, shared by several servers) can stand in for the in-memory one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple, Protocol

from mockbdd.domain.journal import Journal
from mockbdd.domain.plan import Selection
from mockbdd.domain.scenarios import ScenarioStates

if TYPE_CHECKING:
    from mockbdd.domain.collections import CollectionStore


class StateSnapshot(NamedTuple):
    """Scenario states and sequence cursors as they were at one moment (copies: later requests
    do not change them), for work done after the request, such as a near-miss report."""

    scenarios: ScenarioStates
    cursors: Mapping[str, int]


class NamespaceState(Protocol):
    """What serving changes in a namespace.

    Serving is two steps. ``Namespace.select`` reads (``scenario_state``, ``served``) and
    decides, changing nothing; ``commit`` then applies the :class:`Selection`: advance the
    stub's sequence cursor to ``position + 1`` (when ``position >= 0``), move its scenario to
    ``new_scenario_state`` (when it has one) and mark the stub used.

    Contract for ``commit``: apply all of it or none of it. It returns False, changing nothing,
    when the state the selection was made against has moved since (the cursor is no longer
    ``position``, or the scenario is no longer ``required_scenario_state``): the namespace then
    selects again. The in-memory state runs on one event loop with nothing awaited between the
    two steps, so its commit always applies; a shared store makes it atomic (compare-and-set or
    a script) and may lose races to other servers.

    ``journal`` and ``collections`` (the CRUD data) are the same objects for the life of the
    state.
    """

    @property
    def journal(self) -> Journal: ...

    @property
    def collections(self) -> CollectionStore: ...

    def scenario_state(self, name: str) -> str: ...

    def served(self, stub_id: str) -> int:
        """How many requests the stub's response sequence has served (its cursor)."""
        ...

    def was_used(self, stub_id: str) -> bool: ...

    def commit(self, selection: Selection) -> bool: ...

    def set_scenario_state(self, name: str, state: str | None) -> None:
        """Move a scenario to ``state``; None forgets it (it is ``Started`` again)."""
        ...

    def reset_scenarios(self) -> None: ...

    def scenario_states(self) -> Mapping[str, str]:
        """The scenarios whose state has been set, name -> state (any other is ``Started``)."""
        ...

    def forget_stub(self, stub_id: str) -> None:
        """A stub was added, replaced or removed: its cursor and "used" mark go."""
        ...

    def forget_stubs(self) -> None:
        """Every stub went: all cursors, "used" marks and scenario states go."""
        ...

    def snapshot(self) -> StateSnapshot: ...


class InMemoryNamespaceState:
    """The default: plain dicts and sets, on the namespace's event loop (no locks)."""

    def __init__(self, journal: Journal) -> None:
        self._journal = journal
        self._scenarios = ScenarioStates()
        self._cursors: dict[str, int] = {}
        self._used: set[str] = set()
        self._collections: CollectionStore | None = None  # at the first use (CRUD)

    @property
    def journal(self) -> Journal:
        return self._journal

    @property
    def collections(self) -> CollectionStore:
        store = self._collections
        if store is None:  # the CRUD module with the first use: most namespaces have none
            from mockbdd.domain.collections import CollectionStore

            store = self._collections = CollectionStore()
        return store

    def scenario_state(self, name: str) -> str:
        return self._scenarios.state(name)

    def served(self, stub_id: str) -> int:
        return self._cursors.get(stub_id, 0)

    def was_used(self, stub_id: str) -> bool:
        return stub_id in self._used

    def commit(self, selection: Selection) -> bool:
        stub = selection.stub
        if selection.position >= 0:
            self._cursors[stub.id] = selection.position + 1
        if stub.scenario_name is not None and stub.new_scenario_state is not None:
            self._scenarios.set(stub.scenario_name, stub.new_scenario_state)
        self._used.add(stub.id)
        return True

    def set_scenario_state(self, name: str, state: str | None) -> None:
        if state is None:
            self._scenarios.reset(name)
        else:
            self._scenarios.set(name, state)

    def reset_scenarios(self) -> None:
        self._scenarios.reset()

    def scenario_states(self) -> Mapping[str, str]:
        return self._scenarios.current()

    def forget_stub(self, stub_id: str) -> None:
        self._cursors.pop(stub_id, None)
        self._used.discard(stub_id)

    def forget_stubs(self) -> None:
        self._cursors.clear()
        self._used.clear()
        self._scenarios.reset()

    def snapshot(self) -> StateSnapshot:
        return StateSnapshot(self._scenarios.copy(), dict(self._cursors))
