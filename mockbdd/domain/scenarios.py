"""Scenario state machines of one namespace (WireMock scenarios; initial state ``Started``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from mockbdd.records import record

STARTED = "Started"


@record
class ScenarioView:
    name: str
    state: str
    possible_states: tuple[str, ...]


class ScenarioStates:
    def __init__(self, states: Mapping[str, str] | None = None) -> None:
        self._states: dict[str, str] = dict(states or {})

    def state(self, name: str) -> str:
        return self._states.get(name, STARTED)

    def set(self, name: str, state: str) -> None:
        self._states[name] = state

    def reset(self, name: str | None = None) -> None:
        if name is None:
            self._states.clear()
        else:
            self._states.pop(name, None)

    def current(self) -> Mapping[str, str]:
        """The states set so far (a read-only view)."""
        return MappingProxyType(self._states)

    def copy(self) -> ScenarioStates:
        return ScenarioStates(self._states)


def scenario_views(
    declared: Iterable[tuple[str, Iterable[str]]], current: Mapping[str, str]
) -> list[ScenarioView]:
    """One view per scenario named by stubs (``declared``: name, the states its stubs mention)
    or holding a state in ``current``, with every state it can be in."""
    possible: dict[str, set[str]] = {}
    for name, states in declared:
        possible.setdefault(name, {STARTED}).update(states)
    for name, state in current.items():
        possible.setdefault(name, {STARTED}).add(state)
    return [
        ScenarioView(name, current.get(name, STARTED), tuple(sorted(states)))
        for name, states in sorted(possible.items())
    ]
