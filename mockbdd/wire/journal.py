"""Serve events and near misses as WireMock JSON (LoggedRequest, ServeEvent, NearMiss shapes)."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.frozen import thaw
from mockbdd.domain.journal import ServeEvent
from mockbdd.domain.near_miss import NearMiss, render_diff
from mockbdd.domain.requests import Body, RecordedRequest
from mockbdd.domain.stubs import StubMapping


def iso_time(ts: float) -> str:
    """``2026-12-03T08:20:11.123Z``; the part up to the second is formatted once per second."""
    seconds = int(ts)
    micros = round((ts - seconds) * 1e6)  # as datetime rounds, then isoformat truncates
    if micros >= 1_000_000:
        seconds, micros = seconds + 1, micros - 1_000_000
    return f"{iso_seconds(seconds)}.{micros // 1000:03d}Z"


@lru_cache(maxsize=8)
def iso_seconds(seconds: int) -> str:
    """``2026-12-03T08:20:11``: epoch second ``seconds`` in UTC, to the second."""
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def _headers_json(request: RecordedRequest) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for lower, values in request.headers.items():
        name = request.header_names.get(lower, lower)
        out[name] = values[0] if len(values) == 1 else list(values)
    return out


_UNSAFE_IN_HEADER = ("\r", "\n", "\x00")
_UNMATCHED_STUB = uuid.UUID("6d6f636b-6264-4400-8000-756e6d617463")  # uuid5 namespace


def _params_json(params: Any) -> dict[str, Any]:
    return {k: {"key": k, "values": list(v)} for k, v in params.items()}


def logged_request_json(request: RecordedRequest, logged_at: float | None = None) -> dict[str, Any]:
    """WireMock's LoggedRequest (``protocol`` aside: the data plane does not record it)."""
    body = request.body.raw
    data: dict[str, Any] = {
        "url": request.url,
        "absoluteUrl": request.absolute_url,
        "method": request.method,
        "clientIp": request.client_ip,
        "headers": _headers_json(request),
        "cookies": {k: v[0] if len(v) == 1 else v for k, v in request.cookies.items()},
        "queryParams": _params_json(request.query),
        "formParams": _params_json(request.form),
        "browserProxyRequest": False,
        "body": request.body.text,
        "bodyAsBase64": base64.b64encode(body).decode(),
        "scheme": request.scheme,
        "host": request.host,
        "port": request.port,
    }
    if logged_at is not None:
        data["loggedDate"] = int(logged_at * 1000)
        data["loggedDateString"] = iso_time(logged_at)
    return data


def _matched_stub_headers(stub: StubMapping) -> dict[str, str]:
    """``Matched-Stub-Id``/``-Name`` as the data plane sends them (from its pre-serialised head,
    so they are not among the recorded headers); a name unfit for a header is left out."""
    if stub.name is None or any(c in stub.name for c in _UNSAFE_IN_HEADER):
        return {"Matched-Stub-Id": stub.id}
    return {"Matched-Stub-Id": stub.id, "Matched-Stub-Name": stub.name}


def serve_event_json(event: ServeEvent, stub: StubMapping | None = None) -> dict[str, Any]:
    """WireMock's ServeEvent JSON. ``stubMapping`` is the stub as it served the request
    (``event.stub``); ``stub`` is only a fallback for events recorded without one.

    As in real WireMock 3.13.2, an unmatched event has ``"fromConfiguredStub": false`` in its
    ``responseDefinition`` (WireMock's Java client derives ``wasMatched`` from it), a stand-in
    ``stubMapping`` and a ``REQUEST_NOT_MATCHED`` sub-event carrying the not-matched report.
    An admit stage's answer (a limit's 429) is not matched either, but it is no near miss:
    ``admittedBy`` names the stage, and there is neither stand-in stub nor not-matched report."""
    resp = event.response
    served_by = event.stub if event.stub is not None else stub
    headers = dict(resp.headers)
    if served_by is not None and event.was_matched and not resp.fault:
        headers.update(_matched_stub_headers(served_by))
    response: dict[str, Any] = {
        "status": resp.status,
        "headers": headers,
        "body": resp.body.decode("utf-8", errors="replace"),
        "bodyAsBase64": base64.b64encode(resp.body).decode(),
    }
    if resp.fault:
        response["fault"] = resp.fault
    data: dict[str, Any] = {
        "id": event.id,
        "request": logged_request_json(event.request, event.logged_at),
        "wasMatched": event.was_matched,
        "response": response,
        "responseDefinition": {"status": resp.status},  # replaced below when a stub served it
        "subEvents": [],
        "timing": {
            "addedDelay": round(event.added_delay_ms),
            "processTime": round(event.processing_ms),
            "responseSendTime": 0,
            "serveTime": round(event.total_ms),
            "totalTime": round(event.total_ms),
            "queuedTime": round(event.queued_ms),
        },
    }
    if event.sub_events:
        data["subEvents"] = [
            {"type": sub.type, "timeOffsetNanos": sub.offset_ns, "data": thaw(sub.data)}
            for sub in event.sub_events
        ]
    if served_by is not None:
        data["stubMapping"] = dict(served_by.source)
        definition = served_by.source.get("response")
        if isinstance(definition, dict):  # a sequence's item is not known here: status only
            data["responseDefinition"] = definition
    elif event.stub_id is not None:
        data["stubMapping"] = {"id": event.stub_id, "uuid": event.stub_id}
    elif event.admitted_by is not None:
        data["admittedBy"] = event.admitted_by
        data["responseDefinition"] = {"status": resp.status, "fromConfiguredStub": False}
    elif not event.was_matched:
        not_configured = {"status": resp.status, "fromConfiguredStub": False}
        data["responseDefinition"] = not_configured
        stand_in = str(uuid.uuid5(_UNMATCHED_STUB, event.id))
        data["stubMapping"] = {
            "id": stand_in,
            "request": {"method": "ANY"},
            "response": not_configured,
            "uuid": stand_in,
        }
        report = {"status": resp.status, "contentType": "text/plain", "report": response["body"]}
        data["subEvents"] = [{"type": "REQUEST_NOT_MATCHED", "timeOffsetNanos": 0, "data": report}]
    return data


def near_miss_json(
    miss: NearMiss, request_pattern: Any = None, logged_at: float | None = None
) -> dict[str, Any]:
    """WireMock's NearMiss; ``request_pattern`` is the pattern JSON a request-pattern query gave,
    ``logged_at`` when the request of a stub's near miss came from the journal."""
    if miss.event is not None:
        logged_at = miss.event.logged_at
    data: dict[str, Any] = {
        "request": logged_request_json(miss.request, logged_at),
        "matchResult": {
            "distance": round(miss.result.distance, 4),
            "diffDescriptions": [],
            "subEvents": [],
        },
        "diff": render_diff(miss),
    }
    if miss.stub is not None:
        data["stubMapping"] = dict(miss.stub.source)
    else:
        data["requestPattern"] = request_pattern if request_pattern is not None else {}
    return data


def parse_logged_request(obj: Any, pointer: str = "") -> RecordedRequest:
    """A LoggedRequest JSON (as in ``POST /near-misses/request``) back into a RecordedRequest."""
    if not isinstance(obj, dict):
        raise InvalidInput(pointer, "a logged request must be a JSON object")
    url = obj.get("url")
    if not isinstance(url, str) or not url.startswith("/"):
        raise InvalidInput(f"{pointer}/url", "required, a path starting with '/'")
    method = obj.get("method", "GET")
    if not isinstance(method, str):
        raise InvalidInput(f"{pointer}/method", "must be a string")
    split = urlsplit(url)
    query: dict[str, list[str]] = {}
    for k, v in parse_qsl(split.query, keep_blank_values=True):
        query.setdefault(k, []).append(v)
    raw_headers = obj.get("headers") or {}
    if not isinstance(raw_headers, dict):
        raise InvalidInput(f"{pointer}/headers", "must be an object")
    headers = {
        k.lower(): [str(x) for x in v] if isinstance(v, list) else [str(v)]
        for k, v in raw_headers.items()
    }
    encoded = obj.get("bodyAsBase64")
    if encoded:
        if not isinstance(encoded, str):
            raise InvalidInput(f"{pointer}/bodyAsBase64", "must be a base64 string")
        try:
            body = base64.b64decode(encoded, validate=True)
        except ValueError as exc:  # binascii.Error, or non-ASCII text
            raise InvalidInput(f"{pointer}/bodyAsBase64", f"not valid base64: {exc}") from None
    else:
        body = str(obj.get("body") or "").encode()
    return RecordedRequest(
        method=method.upper(),
        url=url,
        path=split.path,
        query=query,
        headers=headers,
        body=Body(body),
        header_names={k.lower(): k for k in raw_headers},
    )


def parse_timestamp(value: str, pointer: str) -> float:
    """ISO-8601 date-time (``Z`` or offset) as epoch seconds."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(pointer, f"not an ISO-8601 date-time: {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp()
