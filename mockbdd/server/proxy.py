"""``proxyBaseUrl``: forward the request to the URL the stub names and relay the answer."""

from __future__ import annotations

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

from mockbdd.domain.reach import origin_of, reach_refusal
from mockbdd.domain.requests import RecordedRequest
from mockbdd.domain.responses import ResponseDefinition

# RFC 9110 §7.6.1 hop-by-hop fields, plus what the transport recomputes.
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
PROXY_TIMEOUT = aiohttp.ClientTimeout(total=30)

__all__ = ["PROXY_TIMEOUT", "Proxy", "origin_of"]


class Proxy:
    """One client session per server, opened on first use. With an allow-list, only the origins
    the server's configuration names can be reached (``--proxy-allow``)."""

    def __init__(
        self, allow: tuple[str, ...], max_body: int, *, exposed_on: str | None = None
    ) -> None:
        """``exposed_on``: the address when the server is bound beyond loopback; then only
        ``allow`` (``--proxy-allow`` and the origins the mapping files name) is reachable even
        when it is empty (DESIGN §3: a proxy reaches only what the configuration names)."""
        self._session: aiohttp.ClientSession | None = None
        self._max_body = max_body
        self._allowed = frozenset(origin_of(o) for o in allow)
        self._exposed_on = exposed_on

    def refusal(self, url: str) -> str | None:
        """Why this server may not reach ``url`` (proxies and webhooks alike); None: it may."""
        return reach_refusal(url, self._allowed, self._exposed_on)

    async def forward(
        self, request: RecordedRequest, definition: ResponseDefinition
    ) -> web.Response:
        assert definition.proxy_base_url is not None
        url = request.url
        prefix = definition.proxy_url_prefix_to_remove
        if prefix and url.startswith(prefix):
            url = url[len(prefix) :] or "/"
        target = definition.proxy_base_url.rstrip("/") + url
        refused = self.refusal(target)
        if refused is not None:
            return web.Response(status=502, text=f"mockbdd: proxy target {refused}\n")
        headers = CIMultiDict[str]()
        removed = set(definition.remove_proxy_request_headers)
        for lower, values in request.headers.items():
            if lower in _HOP_BY_HOP or lower in removed:
                continue
            for value in values:
                headers.add(request.header_names.get(lower, lower), value)
        for name, value in definition.additional_proxy_request_headers:
            headers[name] = value
        if self._session is None:
            # no cookie jar: a proxy must not carry one namespace's cookies into another's calls
            self._session = aiohttp.ClientSession(
                timeout=PROXY_TIMEOUT, auto_decompress=False, cookie_jar=aiohttp.DummyCookieJar()
            )
        try:
            async with self._session.request(
                request.method,
                target,
                headers=headers,
                data=request.body.raw or None,
                allow_redirects=False,
            ) as upstream:
                body = await upstream.content.read(self._max_body + 1)
                if len(body) > self._max_body:
                    return web.Response(
                        status=502,
                        text=f"mockbdd: the answer of {target} is over {self._max_body} bytes "
                        "(--max-body-bytes); not relayed\n",
                    )
                out = CIMultiDict(
                    (k, v) for k, v in upstream.headers.items() if k.lower() not in _HOP_BY_HOP
                )
                return web.Response(
                    status=upstream.status, reason=upstream.reason, headers=out, body=body
                )
        except (aiohttp.ClientError, TimeoutError) as exc:
            return web.Response(
                status=502,
                text=f"mockbdd: proxy to {target} failed: {exc.__class__.__name__}: {exc}\n",
            )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
