"""The ``webhook`` listener: its parameters, checked once when the stub is decoded, and the
call it makes after each answer."""

from __future__ import annotations

import asyncio
import base64
import binascii
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from mockbdd.domain.delays import DelayDistribution
from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.frozen import thaw
from mockbdd.domain.journal import ServeEvent
from mockbdd.domain.listeners import ListenerContext, OutboundRequest, OutboundResponse
from mockbdd.records import record

_KNOWN = ("method", "url", "headers", "body", "base64Body", "delay")
_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
# methods WireMock 3.13.2 sends no body with (RequestMethod.hasEntity: only POST, PUT, PATCH)
_NO_BODY = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "DELETE"})
MAX_LOGGED_BODY = 64 * 1024  # of a webhook's answer, in its sub-event


@record
class WebhookDefinition:
    """A webhook's parameters, decoded. Strings may hold templates, rendered per call."""

    url: str
    method: str = "GET"
    headers: tuple[tuple[str, tuple[str, ...]], ...] = ()
    body: str | None = None
    binary_body: bytes | None = None
    delay: DelayDistribution | None = None
    extra: Mapping[str, Any] | None = None  # every other parameter, seen by templates


Compile = Callable[[str], object]  # compiles a template, raising ValueError (line, reason)


class Webhook:
    """Registered as ``webhook`` under ``SERVE_EVENT_LISTENERS``. ``compile`` checks each
    templated string (``url``, ``method``, header values, ``body``) when the stub is decoded,
    so one that does not compile refuses the stub instead of failing at every callback."""

    def __init__(
        self, delay: Callable[[object, str], DelayDistribution], compile: Compile | None = None
    ) -> None:
        self._delay = delay
        self._compile = compile
        self._decoded: dict[int, tuple[Mapping[str, Any], WebhookDefinition]] = {}

    def check(self, parameters: Mapping[str, Any]) -> None:
        self.definition(parameters)

    def definition(self, parameters: Mapping[str, Any]) -> WebhookDefinition:
        """``parameters`` decoded (once per stub: the frozen parameters are kept by identity)."""
        kept = self._decoded.get(id(parameters))
        if kept is not None and kept[0] is parameters:
            return kept[1]
        definition = self._decode(parameters)
        if len(self._decoded) > 4096:  # stubs come and go: never grow without bound
            self._decoded.clear()
        self._decoded[id(parameters)] = (parameters, definition)
        return definition

    def _decode(self, p: Mapping[str, Any]) -> WebhookDefinition:
        url = p.get("url")
        if not isinstance(url, str) or not url:
            raise ValueError("/url: a webhook needs the URL to call, a string")
        if "{{" not in url:
            _check_url(url)
        method = p.get("method", "GET")
        if not isinstance(method, str) or not method:
            raise ValueError("/method: the HTTP method to call with, a string such as 'POST'")
        if "{{" not in method and not set(method) <= _TOKEN:
            raise ValueError(f"/method: {method!r} is not an HTTP method")
        headers = _headers(p.get("headers"))
        body = p.get("body")
        if body is not None and not isinstance(body, str):
            raise ValueError("/body: the body to send, a string (templates allowed)")
        binary = None
        encoded = p.get("base64Body")
        if encoded is not None:
            if body is not None:
                raise ValueError("/base64Body: give 'body' or 'base64Body', not both")
            if not isinstance(encoded, str):
                raise ValueError("/base64Body: base64 text")
            try:
                binary = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                raise ValueError("/base64Body: not valid base64") from None
        delay = None
        if p.get("delay") is not None:
            try:
                delay = self._delay(thaw(p["delay"]), "/delay")
            except InvalidInput as exc:
                raise ValueError(f"{exc.pointer}: {exc.reason}") from None
        extra = {k: v for k, v in p.items() if k not in _KNOWN}
        definition = WebhookDefinition(url, method, headers, body, binary, delay, extra or None)
        if self._compile is not None:
            self._check_templates(definition, self._compile)
        return definition

    @staticmethod
    def _check_templates(definition: WebhookDefinition, compile: Compile) -> None:
        """Every templated string compiles (``/field: line N: reason`` otherwise)."""
        fields: list[tuple[str, str | None]] = [
            ("/url", definition.url),
            ("/method", definition.method),
            ("/body", definition.body),
        ]
        for name, values in definition.headers:
            if len(values) == 1:
                fields.append((f"/headers/{name}", values[0]))
            else:
                fields += [(f"/headers/{name}/{i}", v) for i, v in enumerate(values)]
        for pointer, text in fields:
            if text is None or "{{" not in text:
                continue
            try:
                compile(text)
            except ValueError as exc:
                raise ValueError(f"{pointer}: {exc}") from None

    async def after_complete(
        self, context: ListenerContext, event: ServeEvent, parameters: Mapping[str, Any]
    ) -> None:
        definition = self.definition(parameters)
        render = _Renderer(context, event, definition)
        url = render(definition.url)
        method = render(definition.method).upper()
        headers = tuple(
            (name, render(value)) for name, values in definition.headers for value in values
        )
        body = definition.binary_body
        if definition.body is not None:
            body = render(definition.body).encode()
        if method in _NO_BODY:
            body = None
        request = OutboundRequest(method, url, headers, body)
        event.add_sub_event("WEBHOOK_REQUEST", _logged_request(request), time.time())
        refused = context.refusal(url)
        if refused is not None:
            name = (event.stub.name or event.stub.id) if event.stub is not None else "?"
            _error(event, f"webhook {method} {url} of stub {name!r} not sent: {refused}")
            return
        if definition.delay is not None:
            await asyncio.sleep(definition.delay.sample_ms(context.rng) / 1000)
        try:
            answer = await context.send(request)
        except (OSError, TimeoutError) as exc:
            _error(event, f"Failed to fire webhook {method} {url}: {exc.__class__.__name__}: {exc}")
            return
        event.add_sub_event("WEBHOOK_RESPONSE", _logged_response(answer), time.time())


class _Renderer:
    """Templates rendered as WireMock renders a webhook's: the triggering request as
    ``originalRequest``, the extra parameters as ``parameters``; plain text untouched."""

    def __init__(
        self, context: ListenerContext, event: ServeEvent, definition: WebhookDefinition
    ) -> None:
        self._context = context
        self._event = event
        self._parameters = definition.extra or {}

    def __call__(self, text: str) -> str:
        if "{{" not in text:
            return text
        return self._context.render(text, self._event.request, self._parameters)


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"/url: {url!r} is not an absolute http:// or https:// URL")


def _headers(value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise ValueError("/headers: an object of header name to value (or list of values)")
    out: list[tuple[str, tuple[str, ...]]] = []
    for name, values in value.items():
        if isinstance(values, str):
            out.append((name, (values,)))
        elif isinstance(values, tuple) and all(isinstance(v, str) for v in values):
            out.append((name, values))
        else:
            raise ValueError(f"/headers/{name}: a string or a list of strings")
    return tuple(out)


def _header_json(pairs: tuple[tuple[str, str], ...]) -> dict[str, str | list[str]]:
    """Headers as WireMock logs them: one value as a string, several as a list."""
    out: dict[str, str | list[str]] = {}
    for name, value in pairs:
        kept = out.get(name)
        if kept is None:
            out[name] = value
        elif isinstance(kept, list):
            kept.append(value)
        else:
            out[name] = [kept, value]
    return out


def _error(event: ServeEvent, message: str) -> None:
    event.add_sub_event("ERROR", {"message": message}, time.time())


def _logged_request(request: OutboundRequest) -> dict[str, Any]:
    """The call as WireMock 3.13.2 logs it: a LoggedRequest of the headers the webhook names
    (body fields only when there is a body)."""
    parts = urlsplit(request.url)
    now = datetime.now(timezone.utc)
    body = request.body or b""
    headers = _header_json(request.headers)
    query: dict[str, dict[str, Any]] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        query.setdefault(key, {"key": key, "values": []})["values"].append(value)
    logged: dict[str, Any] = {
        "url": (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
        "absoluteUrl": request.url,
        "method": request.method,
        "headers": headers,
        "browserProxyRequest": False,
        "loggedDate": int(now.timestamp() * 1000),
    }
    if body:
        logged["bodyAsBase64"] = base64.b64encode(body).decode()
        logged["body"] = body.decode("utf-8", errors="replace")
    try:
        port = parts.port
    except ValueError:
        port = None
    logged |= {
        "scheme": parts.scheme,
        "host": parts.hostname or "",
        "port": port if port is not None else (443 if parts.scheme == "https" else 80),
        "loggedDateString": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
        "queryParams": query,
        "formParams": {},
    }
    return logged


def _logged_response(answer: OutboundResponse) -> dict[str, Any]:
    body = answer.body[:MAX_LOGGED_BODY]
    headers = _header_json(answer.headers)
    return {
        "status": answer.status,
        "headers": headers,
        "body": body.decode("utf-8", errors="replace"),
        "bodyAsBase64": base64.b64encode(body).decode(),
    }
