"""aiohttp request → domain RecordedRequest. Headers, query and cookies stay lazy views over what
aiohttp already parsed, so a request that no stub inspects closely costs almost nothing."""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, Mapping
from http.cookies import SimpleCookie
from types import MappingProxyType

from aiohttp import web
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


def record(request: web.BaseRequest, path: str, body: bytes) -> RecordedRequest:
    headers = request.headers
    message = request_message(request)  # the parsed request line, without yarl re-encoding
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
