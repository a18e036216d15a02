"""aiohttp request → domain RecordedRequest, with the body cut off at a cap."""

from __future__ import annotations

from aiohttp import web

from mockbdd.domain.requests import Body, RecordedRequest


async def read_capped(request: web.BaseRequest, cap: int) -> bytes:
    """Read at most ``cap`` bytes and drain the rest, so the connection stays usable."""
    if not request.can_read_body:
        return b""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_any():
        if size < cap:
            chunks.append(chunk[: cap - size])
        size += len(chunk)
    return b"".join(chunks)


def record(request: web.BaseRequest, path: str, body: bytes) -> RecordedRequest:
    headers: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for name, value in request.headers.items():
        lower = name.lower()
        if lower in headers:
            headers[lower].append(value)
        else:
            headers[lower] = [value]
            names[lower] = name
    query: dict[str, list[str]] = {}
    for key, value in request.query.items():
        query.setdefault(key, []).append(value)
    qs = request.query_string
    cookies = {k: [v] for k, v in request.cookies.items()} if "cookie" in headers else {}
    host = request.host
    hostname, _, port = host.rpartition(":") if ":" in host else (host, "", "")
    return RecordedRequest(
        method=request.method,
        url=f"{path}?{qs}" if qs else path,
        path=path,
        query=query,
        headers=headers,
        body=Body(body),
        cookies=cookies,
        header_names=names,
        host=hostname or host,
        port=int(port) if port.isdigit() else 80,
        scheme=request.scheme,
        client_ip=request.remote or "",
        absolute_url=f"{request.scheme}://{host}{request.raw_path}",
    )
