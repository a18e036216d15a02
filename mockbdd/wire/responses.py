"""WireMock response definition JSON → domain ``ResponseDefinition``: bodies encoded once,
headers checked, delays, faults and transformers through the registry."""

from __future__ import annotations

import base64
import dataclasses
import json
import math
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from mockbdd.domain.delays import DelayDistribution, FixedDelay
from mockbdd.domain.errors import InvalidInput
from mockbdd.domain.faults import FAULTS
from mockbdd.domain.frozen import freeze
from mockbdd.domain.responses import (
    TRANSFORMERS,
    ChunkedDribbleDelay,
    EventStream,
    PreparingTransformer,
    ResponseDefinition,
    SseEvent,
    loaded,
)
from mockbdd.extensions import Extensions
from mockbdd.wire.delay_codec import parse_delay
from mockbdd.wire.errors import check_parameters, registered
from mockbdd.wire.limits import parse_concurrency, parse_rate_limit
from mockbdd.wire.models import BODY_FIELDS, ResponseDefinitionModel, SseModel
from mockbdd.wire.simulation import simulation_of

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 field-name
_FORBIDDEN_IN_VALUE = re.compile(r"[\r\n\x00]")


def build_response(
    model: ResponseDefinitionModel, pointer: str, extensions: Extensions
) -> ResponseDefinition:
    headers = _headers(model.headers, f"{pointer}/headers")
    if model.statusMessage is not None and _FORBIDDEN_IN_VALUE.search(model.statusMessage):
        raise InvalidInput(f"{pointer}/statusMessage", "cannot contain CR, LF or NUL")
    body = _body(model, pointer, headers)
    if model.proxyBaseUrl is not None:
        _check_proxy_base_url(model.proxyBaseUrl, f"{pointer}/proxyBaseUrl")
    proxy_headers = _headers(
        model.additionalProxyRequestHeaders, f"{pointer}/additionalProxyRequestHeaders"
    )
    sse = None if model.sse is None else event_stream(model.sse, f"{pointer}/sse", headers)
    dribble = None
    if model.chunkedDribbleDelay is not None:
        d = model.chunkedDribbleDelay
        dribble = ChunkedDribbleDelay(d.numberOfChunks, d.totalDuration)
    definition = ResponseDefinition(
        status=model.status,
        status_message=model.statusMessage,
        headers=tuple(headers),
        body=body,
        body_file_name=model.bodyFileName,
        delay=_delay(model, pointer, extensions),
        chunked_dribble_delay=dribble,
        fault=_fault(model.fault, f"{pointer}/fault", extensions),
        proxy_base_url=model.proxyBaseUrl,
        additional_proxy_request_headers=tuple(proxy_headers),
        remove_proxy_request_headers=tuple(
            h.lower() for h in model.removeProxyRequestHeaders or ()
        ),
        proxy_url_prefix_to_remove=model.proxyUrlPrefixToRemove,
        transformers=_schema_body(model, pointer, extensions)
        + _transformers(model, pointer, extensions),
        sse=sse,
        simulation=simulation_of(model, pointer) or None,
        rate_limit=None
        if model.rateLimit is None
        else parse_rate_limit(model.rateLimit, f"{pointer}/rateLimit"),
        concurrency=None
        if model.concurrency is None
        else parse_concurrency(model.concurrency, f"{pointer}/concurrency"),
    )
    return _prepared(definition, pointer, extensions)


def _schema_body(
    model: ResponseDefinitionModel, pointer: str, extensions: Extensions
) -> tuple[tuple[str, Mapping[str, Any]], ...]:
    """``jsonBodyFromSchema``: generated per request by the transformer registered for it,
    before the stub's own transformers (so a template may follow it)."""
    if model.jsonBodyFromSchema is None:
        return ()
    name = "json-body-from-schema"
    found = extensions.get(TRANSFORMERS, name)
    if found is None:  # pragma: no cover - a built-in
        raise InvalidInput(f"{pointer}/jsonBodyFromSchema", "not supported by this server")
    parameters = freeze({"schema": model.jsonBodyFromSchema})
    check_parameters(found.check, parameters, f"{pointer}/jsonBodyFromSchema")
    return ((name, parameters),)


def _prepared(
    definition: ResponseDefinition, pointer: str, extensions: Extensions
) -> ResponseDefinition:
    """Each preparing transformer's work done once, here (templates compiled); one with
    nothing to do is left out, so the answer stays static. A template that does not compile
    refuses the stub, naming the line and the reason."""
    if not definition.transformers:
        return definition
    kept: list[tuple[str, Mapping[str, Any]]] = []
    prepared: list[object] = []
    for name, parameters in definition.transformers:
        entry = extensions.get(TRANSFORMERS, name)
        found = None if entry is None else loaded(entry)  # imported once a stub uses it
        if not isinstance(found, PreparingTransformer):
            kept.append((name, parameters))
            prepared.append(None)
            continue
        try:
            made = found.prepare(definition, parameters)
        except ValueError as exc:
            raise InvalidInput(pointer, f"{name}: {exc}") from None
        if made is not None:
            kept.append((name, parameters))
            prepared.append(made)
    return dataclasses.replace(definition, transformers=tuple(kept), prepared=tuple(prepared))


def event_stream(model: SseModel, pointer: str, headers: list[tuple[str, str]]) -> EventStream:
    """``response.sse``: the events encoded once; ``text/event-stream`` unless the stub says
    otherwise, and ``Cache-Control: no-cache`` as event streams are sent."""
    if not model.events:
        raise InvalidInput(f"{pointer}/events", "give at least one event")
    events = []
    for i, item in enumerate(model.events):
        data = (
            item.data
            if isinstance(item.data, str)
            else json.dumps(item.data, separators=(",", ":"))
        )
        for name, value in (("event", item.event), ("id", item.id)):
            if value is not None and _FORBIDDEN_IN_VALUE.search(value):
                raise InvalidInput(f"{pointer}/events/{i}/{name}", "cannot contain CR, LF or NUL")
        if "\r" in data or "\x00" in data:
            raise InvalidInput(f"{pointer}/events/{i}/data", "cannot contain CR or NUL")
        events.append(SseEvent(data, item.event, item.id, item.delayMs or 0))
    names = {n.lower() for n, _ in headers}
    if "content-type" not in names:
        headers.append(("Content-Type", "text/event-stream"))
    if "cache-control" not in names:
        headers.append(("Cache-Control", "no-cache"))
    return EventStream(tuple(events), model.retry)


def _body(model: ResponseDefinitionModel, pointer: str, headers: list[tuple[str, str]]) -> bytes:
    """The body bytes, encoded once; a ``jsonBody`` adds its Content-Type to ``headers``."""
    given = [
        f for f in BODY_FIELDS if f in model.model_fields_set and getattr(model, f) is not None
    ]
    if len(given) > 1:
        raise InvalidInput(
            f"{pointer}/{given[1]}", f"give only one body field, got {' and '.join(given)}"
        )
    if model.bodyFileName is not None:
        _check_file_name(model.bodyFileName, f"{pointer}/bodyFileName")
    if model.body is not None:
        return model.body.encode()
    if "jsonBody" in model.model_fields_set and model.jsonBody is not None:
        if not any(n.lower() == "content-type" for n, _ in headers):
            headers.append(("Content-Type", "application/json"))
        return json_body_bytes(model.jsonBody)
    if model.jsonBodyFromSchema is not None:
        if not any(n.lower() == "content-type" for n, _ in headers):
            headers.append(("Content-Type", "application/json"))
        return b""
    if model.base64Body is not None:
        try:
            return base64.b64decode(model.base64Body, validate=True)
        except ValueError as exc:  # binascii.Error, or non-ASCII text
            raise InvalidInput(f"{pointer}/base64Body", f"not valid base64: {exc}") from None
    return b""


def _delay(
    model: ResponseDefinitionModel, pointer: str, extensions: Extensions
) -> DelayDistribution | None:
    if model.delayDistribution is None:
        return (
            None
            if model.fixedDelayMilliseconds is None
            else FixedDelay(model.fixedDelayMilliseconds)
        )
    if model.fixedDelayMilliseconds is not None:
        raise InvalidInput(
            f"{pointer}/delayDistribution",
            "give either fixedDelayMilliseconds or delayDistribution",
        )
    return parse_delay(
        model.delayDistribution, f"{pointer}/delayDistribution", extensions=extensions
    )


def _fault(name: str | None, pointer: str, extensions: Extensions) -> str | None:
    """Any fault registered in ``extensions`` (the built-ins and the plugins')."""
    if name is None:
        return None
    registered(extensions, FAULTS, name, pointer)
    return name


def _transformers(
    model: ResponseDefinitionModel, pointer: str, extensions: Extensions
) -> tuple[tuple[str, Mapping[str, Any]], ...]:
    """``transformers`` by name, each with the (shared) ``transformerParameters``; an
    unregistered name is refused rather than served as the raw template."""
    parameters = freeze(model.transformerParameters or {})
    chosen: list[tuple[str, Mapping[str, Any]]] = []
    names = list(model.transformers or ())
    for name, entry in extensions.items(TRANSFORMERS):  # WireMock's applyGlobally()
        if getattr(entry, "applies_globally", False) and name not in names:
            names.append(name)
    if not names:
        return ()
    for i, name in enumerate(names):
        found = registered(extensions, TRANSFORMERS, name, f"{pointer}/transformers/{i}")
        check_parameters(found.check, parameters, f"{pointer}/transformerParameters")
        chosen.append((name, parameters))
    return tuple(chosen)


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def json_body_bytes(value: Any) -> bytes:
    """``jsonBody`` as real WireMock 3.13.2 (Jackson) writes it: compact, UTF-8, characters
    beyond the BMP as ``\\uD834\\uDD1E`` escapes, and fractional numbers in plain decimal
    notation (``1e20`` as ``100000000000000000000``, ``1e-7`` as ``0.0000001``, ``-0.0`` as
    ``0.0``); same values, same bytes. Done once, when the mapping is read."""
    text = _ASTRAL.sub(_surrogate_escape, "".join(_json_parts(value)))
    return text.encode()


def _json_parts(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        yield "{"
        for i, (key, item) in enumerate(value.items()):
            yield ("," if i else "") + json.dumps(str(key), ensure_ascii=False) + ":"
            yield from _json_parts(item)
        yield "}"
    elif isinstance(value, list):
        yield "["
        for i, item in enumerate(value):
            if i:
                yield ","
            yield from _json_parts(item)
        yield "]"
    elif isinstance(value, float) and math.isfinite(value):
        yield _plain_decimal(value)
    else:
        yield json.dumps(value, ensure_ascii=False)


def _plain_decimal(number: float) -> str:
    if number == 0:
        return "0.0"
    text = repr(number)
    if "e" not in text:
        return text
    return format(Decimal(text), "f")


def _surrogate_escape(match: re.Match[str]) -> str:
    code = ord(match.group()) - 0x10000
    return f"\\u{0xD800 + (code >> 10):04X}\\u{0xDC00 + (code & 0x3FF):04X}"


def _headers(given: Mapping[str, str | list[str]] | None, pointer: str) -> list[tuple[str, str]]:
    """Header pairs, refused unless every name is a token and no value holds CR, LF or NUL."""
    headers: list[tuple[str, str]] = []
    for name, value in (given or {}).items():
        if not _TOKEN.fullmatch(name):
            raise InvalidInput(pointer, f"{name!r} is not a valid header name")
        values: Iterable[str] = [value] if isinstance(value, str) else value
        for v in values:
            if _FORBIDDEN_IN_VALUE.search(v):
                raise InvalidInput(
                    f"{pointer}/{_escape(name)}", "header values cannot contain CR, LF or NUL"
                )
            headers.append((name, v))
    return headers


def _check_proxy_base_url(url: str, pointer: str) -> None:
    reason = "must be an absolute http:// or https:// URL with a host"
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError on a port that is not a number in range
    except ValueError as exc:
        raise InvalidInput(pointer, f"{reason}: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(pointer, reason)
    if not url.isprintable() or any(c.isspace() for c in url):
        # checked on the raw text: urlsplit silently drops tabs and newlines
        raise InvalidInput(pointer, f"{reason}, without whitespace or control characters")


def _check_file_name(name: str, pointer: str) -> None:
    if "\x00" in name:
        raise InvalidInput(pointer, "a file name cannot contain NUL")
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":"):
        raise InvalidInput(pointer, f"{name!r} escapes the files root: give a path inside it")


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")
