"""An unmatched request's near-miss report is worked out a slice at a time: while it is, other
namespaces' requests are answered (the report used to hold the loop for all of its work). The
admin routes that rank near misses use the same sliced search."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from mockbdd.config import ServerConfig
from mockbdd.domain.journal import ServeEvent
from mockbdd.domain.plan import NearMissSearch
from mockbdd.server.runner import MockHttpServer
from mockbdd.wire.mappings import parse_stub_mapping

STUBS = 2000  # a report over these takes far longer than answering one request


def crowd(server: MockHttpServer) -> None:
    crowded, quiet = server.engine.create("crowded"), server.engine.create("quiet")
    for i in range(STUBS):
        body = {"equalToJson": {"order": i, "items": [1, 2, 3]}}
        crowded.add_stub(
            parse_stub_mapping(
                {
                    "request": {
                        "method": "POST",
                        "urlPath": f"/orders/{i}",
                        "bodyPatterns": [body],
                    },
                    "response": {},
                }
            )
        )
    quiet.add_stub(parse_stub_mapping({"request": {"url": "/ping"}, "response": {"body": "pong"}}))


async def test_other_namespaces_are_answered_while_a_near_miss_report_is_worked_out() -> None:
    server = MockHttpServer(ServerConfig(port=0))
    await server.start()
    crowd(server)
    crowded = server.engine.get("crowded")
    assert crowded is not None
    searching = asyncio.Event()

    def on_arrival(event: ServeEvent) -> None:
        searching.set()  # journaled and planned: the search over the stubs begins now

    crowded.journal.subscribe(on_arrival)
    finished: list[str] = []
    try:
        async with (
            httpx.AsyncClient(base_url=server.origin(), timeout=30) as lost,
            httpx.AsyncClient(base_url=server.origin(), timeout=30) as other,
        ):
            assert (await other.get("/__ns/quiet/ping")).text == "pong"  # connection open

            async def unmatched() -> None:
                answer = await lost.post(
                    "/__ns/crowded/orders/x", content=json.dumps({"order": "x"})
                )
                assert answer.status_code == 404
                assert "Closest stub #1" in answer.text
                finished.append("report")

            report = asyncio.create_task(unmatched())
            await asyncio.wait_for(searching.wait(), 30)
            assert (await other.get("/__ns/quiet/ping")).text == "pong"
            finished.append("ping")
            await report
    finally:
        await server.stop()
    assert finished == ["ping", "report"]


LOST = {"method": "POST", "url": "/orders/x", "body": json.dumps({"order": "x"})}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/__ns/crowded/__admin/requests/unmatched/near-misses", None),
        ("POST", "/__ns/crowded/__admin/near-misses/request", LOST),
    ],
)
async def test_other_namespaces_are_answered_while_an_admin_route_ranks_near_misses(
    monkeypatch: pytest.MonkeyPatch, method: str, path: str, body: dict[str, str] | None
) -> None:
    server = MockHttpServer(ServerConfig(port=0))
    await server.start()
    crowd(server)
    searching = asyncio.Event()
    pinged = False  # the other namespace's answer came in
    step = NearMissSearch.step

    def stepping(search: NearMissSearch) -> bool:
        searching.set()  # the ranking over the stubs has begun
        if not pinged:  # not done until the ping is answered: a fast machine ranks 2,000
            return False  # stubs sooner than a round trip, and the order proves nothing then
        return step(search)

    finished: list[str] = []
    try:
        async with (
            httpx.AsyncClient(base_url=server.origin(), timeout=30) as admin,
            httpx.AsyncClient(base_url=server.origin(), timeout=30) as other,
        ):
            lost = await admin.post("/__ns/crowded/orders/x", content=LOST["body"])
            assert lost.status_code == 404  # journaled, unmatched (its report ranked already)
            assert (await other.get("/__ns/quiet/ping")).text == "pong"  # connection open
            monkeypatch.setattr(NearMissSearch, "step", stepping)

            async def ranked() -> None:
                answer = await admin.request(method, path, json=body)
                assert answer.status_code == 200, answer.text
                assert len(answer.json()["nearMisses"]) == 3
                finished.append("near misses")

            task = asyncio.create_task(ranked())
            await asyncio.wait_for(searching.wait(), 30)
            assert (await other.get("/__ns/quiet/ping")).text == "pong"  # while it ranks
            pinged = True
            finished.append("ping")
            await task
    finally:
        await server.stop()
    assert finished == ["ping", "near misses"]
