"""Scenario state machines of one namespace (WireMock scenarios; initial state ``Started``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

STARTED = "Started"


@dataclass(frozen=True, slots=True)
class ScenarioView:
    name: str
    state: str
    possible_states: tuple[str, ...]


class ScenarioStates:
    def __init__(self) -> None:
        self._states: dict[str, str] = {}

    def state(self, name: str) -> str:
        return self._states.get(name, STARTED)

    def set(self, name: str, state: str) -> None:
        self._states[name] = state

    def reset(self, name: str | None = None) -> None:
        if name is None:
            self._states.clear()
        else:
            self._states.pop(name, None)

    def views(self, declared: Iterable[tuple[str, Iterable[str]]]) -> list[ScenarioView]:
        """One view per scenario named by stubs, with every state the stubs mention."""
        possible: dict[str, set[str]] = {}
        for name, states in declared:
            possible.setdefault(name, {STARTED}).update(states)
        for name, state in self._states.items():
            possible.setdefault(name, {STARTED}).add(state)
        return [
            ScenarioView(name, self.state(name), tuple(sorted(states)))
            for name, states in sorted(possible.items())
        ]
