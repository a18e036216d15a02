"""The journal as HAR 1.2 (``GET /__admin/requests/export?format=har``), which browser devtools
import: every required field, timings from the journal's (queued time as ``blocked``), bodies
with their MIME types (base64 when they are not UTF-8 text), sizes -1 where unknown.

mockbdd's own facts ride in underscore fields, as HAR allows: ``_mockbdd`` on each entry
(namespace, event id, stub, matched, fault) and on the log (the namespaces' test labels).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from http import HTTPStatus
from typing import Any

from mockbdd.domain.journal import ServeEvent

HAR_VERSION = "1.2"
HTTP_VERSION = "HTTP/1.1"


def _iso(ts: float) -> str:
    moment = datetime.fromtimestamp(ts, tz=timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _pairs(items: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in items]


def _header(headers: Iterable[tuple[str, str]], name: str) -> str:
    wanted = name.lower()
    return next((v for k, v in headers if k.lower() == wanted), "")


def _text(body: bytes) -> tuple[str, str | None]:
    """The body as HAR text: UTF-8 as is, anything else base64 (the encoding to say)."""
    try:
        return body.decode("utf-8"), None
    except UnicodeDecodeError:
        return base64.b64encode(body).decode(), "base64"


def _multi(mapping: Mapping[str, list[str]], names: Mapping[str, str]) -> list[tuple[str, str]]:
    return [(names.get(k, k), v) for k, values in mapping.items() for v in values]


def _request(event: ServeEvent, origin: str) -> dict[str, Any]:
    request = event.request
    headers = _multi(request.headers, request.header_names)
    body = request.body.raw
    data: dict[str, Any] = {
        "method": request.method,
        "url": origin + request.url,
        "httpVersion": HTTP_VERSION,
        "cookies": _pairs(_multi(request.cookies, {})),
        "headers": _pairs(headers),
        "queryString": _pairs(_multi(request.query, {})),
        "headersSize": -1,
        "bodySize": len(body),
    }
    if body:
        text, encoding = _text(body)
        post: dict[str, Any] = {"mimeType": _header(headers, "Content-Type"), "text": text}
        if encoding:
            post["comment"] = "text is base64: the body is not UTF-8"
        data["postData"] = post
    return data


def _response(event: ServeEvent) -> dict[str, Any]:
    answer = event.response
    headers = list(answer.headers)
    mime = _header(headers, "Content-Type") or ("application/octet-stream" if answer.body else "")
    content: dict[str, Any] = {"size": len(answer.body), "mimeType": mime}
    if answer.body:
        text, encoding = _text(answer.body)
        content["text"] = text
        if encoding:
            content["encoding"] = encoding
    status = answer.status
    try:
        reason = HTTPStatus(status).phrase if status else ""
    except ValueError:
        reason = ""
    data: dict[str, Any] = {
        "status": status,
        "statusText": reason,
        "httpVersion": HTTP_VERSION,
        "cookies": [],
        "headers": _pairs(headers),
        "content": content,
        "redirectURL": _header(headers, "Location"),
        "headersSize": -1,
        "bodySize": len(answer.body) if answer.fault is None else -1,
    }
    if answer.fault is not None:
        data["comment"] = f"no answer: the stub's fault {answer.fault} was injected"
    return data


def har_entry(event: ServeEvent, namespace: str, origin: str) -> dict[str, Any]:
    total = max(event.total_ms, 0.0)
    blocked = min(max(event.queued_ms, 0.0), total)
    stub = event.stub
    own: dict[str, Any] = {"namespace": namespace, "id": event.id, "matched": event.was_matched}
    if event.stub_id is not None:
        own["stub"] = {"id": event.stub_id, "name": stub.name if stub is not None else None}
    if event.response.fault is not None:
        own["fault"] = event.response.fault
    return {
        "startedDateTime": _iso(event.logged_at),
        "time": round(total, 3),
        "request": _request(event, origin),
        "response": _response(event),
        "cache": {},
        "timings": {
            "blocked": round(blocked, 3),
            "dns": -1,
            "connect": -1,
            "send": 0,
            "wait": round(total - blocked, 3),
            "receive": 0,
        },
        "serverIPAddress": "127.0.0.1" if "//127.0.0.1" in origin else None,
        "_mockbdd": own,
    }


def har_log(
    entries: Iterable[tuple[ServeEvent, str, str]],
    version: str,
    labels: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """``{"log": ...}`` of ``(event, namespace, origin)`` in the order given (oldest first)."""
    made = []
    for event, namespace, origin in entries:
        entry = har_entry(event, namespace, origin)
        if entry["serverIPAddress"] is None:
            del entry["serverIPAddress"]
        made.append(entry)
    log: dict[str, Any] = {
        "version": HAR_VERSION,
        "creator": {"name": "mockbdd", "version": version},
        "pages": [],
        "entries": made,
    }
    if labels:
        log["_mockbdd"] = {"namespaces": {name: dict(v) for name, v in labels.items()}}
    return {"log": log}
