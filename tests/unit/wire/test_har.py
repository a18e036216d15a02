"""wire/har.py on what the integration tests do not send: binary request bodies, a status
without a reason phrase, a non-loopback origin, namespace labels on the log."""

from __future__ import annotations

import base64

from mockbdd.domain.journal import ResponseRecord, ServeEvent
from mockbdd.domain.requests import Body, RecordedRequest
from mockbdd.wire.har import har_log


def event(body: bytes, status: int) -> ServeEvent:
    request = RecordedRequest(
        method="PUT",
        url="/blob",
        path="/blob",
        query={},
        headers={"content-type": ["application/octet-stream"]},
        body=Body(body),
        header_names={"content-type": "Content-Type"},
    )
    served = ServeEvent(request, 1_700_000_000.5)
    served.response = ResponseRecord(status, (), b"")
    served.total_ms, served.queued_ms = 12.0, 2.0
    return served


def test_binary_bodies_odd_statuses_and_labels() -> None:
    raw = b"\xff\xfe\x00binary"
    har = har_log(
        [(event(raw, 599), "ns-1", "http://10.1.2.3:8080")],
        "9.9",
        labels={"ns-1": {"scenario": "uploads a blob"}},
    )
    log = har["log"]
    (entry,) = log["entries"]
    post = entry["request"]["postData"]
    assert base64.b64decode(post["text"]) == raw
    assert "base64" in post["comment"]
    assert post["mimeType"] == "application/octet-stream"
    assert {"name": "Content-Type", "value": "application/octet-stream"} in entry["request"][
        "headers"
    ]
    assert entry["response"]["statusText"] == ""  # 599 has no reason phrase
    assert entry["response"]["content"] == {"size": 0, "mimeType": ""}
    assert "serverIPAddress" not in entry  # not known for a non-loopback origin
    assert entry["timings"]["blocked"] == 2.0
    assert entry["timings"]["wait"] == 10.0
    assert entry["startedDateTime"] == "2023-11-14T22:13:20.500Z"
    assert log["_mockbdd"] == {"namespaces": {"ns-1": {"scenario": "uploads a blob"}}}
    assert log["creator"] == {"name": "mockbdd", "version": "9.9"}
