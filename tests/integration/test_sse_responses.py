"""``response.sse``: a ``text/event-stream`` written one event at a time, each after its delay,
journaled whole; bad event streams are refused at creation with the field."""

from __future__ import annotations

import time

import httpx
import pytest

from mockbdd.server.embedded import MockServer

STREAM = {
    "request": {"method": "GET", "url": "/prices"},
    "response": {
        "status": 200,
        "sse": {
            "retry": 1500,
            "events": [
                {"event": "price", "id": "1", "data": {"symbol": "BTC", "price": 1}},
                {"data": "line one\nline two", "delayMs": 150},
                {"event": "done", "data": "bye", "delayMs": 150},
            ],
        },
    },
}


def parse(text: str) -> list[dict[str, str]]:
    """Events as an EventSource reads them (fields joined, data lines joined by newlines)."""
    events = []
    for block in text.split("\n\n"):
        if not block:
            continue
        event: dict[str, str] = {}
        for line in block.split("\n"):
            name, _, value = line.partition(": ")
            event[name] = event[name] + "\n" + value if name in event else value
        events.append(event)
    return events


def test_events_arrive_one_at_a_time_after_their_delays(
    server: MockServer, http: httpx.Client
) -> None:
    assert http.post("/__admin/mappings", json=STREAM).status_code == 201
    arrivals: list[tuple[float, bytes]] = []
    started = time.perf_counter()
    with http.stream("GET", "/prices") as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream"
        assert response.headers["cache-control"] == "no-cache"
        for piece in response.iter_raw():
            arrivals.append((time.perf_counter() - started, piece))
    text = b"".join(p for _, p in arrivals).decode()
    assert parse(text) == [
        {"retry": "1500"},
        {"event": "price", "id": "1", "data": '{"symbol":"BTC","price":1}'},
        {"data": "line one\nline two"},
        {"event": "done", "data": "bye"},
    ]
    # written one at a time: the last event came at least the two delays after the first piece
    assert len(arrivals) >= 2
    assert arrivals[-1][0] - arrivals[0][0] >= 0.25
    served = http.get("/__admin/requests").json()["requests"][0]
    assert served["response"]["body"] == text  # the journal has the whole stream


def test_head_gets_the_headers_and_no_stream(http: httpx.Client) -> None:
    stub = {**STREAM, "request": {"method": "ANY", "url": "/prices"}}
    assert http.post("/__admin/mappings", json=stub).status_code == 201
    head = http.head("/prices")
    assert head.status_code == 200
    assert head.headers["content-type"] == "text/event-stream"
    assert head.content == b""


def test_a_stream_is_returned_by_the_admin_api_as_it_was_given(http: httpx.Client) -> None:
    created = http.post("/__admin/mappings", json=STREAM).json()
    assert created["response"]["sse"] == STREAM["response"]["sse"]


@pytest.mark.parametrize(
    ("sse", "pointer", "reason"),
    [
        ({"events": []}, "/response/sse/events", "at least one event"),
        ({"events": [{"data": "x", "delayMs": -1}]}, "/response/sse/events/0/delayMs", ""),
        ({"events": [{"data": "x", "event": "a\nb"}]}, "/response/sse/events/0/event", "CR, LF"),
        ({"events": [{"data": "x", "colour": "red"}]}, "/response/sse/events/0/colour", ""),
        ({"events": [{"event": "a"}]}, "/response/sse/events/0/data", ""),
    ],
)
def test_a_bad_stream_is_refused_with_the_field_and_nothing_is_stored(
    http: httpx.Client, sse: dict[str, object], pointer: str, reason: str
) -> None:
    refused = http.post(
        "/__admin/mappings", json={"request": {"url": "/s"}, "response": {"sse": sse}}
    )
    assert refused.status_code == 422, refused.text
    assert pointer in refused.text
    assert reason in refused.text
    assert http.get("/__admin/mappings").json()["mappings"] == []


def test_sse_and_a_body_together_are_refused(http: httpx.Client) -> None:
    refused = http.post(
        "/__admin/mappings",
        json={
            "request": {"url": "/s"},
            "response": {"body": "x", "sse": {"events": [{"data": 1}]}},
        },
    )
    assert refused.status_code == 422
    assert "only one body field" in refused.text
