"""Stub mappings made of serve events (WireMock's recorder), on events built by hand."""

from __future__ import annotations

import itertools
import zlib
from typing import Any

import pytest

from mockbdd.admin import recording_tasks
from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.journal import ResponseRecord, ServeEvent
from mockbdd.domain.requests import Body, RecordedRequest
from mockbdd.wire.mappings import parse_stub_mapping
from mockbdd.wire.recording import parse_record_spec, selected, stub_name, stubs_of

_SEQ = itertools.count(1)
PROXY = parse_stub_mapping({"request": {}, "response": {"proxyBaseUrl": "http://up:1"}})
LOCAL = parse_stub_mapping({"request": {}, "response": {"status": 200}})


def event(
    path: str = "/a",
    body: bytes = b"",
    content_type: str = "",
    answer: ResponseRecord | None = None,
    stub: Any = PROXY,
) -> ServeEvent:
    headers = {"content-type": [content_type]} if content_type else {}
    request = RecordedRequest("POST", path, path, {}, headers, Body(body))
    found = ServeEvent(request, 0.0, stub_id=None if stub is None else stub.id, stub=stub)
    found.seq = next(_SEQ)  # distinct ids, as a journal gives them
    found.response = answer or ResponseRecord(200, (("Content-Type", "text/plain"),), b"ok")
    return found


def test_a_missing_spec_is_the_defaults() -> None:
    spec = parse_record_spec(None, start=False)
    assert (spec.persist, spec.repeats_as_scenarios, spec.ids_only) == (True, True, False)


def test_events_are_chosen_by_proxy_ids_fault_and_filter() -> None:
    faulted = event(answer=ResponseRecord(fault="EMPTY_RESPONSE"))
    local, unmatched, kept = event(stub=LOCAL), event(stub=None), event("/b")
    spec = parse_record_spec({"filters": {"urlPath": "/b"}}, start=False)
    assert selected([faulted, local, unmatched, kept], spec) == [kept]
    by_id = parse_record_spec(
        {"filters": {"ids": [local.id], "allowNonProxied": True}}, start=False
    )
    assert selected([local, kept], by_id) == [local]


@pytest.mark.parametrize(
    ("matcher", "content_type", "body", "expected"),
    [
        ("auto", "application/xml", b"<a/>", {"equalToXml": "<a/>"}),
        ("auto", "text/xml", b"<a>", {"equalTo": "<a>", "caseInsensitive": False}),
        ("equalToXml", "text/plain", b"<a/>", {"equalToXml": "<a/>"}),
        ("auto", "application/json", b"not json", {"equalTo": "not json", "caseInsensitive": False}),
        ("auto", "image/png", b"\x89P", {"binaryEqualTo": "iVA="}),
        ("auto", "multipart/form-data; boundary=x", b"--x--", {"anything": "anything"}),
        ("auto", "", b"<a/>", {"equalTo": "<a/>", "caseInsensitive": False}),
        ("equalToJson", "text/plain", b"[1]",
         {"equalToJson": "[1]", "ignoreArrayOrder": False, "ignoreExtraElements": True}),
    ],
)  # fmt: skip
def test_body_matchers(matcher: str, content_type: str, body: bytes, expected: Any) -> None:
    pattern = {"matcher": matcher, "ignoreArrayOrder": False}
    spec = parse_record_spec({"requestBodyPattern": pattern}, start=False)
    [recorded] = stubs_of([event(body=body, content_type=content_type)], spec, extract=False)
    assert recorded.mapping["request"]["bodyPatterns"] == [expected]


def test_an_unknown_body_matcher_is_refused_with_the_choices() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_record_spec({"requestBodyPattern": {"matcher": "equalToYaml"}}, start=False)
    assert refused.value.pointer == "/requestBodyPattern/matcher"
    assert refused.value.reason == "must be one of auto, equalTo, equalToJson, equalToXml"


def test_response_bodies_encodings_and_headers() -> None:
    spec = parse_record_spec({"extractBodyCriteria": {"binarySizeThreshold": 1}}, start=False)
    answers = {
        "/deflated": ResponseRecord(
            200, (("Content-Encoding", "deflate"), ("Content-Type", "text/plain")),
            zlib.compress(b"flat"),
        ),
        "/broken": ResponseRecord(200, (("Content-Encoding", "gzip"),), b"\xff\xfe"),
        "/untyped": ResponseRecord(200, (("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"),
                                         ("Set-Cookie", "c=3")), b"plain"),
        "/xml": ResponseRecord(200, (("Content-Type", "application/xml"),), b"<a/>" * 9),
        "/html": ResponseRecord(200, (("Content-Type", "text/html"),), b"<p>"),
        "/js": ResponseRecord(200, (("Content-Type", "text/javascript"),), b"x"),
        "/empty": ResponseRecord(204, (), b""),
    }  # fmt: skip
    events = [event(path, answer=answer) for path, answer in answers.items()]
    got = {r.mapping["name"]: r for r in stubs_of(events, spec, extract=True)}
    assert got["deflated"].mapping["response"]["body"] == "flat"
    broken = got["broken"].mapping["response"]
    assert got["broken"].body_file == (broken["bodyFileName"], b"\xff\xfe")  # kept as sent
    assert "Content-Encoding" not in broken.get("headers", {})
    [inline] = stubs_of(events[1:2], spec, extract=False)
    assert inline.mapping["response"]["base64Body"] == "//4="
    untyped = got["untyped"].mapping["response"]
    # no Content-Type: binary as WireMock has it, so over the binary threshold: a file
    assert untyped["bodyFileName"].endswith(".txt")
    assert untyped["headers"] == {"Set-Cookie": ["a=1", "b=2", "c=3"]}
    assert got["empty"].mapping["response"] == {"status": 204}
    assert got["broken"].body_file is not None  # binary over 1 byte: extracted
    assert got["broken"].body_file[0].endswith(".txt")  # not JSON nor XML: text, as WireMock
    text_spec = parse_record_spec({"extractBodyCriteria": {"textSizeThreshold": 0}}, start=False)
    extracted = {r.mapping["name"]: r for r in stubs_of(events, text_spec, extract=True)}
    suffixes = {n: r.body_file[0].rsplit(".", 1)[1] for n, r in extracted.items() if r.body_file}
    # WireMock's determineFileExtension: json, xml, then any text type is txt
    assert (suffixes["xml"], suffixes["html"], suffixes["js"]) == ("xml", "txt", "txt")
    assert "untyped" not in suffixes  # binary, and no binary threshold: kept inline


def test_names_come_from_the_path() -> None:
    # WireMock's SafeNames.makeSafeNameFromUrl, as real WireMock 3.13.2 names them
    assert stub_name(event("/")) == ""
    assert stub_name(event("/api/v1/Things/1.json")) == "api_v1_things_1.json"
    assert stub_name(event("/with%20space/caf%C3%A9/a(b)!")) == "with-space_cafe_ab"


def test_a_recording_keeps_the_newest_events(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recording_tasks, "MAX_RECORDED", 2)
    recording = recording_tasks.Recording(parse_record_spec({}, start=False), PROXY.id)
    keep = recording_tasks.keeper(recording)
    events = [event(f"/{i}") for i in range(4)]
    for e in [*events, event(stub=LOCAL)]:
        keep(e)
    assert recording.events == events[2:]
