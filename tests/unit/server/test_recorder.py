"""The data plane's Recorder: a request that repeats one seen lately shares its RecordedRequest;
nothing that tells two requests apart is ever lost (the journal over real HTTP shows each
request's own headers, query, body and path), and the memo stays bounded."""

from __future__ import annotations

import httpx
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from mockbdd.server.embedded import MockServer
from mockbdd.server.recorded import Recorder


def _get(target: str, **headers: str) -> web.Request:
    return make_mocked_request("GET", target, headers=headers)


def test_a_repeated_request_is_recorded_once() -> None:
    record = Recorder()
    first = record(_get("/a?x=1", Host="h", Accept="*/*"), "/a", b"")
    again = record(_get("/a?x=1", Host="h", Accept="*/*"), "/a", b"")
    assert again is first
    assert first.url == "/a?x=1"
    assert first.headers["accept"] == ["*/*"]
    assert len(record) == 1


def test_anything_that_differs_makes_its_own_record() -> None:
    record = Recorder()
    base = record(_get("/a?x=1", Host="h", Accept="*/*"), "/a", b"")
    others = [
        record(_get("/a?x=2", Host="h", Accept="*/*"), "/a", b""),  # query
        record(_get("/b?x=1", Host="h", Accept="*/*"), "/b", b""),  # path
        record(_get("/a?x=1", Host="h", Accept="text/*"), "/a", b""),  # a header's value
        record(_get("/a?x=1", Host="h", accept="*/*"), "/a", b""),  # a header name's spelling
        record(_get("/a?x=1", Host="h", Accept="*/*", X="1"), "/a", b""),  # one more header
        record(_get("/ns/a?x=1", Host="h", Accept="*/*"), "/a", b""),  # the namespace prefix
        record(
            make_mocked_request("HEAD", "/a?x=1", headers={"Host": "h", "Accept": "*/*"}), "/a", b""
        ),
    ]
    assert all(other is not base for other in others)
    assert len({id(o) for o in others}) == len(others)
    assert others[3].header_names["accept"] == "accept"
    assert base.header_names["accept"] == "Accept"
    assert others[6].method == "HEAD"


def test_a_request_with_a_body_is_never_shared() -> None:
    record = Recorder()
    one = record(_get("/a", Host="h"), "/a", b"payload")
    two = record(_get("/a", Host="h"), "/a", b"payload")
    assert one is not two
    assert one.body.raw == two.body.raw == b"payload"
    assert len(record) == 0


def test_the_memo_is_bounded_and_rests_when_nothing_repeats() -> None:
    record = Recorder()
    for i in range(Recorder.MAX_SEEN):
        record(_get(f"/u/{i}", Host="h"), f"/u/{i}", b"")
    assert len(record) == Recorder.MAX_SEEN
    record(_get("/u/new", Host="h"), "/u/new", b"")  # full, and nothing came back: it rests
    assert len(record) == 0
    resting = [record(_get("/same", Host="h"), "/same", b"") for _ in range(Recorder.REST_REQUESTS)]
    assert len({id(r) for r in resting}) == len(resting)  # recorded without the memo
    assert len(record) == 0
    after = [record(_get("/same", Host="h"), "/same", b"") for _ in range(3)]
    assert after[0] is after[1] is after[2]  # tried again after its rest
    assert len(record) == 1


def test_the_memo_does_not_rest_while_shapes_repeat() -> None:
    record = Recorder()
    for i in range(Recorder.MAX_SEEN):
        record(_get(f"/u/{i}", Host="h"), f"/u/{i}", b"")
        record(_get(f"/u/{i}", Host="h"), f"/u/{i}", b"")  # each shape comes back
    record(_get("/u/new", Host="h"), "/u/new", b"")
    assert len(record) == 1  # emptied and refilled at once, not resting
    again = record(_get("/u/new", Host="h"), "/u/new", b"")
    assert again is record(_get("/u/new", Host="h"), "/u/new", b"")


def test_the_journal_keeps_each_request_as_sent_over_http() -> None:
    with MockServer() as mock, httpx.Client(base_url=mock.url) as client:
        client.post(
            "/__admin/mappings",
            json={
                "request": {"urlPath": "/v", "headers": {"X-Tier": {"equalTo": "gold"}}},
                "response": {"status": 200, "body": "gold"},
            },
        ).raise_for_status()
        answers = [
            client.get("/v", headers={"X-Tier": "gold"}).status_code,
            client.get("/v", headers={"X-Tier": "gold"}).status_code,
            client.get("/v", headers={"X-Tier": "lead"}).status_code,
            client.get("/v?q=1", headers={"X-Tier": "gold"}).status_code,
            client.request("GET", "/v", headers={"X-Tier": "gold"}, content=b"b").status_code,
        ]
        logged = client.get("/__admin/requests").json()["requests"]
    assert answers == [200, 200, 404, 200, 200]
    oldest_first = [entry["request"] for entry in reversed(logged)]
    assert [r["headers"]["X-Tier"] for r in oldest_first] == [
        "gold",
        "gold",
        "lead",
        "gold",
        "gold",
    ]
    assert [r["url"] for r in oldest_first] == ["/v", "/v", "/v", "/v?q=1", "/v"]
    assert [r["body"] for r in oldest_first] == ["", "", "", "", "b"]
    assert len({entry["id"] for entry in logged}) == 5
