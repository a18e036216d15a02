"""NearMissSearch: slice by slice, the same closest stubs as one pass over every stub."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import pytest

from mockbdd.domain.near_miss import closest_stubs
from mockbdd.domain.plan import NearMissSearch
from mockbdd.domain.requests import Body, RecordedRequest
from mockbdd.domain.scenarios import ScenarioStates
from mockbdd.domain.stubs import StubMapping
from mockbdd.wire.mappings import parse_stub_mapping


def req(url: str, method: str = "GET") -> RecordedRequest:
    return RecordedRequest(
        method=method, url=url, path=url.split("?")[0], query={}, headers={}, body=Body(b"")
    )


def stub(i: int, **request: Any) -> StubMapping:
    return replace(parse_stub_mapping({"request": request, "response": {}}), id=f"s{i}")


def many(seed: int, count: int) -> tuple[StubMapping, ...]:
    """Stubs near and far from ``GET /orders/17``, with many exact ties."""
    rng = random.Random(seed)
    paths = ["/orders/17", "/orders/18", "/orders/1", "/order/17", "/users/17", "/x"]
    return tuple(
        stub(
            i,
            method=rng.choice(["GET", "POST", "ANY"]),
            urlPath=rng.choice(paths),
        )
        for i in range(count)
    )


def ids(misses: list[Any]) -> list[tuple[str, float]]:
    return [(m.stub.id, m.result.distance) for m in misses]


@pytest.mark.parametrize(("seed", "count"), [(1, 0), (2, 5), (3, 12), (4, 13), (5, 200), (6, 999)])
def test_the_sliced_search_ranks_as_one_pass_does(seed: int, count: int) -> None:
    stubs = many(seed, count)
    request = req("/orders/17", "PUT")  # exact on no stub's method but ANY's
    expected = closest_stubs(request, stubs)
    search = NearMissSearch(request, stubs, slice_size=12)
    steps = 1
    while not search.step():
        steps += 1
    assert ids(search.result()) == ids(expected)
    assert steps >= count // 12  # it did go slice by slice


def test_the_limit_is_the_number_of_stubs_reported() -> None:
    stubs = many(7, 100)
    request = req("/orders/17")
    search = NearMissSearch(request, stubs, limit=5, slice_size=1)  # slices of 4 x limit
    assert ids(search.result()) == ids(closest_stubs(request, stubs, 5))
    assert len(search.result()) == 5


def test_stepping_a_finished_search_changes_nothing() -> None:
    search = NearMissSearch(req("/a"), (stub(1, urlPath="/a"),))
    assert search.step() is True
    first = search.result()
    assert search.step() is True
    assert search.result() is first


def test_scenario_states_and_cursors_of_the_snapshot_are_used() -> None:
    waiting = parse_stub_mapping(
        {
            "request": {"urlPath": "/pay"},
            "scenarioName": "cart",
            "requiredScenarioState": "full",
            "response": {},
        }
    )
    request = req("/pay")
    [blind] = NearMissSearch(request, (waiting,)).result()
    [aware] = NearMissSearch(request, (waiting,), ScenarioStates(), {}).result()
    assert blind.result.is_exact
    assert not aware.result.is_exact
    [full] = NearMissSearch(request, (waiting,), ScenarioStates({"cart": "full"}), {}).result()
    assert full.result.is_exact
