"""Namespace: the plan one serve returns, completion, admit answers, every mutation a method,
commit races of a shared state, and namespaces isolated from each other."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from mockbdd.domain.engine import Engine
from mockbdd.domain.journal import (
    PENDING,
    DisabledJournal,
    ResponseRecord,
    ServeEvent,
    new_journal,
)
from mockbdd.domain.namespace import (
    MAX_SELECT_ATTEMPTS,
    Namespace,
    Selection,
    Settings,
    StateConflict,
)
from mockbdd.domain.requests import Body, RecordedRequest
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.domain.scenarios import STARTED
from mockbdd.domain.state import InMemoryNamespaceState
from mockbdd.domain.stubs import StubMapping
from mockbdd.wire.journal import serve_event_json
from mockbdd.wire.mappings import parse_stub_mapping
from mockbdd.wire.settings import parse_settings


def req(method: str = "GET", url: str = "/a", body: bytes = b"") -> RecordedRequest:
    return RecordedRequest(
        method=method, url=url, path=url.split("?")[0], query={}, headers={}, body=Body(body)
    )


def stub(**mapping: Any) -> StubMapping:
    if "responses" not in mapping:
        mapping.setdefault("response", {"status": 200})
    mapping.setdefault("request", {"urlPath": "/a"})
    stub_id = mapping.pop("id", None)  # short ids read better here; the wire takes UUIDs only
    parsed = parse_stub_mapping(mapping)
    return parsed if stub_id is None else replace(parsed, id=stub_id)


def status_of(ns: Namespace, request: RecordedRequest) -> int | None:
    plan = ns.serve(request)
    return None if plan.response is None else plan.response.status


# -- the plan -------------------------------------------------------------------------------


def test_a_matched_plan_carries_stub_response_sampled_delay_and_fault() -> None:
    ns = Namespace("t")
    s = stub(id="s1", response={"status": 503, "fixedDelayMilliseconds": 40})
    ns.add_stub(s)
    ns.update_settings(parse_settings({"fixedDelay": 10}))
    plan = ns.serve(req())
    assert plan.stub is s
    assert plan.response is not None
    assert plan.response.status == 503
    assert plan.delay_ms == 50  # the stub's and the namespace's, sampled in the one call
    assert plan.fault is None
    assert plan.near_misses is None
    assert plan.event.stub is s
    assert plan.event.response is PENDING
    assert next(ns.journal.events()) is plan.event


def test_a_plan_names_the_fault_of_its_response() -> None:
    ns = Namespace("t")
    ns.add_stub(stub(response={"fault": "EMPTY_RESPONSE"}))
    plan = ns.serve(req())
    assert plan.fault == "EMPTY_RESPONSE"
    assert str(plan.fault) == "EMPTY_RESPONSE"


def test_an_unmatched_plan_has_no_response_and_a_search_over_the_stubs_of_its_moment() -> None:
    ns = Namespace("t")
    ns.add_stub(stub(name="users", request={"urlPath": "/users/1"}))
    plan = ns.serve(req(url="/users/2"))
    assert (plan.stub, plan.response, plan.delay_ms, plan.fault) == (None, None, 0.0, None)
    assert plan.event.stub_id is None
    ns.remove_all_stubs()  # after the request: the report still speaks of the stub it missed
    assert plan.near_misses is not None
    [miss] = plan.near_misses.result()
    assert miss.stub is not None
    assert miss.stub.name == "users"
    assert ns.near_misses(req(url="/users/2")) == []


def test_the_search_sees_scenario_states_as_they_were_when_the_request_came() -> None:
    ns = Namespace("t")
    ns.add_stub(
        stub(request={"urlPath": "/pay"}, scenarioName="cart", requiredScenarioState="full")
    )
    plan = ns.serve(req(url="/pay"))
    ns.set_scenario_state("cart", "full")
    assert plan.near_misses is not None
    [miss] = plan.near_misses.result()
    assert not miss.result.is_exact  # it was waiting for "full" then
    assert ns.near_misses(req(url="/pay"))[0].result.is_exact  # and is not any more


def test_complete_records_the_answer_once_and_tells_completed_listeners() -> None:
    ns = Namespace("t")
    ns.add_stub(stub())
    arrived: list[tuple[ServeEvent, ResponseRecord]] = []
    completed: list[tuple[ServeEvent, ResponseRecord, float]] = []
    ns.journal.subscribe(lambda e: arrived.append((e, e.response)))
    ns.journal.subscribe_completed(lambda e: completed.append((e, e.response, e.total_ms)))
    plan = ns.serve(req())
    assert arrived == [(plan.event, PENDING)]
    assert completed == []
    record = ResponseRecord(200, (("X", "1"),), b"ok")
    ns.complete(plan.event, record, 1.5, 7.0, 0.5)
    assert completed == [(plan.event, record, 7.0)]
    e = plan.event
    assert (e.response, e.processing_ms, e.total_ms, e.queued_ms) == (record, 1.5, 7.0, 0.5)


def test_a_listener_unsubscribed_hears_nothing_more() -> None:
    ns = Namespace("t")
    heard: list[ServeEvent] = []
    unsubscribe = ns.journal.subscribe_completed(heard.append)
    first = ns.serve(req()).event
    ns.complete(first, ResponseRecord(404), 1.0, 1.0)
    unsubscribe()
    unsubscribe()  # twice is harmless
    second = ns.serve(req()).event
    ns.complete(second, ResponseRecord(404), 1.0, 1.0)
    assert heard == [first]


def test_an_admit_answer_is_journaled_by_its_stage_and_touches_no_stub_state() -> None:
    ns = Namespace("t")
    ns.add_stub(
        stub(
            id="seq",
            responses=[{"status": 201}, {"status": 202}],
            scenarioName="f",
            newScenarioState="next",
        )
    )
    ns.update_settings(Settings(fixed_delay_ms=5))
    limited = ResponseDefinition(status=429)
    plan = ns.intercept(req(), limited, "limits")
    assert (plan.stub, plan.response, plan.delay_ms) == (None, limited, 5)
    assert plan.event.stub_id is None
    assert (plan.event.admitted_by, plan.event.was_matched, plan.event.unmatched) == (
        "limits",
        False,
        False,
    )
    assert next(ns.journal.events()) is plan.event
    assert ns.unused_stubs()[0].id == "seq"
    assert ns.scenario_state("f") == STARTED
    assert status_of(ns, req()) == 201  # the sequence has not moved


def test_select_is_a_dry_run() -> None:
    ns = Namespace("t")
    ns.add_stub(
        stub(
            id="seq",
            responses=[{"status": 201}, {"status": 202}],
            scenarioName="f",
            newScenarioState="next",
        )
    )
    for _ in range(3):
        selection = ns.select(req())
        assert selection is not None
        assert selection.response.status == 201
    assert len(ns.journal) == 0
    assert ns.scenario_state("f") == STARTED
    assert ns.select(req(url="/nothing")) is None


# -- a shared state that loses commit races -------------------------------------------------


class RacingState(InMemoryNamespaceState):
    """A state shared with another server that, ``losses`` times, serves the same stub first."""

    def __init__(self, losses: int) -> None:
        super().__init__(new_journal())
        self.losses = losses
        self.commits = 0

    def commit(self, selection: Selection) -> bool:
        self.commits += 1
        if self.losses:
            self.losses -= 1
            super().commit(selection)  # the other server's request took this position
            return False
        return super().commit(selection)


def test_a_lost_commit_race_selects_again_and_serves_what_is_left() -> None:
    state = RacingState(losses=1)
    ns = Namespace("t", state=state)
    ns.add_stub(stub(responses=[{"status": 201}, {"status": 202}, {"status": 203}]))
    assert status_of(ns, req()) == 202  # 201 went to the other server
    assert state.commits == 2
    assert len(ns.journal) == 1
    assert status_of(ns, req()) == 203


def test_a_race_lost_to_exhaustion_ends_unmatched() -> None:
    ns = Namespace("t", state=RacingState(losses=1))
    ns.add_stub(stub(responses=[{"status": 201}], whenExhausted="notFound"))
    plan = ns.serve(req())
    assert plan.response is None
    assert plan.near_misses is not None


def test_a_state_that_never_lets_a_commit_through_is_a_clear_error() -> None:
    ns = Namespace("t", state=RacingState(losses=10 * MAX_SELECT_ATTEMPTS))
    ns.add_stub(stub(responses=[{"status": 201}], whenExhausted="loop"))
    with pytest.raises(StateConflict, match=r"namespace 't'.*GET /a"):
        ns.serve(req())
    assert len(ns.journal) == 0  # nothing journaled for a request that was not decided


# -- every mutation a method ----------------------------------------------------------------


def test_adding_a_stub_again_starts_its_sequence_over() -> None:
    ns = Namespace("t")
    s = stub(id="seq", responses=[{"status": 201}, {"status": 202}])
    ns.add_stub(s)
    assert status_of(ns, req()) == 201
    ns.add_stub(s)
    assert status_of(ns, req()) == 201
    assert ns.unused_stubs() == []


def test_editing_a_stub_keeps_its_position_in_the_sequence_and_its_used_mark() -> None:
    ns = Namespace("t")
    ns.add_stub(stub(id="seq", responses=[{"status": 201}, {"status": 202}]))
    assert status_of(ns, req()) == 201
    ns.edit_stub(stub(id="seq", responses=[{"status": 301}, {"status": 302}]))
    assert ns.unused_stubs() == []
    assert status_of(ns, req()) == 302


def test_removing_the_last_stub_of_a_scenario_forgets_its_state_but_not_before() -> None:
    ns = Namespace("t")
    ns.add_stub(stub(id="a", scenarioName="flow", newScenarioState="two"))
    ns.add_stub(stub(id="b", request={"urlPath": "/b"}, scenarioName="flow"))
    ns.add_stub(stub(id="plain", request={"urlPath": "/c"}))
    ns.serve(req())
    assert ns.scenario_state("flow") == "two"
    assert ns.remove_stub("a") is not None
    assert ns.scenario_state("flow") == "two"  # "b" still names it
    assert ns.remove_stub("plain") is not None
    assert ns.remove_stub("b") is not None
    assert ns.scenario_state("flow") == STARTED
    assert ns.remove_stub("b") is None
    assert len(ns.stubs) == 0


def test_removing_all_stubs_forgets_scenarios_and_history() -> None:
    ns = Namespace("t")
    ns.add_stub(stub(id="a", scenarioName="flow", newScenarioState="two"))
    ns.serve(req())
    ns.remove_all_stubs()
    assert (len(ns.stubs), ns.scenario_state("flow")) == (0, STARTED)
    ns.add_stub(stub(id="a"))
    assert [s.id for s in ns.unused_stubs()] == ["a"]


def test_scenario_state_is_set_and_put_back_through_the_namespace() -> None:
    ns = Namespace("t")
    ns.add_stub(stub(scenarioName="flow", requiredScenarioState="two"))
    assert status_of(ns, req()) is None
    ns.set_scenario_state("flow", "two")
    assert status_of(ns, req()) == 200
    views = ns.scenario_views([("flow", ["two"])])
    assert [(v.name, v.state, v.possible_states) for v in views] == [
        ("flow", "two", ("Started", "two"))
    ]
    ns.set_scenario_state("flow", None)
    assert ns.scenario_state("flow") == STARTED
    ns.set_scenario_state("flow", "two")
    ns.reset_scenarios()
    assert ns.scenario_state("flow") == STARTED


def test_reset_restores_the_baseline_stubs_states_and_settings_and_clears_the_journal() -> None:
    ns = Namespace("t")
    opening = stub(id="base", scenarioName="flow", requiredScenarioState="ready")
    start_settings = Settings(fixed_delay_ms=3)
    ns.set_baseline((opening,), start_settings, (("flow", "ready"),))
    ns.reset()
    assert [s.id for s in ns.stubs] == ["base"]
    assert ns.settings == start_settings
    assert ns.scenario_state("flow") == "ready"
    ns.add_stub(stub(id="extra"))
    ns.update_settings(Settings(fixed_delay_ms=100))
    ns.set_scenario_state("flow", "gone")
    ns.serve(req())
    ns.reset_mappings()  # the stubs and states, not the settings
    assert [s.id for s in ns.stubs] == ["base"]
    assert ns.scenario_state("flow") == "ready"
    assert ns.settings.fixed_delay_ms == 100
    assert len(ns.journal) == 0
    ns.reset()
    assert ns.settings == start_settings


def test_a_baseline_without_settings_resets_to_the_defaults() -> None:
    ns = Namespace("t")
    ns.update_settings(Settings(fixed_delay_ms=100))
    ns.set_baseline(())
    ns.reset()
    assert ns.settings == Settings()


def test_journal_entries_are_removed_through_the_namespace() -> None:
    ns = Namespace("t")
    a, b, c = (ns.serve(req(url=u)).event for u in ("/a", "/b", "/c"))
    assert ns.remove_requests(lambda e: e.request.path == "/b") == [b]
    assert ns.remove_request(a.id) is True
    assert ns.remove_request(a.id) is False
    assert list(ns.journal.events()) == [c]
    ns.clear_journal()
    assert len(ns.journal) == 0


def test_port_ttl_and_idle_time() -> None:
    now = [100.0]
    ns = Namespace("t", ttl_seconds=30, clock=lambda: now[0])
    assert (ns.name, ns.port, ns.ttl_seconds, ns.expires_at()) == ("t", None, 30, 130.0)
    ns.set_port(8123)
    assert ns.port == 8123
    now[0] = 110.0
    ns.serve(req())
    assert ns.last_used == 110.0
    assert ns.expires_at() == 140.0
    now[0] = 120.0
    ns.intercept(req(), ResponseDefinition(status=429), "limits")
    assert ns.expires_at() == 150.0
    now[0] = 125.0
    ns.touch()
    assert ns.expires_at() == 155.0
    assert Namespace("forever").expires_at() is None


def test_journal_max_zero_gives_a_disabled_journal_that_still_tells_listeners() -> None:
    ns = Namespace("t", journal_max=0)
    assert isinstance(ns.journal, DisabledJournal)
    heard: list[ServeEvent] = []
    ns.journal.subscribe_completed(heard.append)
    plan = ns.serve(req())
    ns.complete(plan.event, ResponseRecord(404), 1.0, 2.0)
    assert heard == [plan.event]
    assert len(ns.journal) == 0
    assert ns.journal.evicted == 1


# -- isolation ------------------------------------------------------------------------------


def test_namespaces_share_nothing_even_with_the_same_stub_ids_and_scenario_names() -> None:
    engine = Engine()
    one, two = engine.create("one"), engine.create("two")
    for ns in (one, two):
        ns.add_stub(
            stub(
                id="same",
                responses=[{"status": 201}, {"status": 202}],
                scenarioName="flow",
                newScenarioState="done",
            )
        )
    one.update_settings(Settings(fixed_delay_ms=7))
    assert status_of(one, req()) == 201
    assert status_of(one, req()) == 202
    assert one.scenario_state("flow") == "done"
    assert two.scenario_state("flow") == STARTED
    assert [s.id for s in two.unused_stubs()] == ["same"]
    assert (len(one.journal), len(two.journal)) == (2, 0)
    plan = two.serve(req())
    assert plan.response is not None
    assert plan.response.status == 201
    assert plan.delay_ms == 0
    one.reset()
    assert status_of(two, req()) == 202
    assert len(two.journal) == 2
    assert engine.default.stubs.get("same") is None


def test_event_ids_of_one_namespace_are_unknown_to_another() -> None:
    one, two = Namespace("one"), Namespace("two")
    event = one.serve(req()).event
    assert one.journal.get(event.id) is event
    assert two.journal.get(event.id) is None
    assert two.remove_request(event.id) is False
    assert one.journal.get(event.id) is event


def test_a_candidate_whose_request_does_not_match_passes_the_request_on() -> None:
    ns = Namespace("t")
    ns.add_stub(stub(id="plain"))
    ns.add_stub(
        stub(
            id="seq",
            request={"urlPath": "/a", "headers": {"X-Flow": {"equalTo": "1"}}},
            responses=[{"status": 201}],
        )
    )
    ns.add_stub(stub(id="single", request={"urlPath": "/a", "headers": {"X-V": {"equalTo": "2"}}}))
    plan = ns.serve(req())  # the two newer stubs on /a want headers this request lacks
    assert plan.stub is not None
    assert plan.stub.id == "plain"


def test_select_then_commit_is_what_serve_does_without_the_journal() -> None:
    ns = Namespace("t")
    ns.add_stub(
        stub(
            responses=[{"status": 201}, {"status": 202}],
            scenarioName="f",
            newScenarioState="next",
        )
    )
    selection = ns.select(req())
    assert selection is not None
    assert ns.commit(selection) is True
    assert (ns.scenario_state("f"), ns.unused_stubs(), len(ns.journal)) == ("next", [], 0)
    assert status_of(ns, req()) == 202


def test_the_namespace_delay_distribution_is_sampled_from_its_own_seeded_random() -> None:
    settings = parse_settings({"delayDistribution": {"type": "uniform", "lower": 10, "upper": 90}})

    def delays(ns: Namespace) -> list[float]:
        ns.add_stub(stub())
        ns.update_settings(settings)
        return [ns.serve(req()).delay_ms for _ in range(20)]

    first, again = delays(Namespace("a", seed=7)), delays(Namespace("b", seed=7))
    assert first == again  # one seed, one series, whatever the namespace's name
    assert all(10 <= d <= 90 for d in first)
    assert len(set(first)) > 1


# -- change listeners (the event stream's source) --------------------------------------------
def test_stub_listeners_hear_every_change_until_unsubscribed() -> None:
    ns = Namespace("n")
    heard: list[tuple[str, str]] = []
    unsubscribe = ns.subscribe_stubs(lambda kind, s: heard.append((kind, s.id)))
    first, second = stub(id="one"), stub(id="two")
    ns.set_baseline((first,))
    ns.add_stub(first)
    ns.edit_stub(replace(first, priority=1))
    ns.add_stub(second)
    ns.remove_stub("two")
    assert ns.remove_stub("missing") is None
    ns.add_stub(second)
    ns.reset_mappings()  # everything removed, the baseline back
    assert heard == [
        ("stub.created", "one"),
        ("stub.updated", "one"),
        ("stub.created", "two"),
        ("stub.removed", "two"),
        ("stub.created", "two"),
        ("stub.removed", "one"),  # in match order: "one" has priority 1
        ("stub.removed", "two"),
        ("stub.created", "one"),
    ]
    unsubscribe()
    unsubscribe()  # twice is harmless
    ns.add_stub(second)
    assert len(heard) == 8


def test_engine_listeners_hear_namespaces_come_and_go() -> None:
    now = [0.0]
    engine = Engine(clock=lambda: now[0])
    heard: list[tuple[str, str]] = []
    unsubscribe = engine.subscribe(lambda kind, ns: heard.append((kind, ns.name)))
    engine.create("a")
    engine.create("b", ttl_seconds=1)
    engine.delete("a")
    now[0] = 5
    assert [ns.name for ns in engine.expire()] == ["b"]
    unsubscribe()
    unsubscribe()
    engine.create("c")
    assert heard == [
        ("namespace.created", "a"),
        ("namespace.created", "b"),
        ("namespace.deleted", "a"),
        ("namespace.deleted", "b"),
    ]


def test_serve_event_keeps_the_stub_as_it_was_when_served() -> None:
    ns = Namespace("t")
    ns.add_stub(stub(id="s1", request={"urlPath": "/a"}, response={"body": "v1"}))
    event = ns.serve(req(url="/a")).event
    ns.edit_stub(stub(id="s1", request={"urlPath": "/a"}, response={"body": "v2"}))
    current = ns.stubs.get("s1")
    assert event.stub is not None
    assert event.stub_id == "s1"
    assert event.stub.source["response"] == {"status": 200, "body": "v1"}
    assert serve_event_json(event, current)["stubMapping"]["response"]["body"] == "v1"
    ns.remove_stub("s1")
    assert serve_event_json(event)["stubMapping"]["response"]["body"] == "v1"


def test_namespace_journal_has_a_default_byte_cap() -> None:
    ns = Namespace("t", journal_max_body_bytes=10)
    ns.serve(req("POST", "/a", b"x" * 8))
    ns.serve(req("POST", "/b", b"x" * 8))
    assert (len(ns.journal), ns.journal.evicted) == (1, 1)
    assert Namespace("d").journal.max_body_bytes_total == 64 * 1024 * 1024


def test_namespace_serve_transitions_scenario_atomically() -> None:
    engine = Engine()
    ns = engine.default
    ns.add_stub(
        stub(
            request={"urlPath": "/s"},
            scenarioName="x",
            requiredScenarioState="Started",
            newScenarioState="done",
            response={"status": 201},
        )
    )
    first = ns.serve(req(url="/s"))
    second = ns.serve(req(url="/s"))
    assert first.response is not None
    assert first.response.status == 201
    assert second.response is None
    assert ns.scenario_state("x") == "done"
    assert len(ns.journal) == 2


# -- seeded randomness ------------------------------------------------------------------------


def test_a_delay_with_a_seed_of_its_own_draws_the_same_whatever_else_is_drawn() -> None:
    from mockbdd.domain.delays import SeededDelay, UniformDelay

    def delays(draws_between: int) -> list[float]:
        ns = Namespace("t", seed=1)
        seeded = ResponseDefinition(delay=SeededDelay(UniformDelay(0, 1000), seed=7))
        found = []
        for _ in range(3):
            found.append(ns.delay_ms(seeded))
            for _ in range(draws_between):
                ns.rng.random()  # the namespace's own stream moves; the delay's does not
        return found

    assert delays(0) == delays(5)
    assert len(set(delays(0))) == 3  # a stream, not one value
    unseeded = ResponseDefinition(delay=UniformDelay(0, 1000))
    assert Namespace("a", seed=1).delay_ms(unseeded) == Namespace("b", seed=1).delay_ms(unseeded)
