"""Data-plane stages over real HTTP: admit answers before matching, shape changes the plan,
observe sees each completed exchange; a broken stage is a 500 that is still journaled."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from mockbdd.config import ServerConfig
from mockbdd.domain.journal import PENDING, ServeEvent
from mockbdd.domain.namespace import Namespace
from mockbdd.domain.plan import ServePlan
from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ResponseDefinition
from mockbdd.extensions import Extensions
from mockbdd.server.runner import MockHttpServer
from mockbdd.server.stages import STAGES, Admission, Hooks, Stage
from mockbdd.wire import builtins

SLOW_DOWN = ResponseDefinition(status=429, headers=(("Retry-After", "1"),), body=b"slow down")


def builtin_extensions() -> Extensions:
    """The server's built-ins, not yet frozen, so a test can add its own entries."""
    extensions = Extensions()
    builtins.register(extensions)
    return extensions


@asynccontextmanager
async def serving(*stages: Stage) -> AsyncIterator[tuple[MockHttpServer, httpx.AsyncClient]]:
    extensions = builtin_extensions()
    for i, stage in enumerate(stages):
        extensions.add(STAGES, f"stage-{i}", stage, origin="test")
    server = MockHttpServer(ServerConfig(port=0), extensions=extensions)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.origin(), timeout=10) as http:
            yield server, http
    finally:
        await server.stop()


async def stub(http: httpx.AsyncClient, mapping: dict[str, object], prefix: str = "") -> None:
    created = await http.post(f"{prefix}/__admin/mappings", json=mapping)
    assert created.status_code == 201, created.text


async def journal(http: httpx.AsyncClient, prefix: str = "") -> list[dict[str, Any]]:
    listed = await http.get(f"{prefix}/__admin/requests")
    requests: list[dict[str, Any]] = listed.json()["requests"]
    return requests


async def over_limit(ns: Namespace, request: RecordedRequest) -> ResponseDefinition | None:
    return SLOW_DOWN if "x-over" in request.headers else None


async def test_an_admit_stage_answers_before_matching_and_the_request_is_journaled() -> None:
    async with serving(Hooks(admit=over_limit)) as (_, http):
        await stub(
            http,
            {"request": {"url": "/pay"}, "responses": [{"status": 201}, {"status": 202}]},
        )
        refused = await http.get("/pay", headers={"X-Over": "1"})
        assert refused.status_code == 429
        assert refused.text == "slow down"
        assert refused.headers["Retry-After"] == "1"
        assert "Matched-Stub-Id" not in refused.headers  # no stub answered
        assert (await http.get("/pay")).status_code == 201  # the sequence did not move
        newest_first = await journal(http)
        assert [e["response"]["status"] for e in newest_first] == [201, 429]
        assert [e["wasMatched"] for e in newest_first] == [True, False]
        count = await http.post("/__admin/requests/count", json={"url": "/pay"})
        assert count.json()["count"] == 2


async def test_an_admit_answer_names_its_stage_and_is_no_unmatched_request() -> None:
    async with serving(Hooks(admit=over_limit)) as (_, http):
        await stub(http, {"request": {"url": "/pay"}, "response": {"status": 201}})
        assert (await http.get("/pay", headers={"X-Over": "1"})).status_code == 429
        assert (await http.get("/typo")).status_code == 404
        refused, missed = reversed(await journal(http))
        assert refused["admittedBy"] == "stage-0"  # the name the stage is registered under
        assert refused["wasMatched"] is False
        assert refused["responseDefinition"] == {"status": 429, "fromConfiguredStub": False}
        assert refused["subEvents"] == []  # no REQUEST_NOT_MATCHED report: it met no stub
        assert "admittedBy" not in missed
        [only] = (await http.get("/__admin/requests/unmatched")).json()["requests"]
        assert only["url"] == "/typo"
        listed = (await http.get("/__admin/requests", params={"unmatched": "true"})).json()
        assert [e["request"]["url"] for e in listed["requests"]] == ["/typo"]
        near = (await http.get("/__admin/requests/unmatched/near-misses")).json()["nearMisses"]
        assert {m["request"]["url"] for m in near} == {"/typo"}


async def test_the_first_admit_stage_that_answers_wins() -> None:
    seen: list[str] = []

    async def second(ns: Namespace, request: RecordedRequest) -> ResponseDefinition | None:
        seen.append(request.url)
        return ResponseDefinition(status=400, body=b"invalid")

    async with serving(Hooks(admit=over_limit), Hooks(admit=second)) as (_, http):
        assert (await http.get("/a", headers={"X-Over": "1"})).status_code == 429
        assert (await http.get("/b")).status_code == 400
        assert seen == ["/b"]


async def test_an_admit_stage_may_wait_and_the_wait_is_journaled_as_queued_time() -> None:
    async def queue(ns: Namespace, request: RecordedRequest) -> ResponseDefinition | None:
        await asyncio.sleep(0.05)
        return None

    async with serving(Hooks(admit=queue)) as (server, http):
        await stub(http, {"request": {"url": "/q"}, "response": {"status": 204}})
        assert (await http.get("/q")).status_code == 204
        event = next(server.engine.default.journal.events())
        assert event.queued_ms >= 40  # the queue's wait, apart from the processing
        assert event.total_ms >= event.queued_ms


async def test_an_admit_stage_may_decide_at_once_without_a_coroutine() -> None:
    def at_once(ns: Namespace, request: RecordedRequest) -> ResponseDefinition | None:
        return SLOW_DOWN if "x-over" in request.headers else None  # a plain function

    async with serving(Hooks(admit=at_once)) as (server, http):
        await stub(http, {"request": {"url": "/q"}, "response": {"status": 204}})
        assert (await http.get("/q", headers={"X-Over": "1"})).status_code == 429
        assert (await http.get("/q")).status_code == 204
        served, refused = server.engine.default.journal.events()  # newest first
        assert refused.admitted_by == "stage-0"
        assert (refused.queued_ms, served.queued_ms) == (0.0, 0.0)  # nothing was awaited


async def test_an_admission_adds_headers_and_its_release_runs_once_the_exchange_is_over() -> None:
    """Two stages' admissions: both headers on the answer, in stage order, and each release
    called once per request, after its serve event completed, the first stage's first."""
    released: list[tuple[str, bool]] = []

    def admission(tag: str) -> Hooks:
        def admit(ns: Namespace, request: RecordedRequest) -> Admission:
            def release() -> None:
                event = next(ns.journal.events())
                released.append((tag, event.response is not PENDING))

            return Admission(headers=(("X-Admitted", tag),), release=release)

        return Hooks(admit=admit)

    async with serving(admission("a"), admission("b")) as (_, http):
        await stub(http, {"request": {"url": "/q"}, "response": {"status": 204}})
        answer = await http.get("/q")
        assert answer.status_code == 204
        assert answer.headers.get_list("X-Admitted") == ["a", "b"]
        assert released == [("a", True), ("b", True)]
        assert (await http.get("/none")).status_code == 404  # released for any answer
        assert released[2:] == [("a", True), ("b", True)]
        [entry, _] = await journal(http)
        assert entry["response"]["status"] == 404


async def test_an_admission_may_refuse_with_headers_and_hand_over_its_match() -> None:
    """An admission's response answers instead of the stubs, with its headers; one that lets
    the request on with the match it made is served by that match (nothing matched again)."""

    def admit(ns: Namespace, request: RecordedRequest) -> Admission:
        if "x-over" in request.headers:
            return Admission(SLOW_DOWN, (("X-Why", "over"),))
        chosen = ns.select(request)
        assert chosen is not None
        return Admission(selection=chosen, headers=(("X-Stub", chosen.stub.id),))

    async with serving(Hooks(admit=admit)) as (_, http):
        await stub(
            http, {"request": {"url": "/q"}, "responses": [{"status": 201}, {"status": 202}]}
        )
        refused = await http.get("/q", headers={"X-Over": "1"})
        assert (refused.status_code, refused.headers["X-Why"]) == (429, "over")
        first, second = await http.get("/q"), await http.get("/q")
        assert (first.status_code, second.status_code) == (201, 202)  # the cursor moved once each
        assert first.headers["X-Stub"] == first.headers["Matched-Stub-Id"]


def shaped(ns: Namespace, plan: ServePlan) -> ServePlan:
    if plan.response is None or plan.response.status != 200:
        return plan
    changed = dataclasses.replace(plan.response, status=299, body=b"shaped")
    return plan._replace(response=changed)


async def test_a_shape_stage_changes_the_answer_and_the_journal_says_what_was_sent() -> None:
    async with serving(Hooks(shape=shaped)) as (_, http):
        await stub(http, {"request": {"url": "/s"}, "response": {"body": "plain"}})
        answer = await http.get("/s")
        assert (answer.status_code, answer.text) == (299, "shaped")
        assert "Matched-Stub-Id" in answer.headers  # still the stub's answer
        [entry] = await journal(http)
        assert entry["response"]["status"] == 299
        assert entry["response"]["body"] == "shaped"
        assert (await http.get("/nothing")).status_code == 404  # unmatched plans pass through


async def test_shape_stages_run_in_order_each_on_the_previous_plan() -> None:
    def chaos(ns: Namespace, plan: ServePlan) -> ServePlan:
        if plan.response is not None and plan.response.status == 299:
            return plan._replace(fault="EMPTY_RESPONSE")
        return plan

    async with serving(Hooks(shape=shaped), Hooks(shape=chaos)) as (server, http):
        await stub(http, {"request": {"url": "/c"}, "response": {"body": "plain"}})
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get("/c")
        event = next(server.engine.default.journal.events())
        assert event.response.fault == "EMPTY_RESPONSE"


async def test_an_observe_stage_sees_each_exchange_completed() -> None:
    seen: list[tuple[str, str, int, bool]] = []
    answered = asyncio.Event()

    def observe(ns: Namespace, event: ServeEvent) -> None:
        timed = event.total_ms >= event.processing_ms > 0
        seen.append((ns.name, event.request.url, event.response.status, timed))
        if len(seen) == 3:
            answered.set()

    async with serving(Hooks(admit=over_limit), Hooks(observe=observe)) as (_, http):
        created = await http.post("/__admin/namespaces", json={"name": "shop"})
        assert created.status_code == 201
        await stub(http, {"request": {"url": "/x"}, "response": {"status": 202}}, "/__ns/shop")
        assert (await http.get("/__ns/shop/x")).status_code == 202
        assert (await http.get("/__ns/shop/y")).status_code == 404
        assert (await http.get("/z", headers={"X-Over": "1"})).status_code == 429
        await asyncio.wait_for(answered.wait(), 10)
    assert seen == [
        ("shop", "/x", 202, True),
        ("shop", "/y", 404, True),
        ("default", "/z", 429, True),
    ]


async def test_a_failing_observer_is_logged_and_the_others_still_hear(
    caplog: pytest.LogCaptureFixture,
) -> None:
    heard = asyncio.Event()

    def broken(ns: Namespace, event: ServeEvent) -> None:
        raise RuntimeError("observer bug")

    async with serving(Hooks(observe=broken), Hooks(observe=lambda ns, e: heard.set())) as (
        _,
        http,
    ):
        assert (await http.get("/a")).status_code == 404
        await asyncio.wait_for(heard.wait(), 10)
    assert "failed observing an event" in caplog.text
    assert "observer bug" in caplog.text


async def test_a_shape_stage_that_raises_is_a_500_and_its_entry_is_completed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(ns: Namespace, plan: ServePlan) -> ServePlan:
        raise RuntimeError("shape bug")

    caplog.set_level(logging.ERROR, "mockbdd.server")
    async with serving(Hooks(shape=broken)) as (server, http):
        answer = await http.get("/a")
        assert answer.status_code == 500
        assert "internal error" in answer.text
        event = next(server.engine.default.journal.events())
        assert event.response is not PENDING
        assert event.response.status == 500
    assert "shape bug" in caplog.text


async def test_a_stage_with_active_takes_part_only_where_a_namespace_configures_it() -> None:
    """A built-in feature that a namespace does not configure costs it nothing: the stage's
    hooks never run there, and ``active`` is asked once per change, not once per request."""
    asked: list[str] = []
    shaped: list[str] = []

    def configured(ns: Namespace) -> bool:  # "configured": a stub named "limited" exists
        asked.append(ns.name)
        return any(s.name == "limited" for s in ns.stubs)

    def shape(ns: Namespace, plan: ServePlan) -> ServePlan:
        shaped.append(ns.name)
        return plan

    async with serving(Hooks(shape=shape, active=configured)) as (_, http):
        await stub(http, {"request": {"url": "/a"}, "response": {"status": 200}})
        for _ in range(5):
            assert (await http.get("/a")).status_code == 200
        assert shaped == []
        assert asked == ["default"]  # five requests, one revision: asked once

        limited = {"name": "limited", "request": {"url": "/b"}, "response": {"status": 201}}
        await stub(http, limited)
        for _ in range(3):
            assert (await http.get("/b")).status_code == 201
        assert shaped == ["default"] * 3
        assert asked == ["default", "default"]

        ns = (await http.post("/__admin/namespaces", json={"name": "other"})).json()
        prefix = f"/__ns/{ns['name']}"
        await stub(http, {"request": {"url": "/a"}, "response": {"status": 200}}, prefix)
        assert (await http.get(f"{prefix}/a")).status_code == 200
        assert shaped == ["default"] * 3  # the other namespace does not configure it

        deleted = await http.delete("/__admin/mappings")
        assert deleted.status_code == 200
        assert (await http.get("/a")).status_code == 404
        assert shaped == ["default"] * 3  # no stub named "limited" any more: out again
