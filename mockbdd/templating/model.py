"""The request model templates render against, as WireMock 3.x builds it (``request.url``,
``request.path`` and ``pathSegments``, ``query``, ``headers``, ``cookies``, ``body``...), made
of plain data and built lazily: a template reading ``request.path.[1]`` never parses the
query string, the headers or the body."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ServeContext
from mockbdd.templating.values import BodyText, LazyValues, PathSegments

_MISSING: Any = object()


class RequestModel(Mapping[str, Any]):
    """``request`` in a template: each key computed on first use, then kept."""

    __slots__ = ("_context", "_done", "_request")

    _keys: dict[str, Callable[[RecordedRequest, ServeContext], Any]]  # set below: _KEYS

    def __init__(self, request: RecordedRequest, context: ServeContext) -> None:
        self._request = request
        self._context = context
        self._done: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        value = self._done.get(key, _MISSING)
        if value is not _MISSING:
            return value
        build = self._keys.get(key)
        if build is None:
            raise KeyError(key)
        value = self._done[key] = build(self._request, self._context)
        return value

    def get(self, key: Any, default: Any = None) -> Any:
        if not isinstance(key, str):
            return default
        value = self._done.get(key, _MISSING)  # a first read is the common case: no raise
        if value is not _MISSING:
            return value
        build = self._keys.get(key)
        if build is None:
            return default
        value = self._done[key] = build(self._request, self._context)
        return value

    __mb_lookup__ = get  # one step of a template path

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def _path(request: RecordedRequest, context: ServeContext) -> PathSegments:
    return PathSegments(request.path, context.path_parameters)


def _query(request: RecordedRequest, context: ServeContext) -> LazyValues:
    return LazyValues(request.query)


def _headers(request: RecordedRequest, context: ServeContext) -> LazyValues:
    return LazyValues(request.headers, fold=True, names=request.header_names)


def _cookies(request: RecordedRequest, context: ServeContext) -> LazyValues:
    return LazyValues(request.cookies)


def _base_url(request: RecordedRequest, context: ServeContext) -> str:
    port = request.port
    standard = (request.scheme, port) in (("http", 80), ("https", 443))
    return f"{request.scheme}://{request.host}{'' if standard else f':{port}'}"


def _binary(request: RecordedRequest, context: ServeContext) -> bool:
    try:
        request.body.raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _multipart(request: RecordedRequest, context: ServeContext) -> bool:
    types = request.headers.get("content-type") or [""]
    return types[0].lower().startswith("multipart/")


_KEYS: dict[str, Callable[[RecordedRequest, ServeContext], Any]] = {
    "id": lambda r, c: c.event_id,
    "url": lambda r, c: r.url,
    "path": _path,
    "pathSegments": _path,
    "query": _query,
    "method": lambda r, c: r.method,
    "scheme": lambda r, c: r.scheme,
    "host": lambda r, c: r.host,
    "port": lambda r, c: r.port,
    "baseUrl": _base_url,
    "headers": _headers,
    "cookies": _cookies,
    "body": lambda r, c: BodyText(r.body.text, r.body),
    "bodyAsBase64": lambda r, c: base64.b64encode(r.body.raw).decode(),
    "binary": _binary,
    "multipart": _multipart,
    "parts": lambda r, c: {},
    "clientIp": lambda r, c: r.client_ip,
}

RequestModel._keys = _KEYS
