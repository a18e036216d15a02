"""InMemoryNamespaceState: what a commit changes, what is forgotten, and snapshots that stay put."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from mockbdd.domain.journal import InMemoryJournal, new_journal
from mockbdd.domain.plan import Selection
from mockbdd.domain.responses import ResponseDefinition, ResponseSequence
from mockbdd.domain.scenarios import STARTED
from mockbdd.domain.state import InMemoryNamespaceState
from mockbdd.domain.stubs import StubMapping
from mockbdd.wire.mappings import parse_stub_mapping


def stub(**mapping: Any) -> StubMapping:
    if "responses" not in mapping:
        mapping.setdefault("response", {"status": 200})
    mapping.setdefault("request", {"urlPath": "/a"})
    stub_id = mapping.pop("id", None)  # short ids read better here; the wire takes UUIDs only
    parsed = parse_stub_mapping(mapping)
    return parsed if stub_id is None else replace(parsed, id=stub_id)


def single(s: StubMapping) -> Selection:
    assert isinstance(s.response, ResponseDefinition)
    return Selection(s, s.response, -1)


def at(s: StubMapping, position: int) -> Selection:
    assert isinstance(s.response, ResponseSequence)
    chosen = s.response.response_at(position)
    assert chosen is not None
    return Selection(s, chosen, position)


@pytest.fixture
def state() -> InMemoryNamespaceState:
    return InMemoryNamespaceState(new_journal())


def test_a_fresh_state_has_every_scenario_started_and_no_history(
    state: InMemoryNamespaceState,
) -> None:
    assert state.scenario_state("cart") == STARTED
    assert state.served("s1") == 0
    assert not state.was_used("s1")
    assert dict(state.scenario_states()) == {}


def test_commit_of_a_single_response_marks_the_stub_used_and_moves_no_cursor(
    state: InMemoryNamespaceState,
) -> None:
    s = stub(id="s1")
    assert state.commit(single(s)) is True
    assert state.was_used("s1")
    assert state.served("s1") == 0
    assert state.snapshot().cursors == {}


def test_commit_of_a_sequence_item_moves_its_cursor_past_the_position_served(
    state: InMemoryNamespaceState,
) -> None:
    s = stub(id="seq", responses=[{"status": 201}, {"status": 202}, {"status": 203}])
    state.commit(at(s, 0))
    assert state.served("seq") == 1
    state.commit(at(s, 2))
    assert state.served("seq") == 3


def test_commit_makes_the_scenario_transition_only_when_the_stub_names_a_new_state(
    state: InMemoryNamespaceState,
) -> None:
    state.commit(single(stub(scenarioName="cart", requiredScenarioState=STARTED)))
    assert state.scenario_state("cart") == STARTED
    assert dict(state.scenario_states()) == {}
    state.commit(single(stub(scenarioName="cart", newScenarioState="added")))
    assert state.scenario_state("cart") == "added"
    assert dict(state.scenario_states()) == {"cart": "added"}


def test_a_scenario_set_to_none_is_forgotten_and_reads_started_again(
    state: InMemoryNamespaceState,
) -> None:
    state.set_scenario_state("cart", "added")
    state.set_scenario_state("login", "in")
    state.set_scenario_state("cart", None)
    assert state.scenario_state("cart") == STARTED
    assert dict(state.scenario_states()) == {"login": "in"}
    state.reset_scenarios()
    assert dict(state.scenario_states()) == {}


def test_the_scenario_states_read_are_a_view_that_cannot_be_written(
    state: InMemoryNamespaceState,
) -> None:
    state.set_scenario_state("cart", "added")
    view = state.scenario_states()
    with pytest.raises(TypeError):
        view["cart"] = "paid"  # type: ignore[index]
    state.set_scenario_state("cart", "paid")
    assert view["cart"] == "paid"  # a view: it follows the state


def test_forgetting_a_stub_drops_its_cursor_and_used_mark_but_not_its_scenario(
    state: InMemoryNamespaceState,
) -> None:
    s = stub(id="seq", responses=[{"status": 201}, {"status": 202}], scenarioName="flow")
    other = stub(id="other")
    state.commit(at(s, 0))
    state.commit(single(other))
    state.set_scenario_state("flow", "two")
    state.forget_stub("seq")
    assert (state.served("seq"), state.was_used("seq")) == (0, False)
    assert state.was_used("other")
    assert state.scenario_state("flow") == "two"
    state.forget_stub("never-seen")  # nothing to forget: no error
    assert state.was_used("other")


def test_forgetting_all_stubs_drops_cursors_used_marks_and_scenario_states(
    state: InMemoryNamespaceState,
) -> None:
    s = stub(id="seq", responses=[{"status": 201}, {"status": 202}])
    state.commit(at(s, 0))
    state.set_scenario_state("flow", "two")
    state.forget_stubs()
    assert (state.served("seq"), state.was_used("seq")) == (0, False)
    assert dict(state.scenario_states()) == {}


def test_a_snapshot_keeps_the_states_and_cursors_of_its_moment(
    state: InMemoryNamespaceState,
) -> None:
    s = stub(id="seq", responses=[{"status": 201}, {"status": 202}], scenarioName="flow")
    state.commit(at(s, 0))
    state.set_scenario_state("flow", "two")
    snapshot = state.snapshot()
    state.commit(at(s, 1))
    state.set_scenario_state("flow", "three")
    state.forget_stubs()
    assert snapshot.cursors == {"seq": 1}
    assert snapshot.scenarios.state("flow") == "two"


def test_the_journal_is_the_one_the_state_was_given() -> None:
    journal = InMemoryJournal(5)
    state = InMemoryNamespaceState(journal)
    assert state.journal is journal
    assert state.journal is state.journal
