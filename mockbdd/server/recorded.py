"""aiohttp request → domain RecordedRequest. Headers, query and cookies stay lazy views over what
aiohttp already parsed, so a request that no stub inspects closely costs almost nothing."""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, Mapping
from http.cookies import SimpleCookie
from types import MappingProxyType

from aiohttp import web
from aiohttp.http import RawRequestMessage
from multidict import CIMultiDictProxy, MultiDictProxy
from yarl import URL

from mockbdd.domain.requests import Body, RecordedRequest
from mockbdd.server.aiohttp_internals import request_message

EMPTY: Mapping[str, list[str]] = MappingProxyType({})
EMPTY_BODY = Body(b"")


async def read_capped(request: web.BaseRequest, cap: int) -> bytes:
    """Read at most ``cap`` bytes and drain the rest, so the connection stays usable."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_any():
        if size < cap:
            chunks.append(chunk[: cap - size])
        size += len(chunk)
    return b"".join(chunks)


class HeaderView(Mapping[str, list[str]]):
    """Lower-cased header names → every value, over aiohttp's case-insensitive multidict."""

    __slots__ = ("_grouped", "_headers")

    def __init__(self, headers: CIMultiDictProxy[str]) -> None:
        self._headers = headers
        self._grouped: dict[str, list[str]] | None = None

    def get(self, key: str, default: list[str] | None = None) -> list[str] | None:  # type: ignore[override]
        values = self._headers.getall(key, None)
        return default if values is None else values

    def __getitem__(self, key: str) -> list[str]:
        return self._headers.getall(key)

    def __contains__(self, key: object) -> bool:
        return key in self._headers

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(k.lower() for k in self._headers))

    def __len__(self) -> int:
        return len({k.lower() for k in self._headers})

    def items(self) -> ItemsView[str, list[str]]:
        """Every name with its values in one pass (the journal's JSON lists them all), not a
        lookup per name."""
        if self._grouped is None:
            grouped: dict[str, list[str]] = {}
            for name, value in self._headers.items():
                lower = name.lower()
                values = grouped.get(lower)
                if values is None:
                    grouped[lower] = [value]
                else:
                    values.append(value)
            self._grouped = grouped
        return self._grouped.items()

    def signature(self) -> tuple[tuple[str, str], ...]:
        """Every (name, value) as received: equal for requests with equal headers, which have
        equal JSON (a key for the event stream's encoder)."""
        return tuple(self._headers.items())


class HeaderNames(Mapping[str, str]):
    """Lower-cased name → the spelling first received (for reports and the journal)."""

    __slots__ = ("_headers", "_names")

    def __init__(self, headers: CIMultiDictProxy[str]) -> None:
        self._headers = headers
        self._names: dict[str, str] | None = None

    def _spellings(self) -> dict[str, str]:
        if self._names is None:
            names: dict[str, str] = {}
            for name in self._headers:
                names.setdefault(name.lower(), name)
            self._names = names
        return self._names

    def __getitem__(self, key: str) -> str:
        return self._spellings()[key]

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return self._spellings().get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._spellings())

    def __len__(self) -> int:
        return len(self._spellings())


class QueryView(Mapping[str, list[str]]):
    """Query parameters, decoded by yarl on first use."""

    __slots__ = ("_query", "_url")

    def __init__(self, url: URL) -> None:
        self._url = url
        self._query: MultiDictProxy[str] | None = None

    def _parsed(self) -> MultiDictProxy[str]:
        if self._query is None:
            self._query = self._url.query
        return self._query

    def get(self, key: str, default: list[str] | None = None) -> list[str] | None:  # type: ignore[override]
        values = self._parsed().getall(key, None)
        return default if values is None else values

    def __getitem__(self, key: str) -> list[str]:
        return self._parsed().getall(key)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(self._parsed()))

    def __len__(self) -> int:
        return len(set(self._parsed()))


class CookieView(Mapping[str, list[str]]):
    """Cookies from the Cookie header(s), parsed on first use."""

    __slots__ = ("_parsed", "_raw")

    def __init__(self, raw: list[str]) -> None:
        self._raw = raw
        self._parsed: dict[str, list[str]] | None = None

    def _cookies(self) -> dict[str, list[str]]:
        if self._parsed is None:
            # every value of a repeated name (real WireMock 3.13.2 matches equalTo "1" on
            # "k=1; k=2"): SimpleCookie keeps the last one, so each pair is read on its own
            parsed: dict[str, list[str]] = {}
            for header in self._raw:
                for pair in header.split(";"):
                    jar: SimpleCookie = SimpleCookie()
                    jar.load(pair)
                    for name, morsel in jar.items():
                        parsed.setdefault(name, []).append(morsel.value)
            self._parsed = parsed
        return self._parsed

    def __getitem__(self, key: str) -> list[str]:
        return self._cookies()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._cookies())

    def __len__(self) -> int:
        return len(self._cookies())


class Recorder:
    """aiohttp request → RecordedRequest, one per server (``DataPlane``).

    A request without a body that repeats one seen lately (same method, request target, raw
    header lines, namespace-relative path and peer address: everything a RecordedRequest is
    made of) gets that one's RecordedRequest again, which is treated as immutable. Under load
    most requests repeat a few shapes: each then costs a tuple and a dict lookup instead of a
    RecordedRequest and its views, and a journal entry holds about 400 bytes instead of its own
    copy of the headers (2 KB for a curl-like request). At 10,000 journal entries that is the
    difference between serving from memory the CPU's caches still hold and touching cold memory
    twice a request, once to free the evicted entry and once to fill the new one: measured as
    about 7 % of the data plane's throughput.

    At most ``MAX_SEEN`` shapes are kept; when that many have been seen with few of them
    repeating (unique URLs or headers, where the lookup only adds its cost), the memo rests for
    ``REST_REQUESTS`` requests before it is tried again.
    """

    MAX_SEEN = 256
    REST_REQUESTS = 4096

    __slots__ = ("_hits", "_rest", "_seen")

    def __init__(self) -> None:
        self._seen: dict[tuple[object, ...], RecordedRequest] = {}
        self._hits = 0  # repeats found since the memo was last emptied
        self._rest = 0  # requests still to record without the memo

    def __call__(self, request: web.BaseRequest, path: str, body: bytes) -> RecordedRequest:
        message = request_message(request)  # the parsed request line, without yarl re-encoding
        if body or self._rest:
            if self._rest:
                self._rest -= 1
            return _recorded(request, message, path, body)
        key = (message.method, message.path, message.raw_headers, path, request.remote)
        seen = self._seen
        found = seen.get(key)
        if found is not None:
            self._hits += 1
            return found
        made = _recorded(request, message, path, b"")
        if len(seen) >= self.MAX_SEEN:
            seen.clear()
            hits, self._hits = self._hits, 0
            if hits < self.MAX_SEEN // 4:  # mostly shapes that never came back
                self._rest = self.REST_REQUESTS
                return made
        seen[key] = made
        return made

    def __len__(self) -> int:
        """How many request shapes the memo holds (tests, diagnostics)."""
        return len(self._seen)


def _recorded(
    request: web.BaseRequest, message: RawRequestMessage, path: str, body: bytes
) -> RecordedRequest:
    headers = request.headers
    raw = message.path
    qs = raw.partition("?")[2]
    cookie = headers.getall("Cookie", None)
    return RecordedRequest(
        method=message.method,
        url=f"{path}?{qs}" if qs else path,
        path=path,
        query=QueryView(message.url) if qs else EMPTY,
        headers=HeaderView(headers),
        body=Body(body) if body else EMPTY_BODY,
        cookies=CookieView(cookie) if cookie else EMPTY,
        header_names=HeaderNames(headers),
        authority=headers.get("Host", ""),
        scheme="http",  # TLS is not served (yet): no transport lookup per request
        client_ip=request.remote or "",  # aiohttp reads the peer once per connection
        raw_path=raw,
    )
